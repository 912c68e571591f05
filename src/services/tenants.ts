import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/random.ts';
import type { Db } from '../store/db.ts';
import {
  createTenantQueries,
  type TenantKeyRow,
  type TenantRow,
} from '../store/queries/tenants.ts';

/** Tenants (the operator's customers) and their API keys. Keys are shown once, stored hashed. */
export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export function createTenantService(deps: { db: Db; clock: Clock }) {
  const q = createTenantQueries(deps.db);
  const now = () => new Date(deps.clock.now());

  async function require(id: string): Promise<TenantRow> {
    const t = await q.findById(id);
    if (!t)
      throw new AppError('not_found', `tenant ${id} not found`, {
        details: { params: { reason: 'tenant', id } },
      });
    return t;
  }

  const view = async (t: TenantRow) => ({
    id: t.id,
    name: t.name,
    ext: t.ext,
    self_upgrade: t.self_upgrade,
    token_access: t.token_access,
    appids: await q.appidsOf(t.id),
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at.toISOString(),
  });
  const keyView = (k: TenantKeyRow) => ({
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    created_at: k.created_at.toISOString(),
    revoked_at: k.revoked_at?.toISOString() ?? null,
    last_used_at: k.last_used_at?.toISOString() ?? null,
  });

  return {
    require,
    view,
    async create(input: {
      name: string;
      ext?: Record<string, unknown>;
      self_upgrade?: boolean | null;
      token_access?: boolean;
    }) {
      const created = await q.insert({
        id: newId(),
        name: input.name,
        ext: input.ext ?? {},
        at: now(),
      });
      // The settings given at creation are set as a PATCH would set them.
      const { self_upgrade, token_access } = input;
      if (self_upgrade === undefined && token_access === undefined) return view(created);
      const t = await q.update(
        created.id,
        {
          ...(self_upgrade !== undefined ? { self_upgrade } : {}),
          ...(token_access !== undefined ? { token_access } : {}),
        },
        now(),
      );
      return view(t ?? created);
    },
    async update(
      id: string,
      patch: {
        name?: string;
        ext?: Record<string, unknown>;
        self_upgrade?: boolean | null;
        token_access?: boolean;
      },
    ) {
      const t = await q.update(id, patch, now());
      if (!t)
        throw new AppError('not_found', `tenant ${id} not found`, {
          details: { params: { reason: 'tenant', id } },
        });
      return view(t);
    },
    async list(f: { q?: string; limit: number; offset: number }) {
      const { items, total } = await q.list(f);
      return { items: await Promise.all(items.map(view)), total };
    },
    async createKey(tenantId: string, name = '') {
      await require(tenantId);
      const key = `owx_${randomBytes(24).toString('base64url')}`;
      const id = newId();
      await q.insertKey({
        id,
        tenantId,
        name,
        keyHash: hashApiKey(key),
        prefix: key.slice(0, 8),
        at: now(),
      });
      return { id, key, name, prefix: key.slice(0, 8) };
    },
    async listKeys(tenantId: string) {
      await require(tenantId);
      return (await q.listKeys(tenantId)).map(keyView);
    },
    async revokeKey(tenantId: string, keyId: string) {
      await require(tenantId);
      if (!(await q.revokeKey(tenantId, keyId, now())))
        throw new AppError('not_found', `key ${keyId} not found`, {
          details: { params: { reason: 'api_key', id: keyId } },
        });
    },
  };
}

export type TenantService = ReturnType<typeof createTenantService>;
