import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { newId } from '../../core/random.ts';
import type { Db } from '../../store/db.ts';
import { checkSpec, type PlatformDomains, type ProfileSpec } from './spec.ts';

/** Configuration profiles: the desired state of mini programs, one default, others per tenant. */
export interface Profile extends ProfileSpec {
  id: string;
  name: string;
  default: boolean;
  created_at: string;
  updated_at: string;
}

export interface ProfileInput extends ProfileSpec {
  name?: string;
  default?: boolean;
}

interface Row {
  id: string;
  name: string;
  spec: ProfileSpec;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

const SPEC_KEYS = [
  'server_domains',
  'webview_domains',
  'categories',
  'privacy',
  'basic_info',
] as const;

function view(r: Row): Profile {
  return {
    id: r.id,
    name: r.name,
    default: r.is_default,
    ...r.spec,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

function specOf(input: ProfileSpec): ProfileSpec {
  const out: ProfileSpec = {};
  for (const k of SPEC_KEYS) if (input[k] !== undefined) Object.assign(out, { [k]: input[k] });
  return out;
}

export type ProfileService = ReturnType<typeof createProfileService>;

export function createProfileService(deps: { db: Db; clock: Clock; platform: PlatformDomains }) {
  const { db, clock } = deps;
  const now = () => new Date(clock.now());

  async function find(id: string): Promise<Row> {
    const res = await db.query<Row>('SELECT * FROM profiles WHERE id = $1', [id]);
    const row = res.rows[0];
    if (!row) throw new AppError('not_found', `profile ${id} not found`);
    return row;
  }

  async function save(row: Row, makeDefault: boolean): Promise<Profile> {
    checkSpec(row.spec, deps.platform);
    const clash = await db.query<{ id: string }>(
      'SELECT id FROM profiles WHERE name = $1 AND id <> $2',
      [row.name, row.id],
    );
    if (clash.rows[0]) {
      throw new AppError('conflict', `a profile named ${row.name} exists`, {
        details: { field: 'name' },
      });
    }
    await db.transaction(async (tx) => {
      if (makeDefault) await tx.query('UPDATE profiles SET is_default = false WHERE is_default');
      await tx.query(
        `INSERT INTO profiles (id, name, spec, is_default, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, spec = EXCLUDED.spec,
           is_default = EXCLUDED.is_default, updated_at = EXCLUDED.updated_at`,
        [row.id, row.name, JSON.stringify(row.spec), row.is_default, row.created_at, now()],
      );
    });
    return view(await find(row.id));
  }

  return {
    async create(input: ProfileInput): Promise<Profile> {
      if (!input.name) {
        throw new AppError('bad_request', 'name is required', { details: { field: 'name' } });
      }
      const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM profiles');
      const isDefault = input.default === true || (count.rows[0]?.n ?? 0) === 0;
      const row: Row = {
        id: `prof_${newId().replaceAll('-', '').slice(0, 16)}`,
        name: input.name,
        spec: specOf(input),
        is_default: isDefault,
        created_at: now(),
        updated_at: now(),
      };
      return save(row, isDefault);
    },
    /** Every profile with the tenants given it (the default also serves every other tenant). */
    async list(): Promise<Array<Profile & { tenant_ids: string[] }>> {
      const res = await db.query<Row>('SELECT * FROM profiles ORDER BY created_at, id');
      const given = await db.query<{ tenant_id: string; profile_id: string }>(
        'SELECT tenant_id, profile_id FROM tenant_profiles ORDER BY tenant_id',
      );
      return res.rows.map((r) => ({
        ...view(r),
        tenant_ids: given.rows.filter((g) => g.profile_id === r.id).map((g) => g.tenant_id),
      }));
    },
    async get(id: string): Promise<Profile> {
      return view(await find(id));
    },
    async update(id: string, input: ProfileInput): Promise<Profile> {
      const row = await find(id);
      const next: Row = {
        ...row,
        name: input.name ?? row.name,
        spec: { ...row.spec, ...specOf(input) },
        is_default: input.default === true ? true : row.is_default,
      };
      return save(next, input.default === true && !row.is_default);
    },
    async remove(id: string): Promise<void> {
      const row = await find(id);
      if (row.is_default) {
        throw new AppError(
          'conflict',
          'the default profile cannot be deleted; choose another first',
        );
      }
      await db.query('DELETE FROM profiles WHERE id = $1', [id]);
    },
    async setDefault(id: string): Promise<Profile> {
      const row = await find(id);
      return save({ ...row, is_default: true }, true);
    },
    async assignToTenant(tenantId: string, profileId: string | null): Promise<void> {
      const t = await db.query('SELECT 1 FROM tenants WHERE id = $1', [tenantId]);
      if (!t.rows[0]) throw new AppError('not_found', `tenant ${tenantId} not found`);
      if (profileId === null) {
        await db.query('DELETE FROM tenant_profiles WHERE tenant_id = $1', [tenantId]);
        return;
      }
      await find(profileId);
      await db.query(
        `INSERT INTO tenant_profiles (tenant_id, profile_id) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET profile_id = EXCLUDED.profile_id`,
        [tenantId, profileId],
      );
    },
    /** The tenant's profile, else the default; undefined when there is none. */
    async forTenant(tenantId: string | null): Promise<Profile | undefined> {
      const res = await db.query<Row>(
        `SELECT p.* FROM profiles p
         WHERE p.id = (SELECT profile_id FROM tenant_profiles WHERE tenant_id = $1)
            OR (p.is_default AND NOT EXISTS (SELECT 1 FROM tenant_profiles WHERE tenant_id = $1))`,
        [tenantId ?? ''],
      );
      const row = res.rows[0];
      return row ? view(row) : undefined;
    },
  };
}
