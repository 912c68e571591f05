import type { Queryable } from '../db.ts';

export interface TenantRow {
  id: string;
  name: string;
  ext: Record<string, unknown>;
  /** May the tenant upgrade its own mini programs (null: the server's default). */
  self_upgrade: boolean | null;
  /** May the tenant's keys fetch raw authorizer tokens (GET /api/tenant/tokens/:appid). */
  token_access: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface TenantKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export function createTenantQueries(db: Queryable) {
  return {
    async insert(t: {
      id: string;
      name: string;
      ext: Record<string, unknown>;
      at: Date;
    }): Promise<TenantRow> {
      const res = await db.query<TenantRow>(
        'INSERT INTO tenants (id, name, ext, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING *',
        [t.id, t.name, t.ext, t.at],
      );
      return res.rows[0] as TenantRow;
    },

    async update(
      id: string,
      patch: {
        name?: string;
        ext?: Record<string, unknown>;
        self_upgrade?: boolean | null;
        token_access?: boolean;
      },
      at: Date,
    ): Promise<TenantRow | undefined> {
      const res = await db.query<TenantRow>(
        `UPDATE tenants SET name = COALESCE($2, name), ext = COALESCE($3, ext), updated_at = $4,
           self_upgrade = CASE WHEN $5 THEN $6::boolean ELSE self_upgrade END,
           token_access = COALESCE($7, token_access)
         WHERE id = $1 RETURNING *`,
        [
          id,
          patch.name ?? null,
          patch.ext ?? null,
          at,
          patch.self_upgrade !== undefined,
          patch.self_upgrade ?? null,
          patch.token_access ?? null,
        ],
      );
      return res.rows[0];
    },

    async findById(id: string): Promise<TenantRow | undefined> {
      const res = await db.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [id]);
      return res.rows[0];
    },

    async list(f: {
      q?: string;
      limit: number;
      offset: number;
    }): Promise<{ items: TenantRow[]; total: number }> {
      const where = `WHERE ($1::text IS NULL OR name ILIKE '%' || $1 || '%' OR id = $1)`;
      const res = await db.query<TenantRow>(
        `SELECT * FROM tenants ${where} ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
        [f.q ?? null, f.limit, f.offset],
      );
      const count = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tenants ${where}`,
        [f.q ?? null],
      );
      return { items: res.rows, total: count.rows[0]?.n ?? 0 };
    },

    async appidsOf(tenantId: string): Promise<string[]> {
      const res = await db.query<{ appid: string }>(
        'SELECT appid FROM authorizers WHERE tenant_id = $1 ORDER BY appid',
        [tenantId],
      );
      return res.rows.map((r) => r.appid);
    },

    async insertKey(k: {
      id: string;
      tenantId: string;
      name: string;
      keyHash: string;
      prefix: string;
      at: Date;
    }): Promise<void> {
      await db.query(
        'INSERT INTO tenant_keys (id, tenant_id, name, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [k.id, k.tenantId, k.name, k.keyHash, k.prefix, k.at],
      );
    },

    async listKeys(tenantId: string): Promise<TenantKeyRow[]> {
      const res = await db.query<TenantKeyRow>(
        'SELECT id, tenant_id, name, prefix, created_at, revoked_at, last_used_at FROM tenant_keys WHERE tenant_id = $1 ORDER BY created_at',
        [tenantId],
      );
      return res.rows;
    },

    async revokeKey(tenantId: string, keyId: string, at: Date): Promise<boolean> {
      const res = await db.query(
        'UPDATE tenant_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE tenant_id = $1 AND id = $2',
        [tenantId, keyId, at],
      );
      return res.rowCount > 0;
    },

    /** The tenant of a live (not revoked) key, by the key's hash. */
    async findTenantByKeyHash(
      keyHash: string,
      at: Date,
    ): Promise<{ tenantId: string; keyId: string } | undefined> {
      const res = await db.query<{ tenant_id: string; id: string }>(
        'UPDATE tenant_keys SET last_used_at = $2 WHERE key_hash = $1 AND revoked_at IS NULL RETURNING tenant_id, id',
        [keyHash, at],
      );
      const row = res.rows[0];
      return row ? { tenantId: row.tenant_id, keyId: row.id } : undefined;
    },
  };
}
