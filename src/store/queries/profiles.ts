import type { Queryable } from '../db.ts';

/** The rows of profiles (desired configuration of mini programs) and their tenant assignment. */
export interface ProfileRow<Spec> {
  id: string;
  name: string;
  spec: Spec;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

const FOR_TENANT = `SELECT p.* FROM profiles p
  WHERE p.id = (SELECT profile_id FROM tenant_profiles WHERE tenant_id = $1)
     OR (p.is_default AND NOT EXISTS (SELECT 1 FROM tenant_profiles WHERE tenant_id = $1))`;

export function createProfileQueries<Spec>(db: Queryable) {
  type Row = ProfileRow<Spec>;
  return {
    async find(id: string): Promise<Row | undefined> {
      return (await db.query<Row>('SELECT * FROM profiles WHERE id = $1', [id])).rows[0];
    },
    async nameTakenByOther(name: string, id: string): Promise<boolean> {
      const res = await db.query('SELECT 1 FROM profiles WHERE name = $1 AND id <> $2', [name, id]);
      return res.rows.length > 0;
    },
    async count(): Promise<number> {
      return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM profiles')).rows[0]!.n;
    },
    async list(): Promise<Row[]> {
      return (await db.query<Row>('SELECT * FROM profiles ORDER BY created_at, id')).rows;
    },
    async assignments(): Promise<Array<{ tenant_id: string; profile_id: string }>> {
      const res = await db.query<{ tenant_id: string; profile_id: string }>(
        'SELECT tenant_id, profile_id FROM tenant_profiles ORDER BY tenant_id',
      );
      return res.rows;
    },
    /** Writes the profile; with makeDefault, the one default moves to it in the same transaction. */
    async save(row: Row, makeDefault: boolean, now: Date, tx: Queryable = db): Promise<void> {
      if (makeDefault) await tx.query('UPDATE profiles SET is_default = false WHERE is_default');
      await tx.query(
        `INSERT INTO profiles (id, name, spec, is_default, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, spec = EXCLUDED.spec,
           is_default = EXCLUDED.is_default, updated_at = EXCLUDED.updated_at`,
        [row.id, row.name, JSON.stringify(row.spec), row.is_default, row.created_at, now],
      );
    },
    async remove(id: string): Promise<void> {
      await db.query('DELETE FROM profiles WHERE id = $1', [id]);
    },
    async tenantExists(tenantId: string): Promise<boolean> {
      return (await db.query('SELECT 1 FROM tenants WHERE id = $1', [tenantId])).rows.length > 0;
    },
    async assign(tenantId: string, profileId: string | null): Promise<void> {
      if (profileId === null) {
        await db.query('DELETE FROM tenant_profiles WHERE tenant_id = $1', [tenantId]);
        return;
      }
      await db.query(
        `INSERT INTO tenant_profiles (tenant_id, profile_id) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET profile_id = EXCLUDED.profile_id`,
        [tenantId, profileId],
      );
    },
    /** The tenant's profile, else the default. */
    async forTenant(tenantId: string | null): Promise<Row | undefined> {
      return (await db.query<Row>(FOR_TENANT, [tenantId ?? ''])).rows[0];
    },
    /** The profile of the mini program's tenant, else the default (also for an unknown appid). */
    async forAuthorizer(appid: string): Promise<Row | undefined> {
      const res = await db.query<Row>(
        `WITH a AS (SELECT coalesce((SELECT tenant_id FROM authorizers WHERE appid = $1), '') AS t)
         SELECT p.* FROM profiles p, a
         WHERE p.id = (SELECT profile_id FROM tenant_profiles WHERE tenant_id = a.t)
            OR (p.is_default AND NOT EXISTS (SELECT 1 FROM tenant_profiles WHERE tenant_id = a.t))`,
        [appid],
      );
      return res.rows[0];
    },
  };
}
