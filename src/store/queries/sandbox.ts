import type { Db } from '../db.ts';

/**
 * The sandbox's reset: every table of openwx's schema is emptied (identities restarted) but the
 * migrations, the operators' accounts and sessions, the sign-in record and the audit trail, so
 * that whoever asked for the reset stays signed in and the trail says who did it. Tables added
 * by later migrations are emptied too: the list is read from the catalogue, not kept here.
 */
export const KEPT_TABLES: readonly string[] = [
  'schema_migrations',
  'operators',
  'operator_sessions',
  'sign_in_attempts',
  'audit_log',
];

/**
 * Rows a migration put in place that the code relies on, put back after the tables are emptied:
 * the webhook dispatcher's cursor (migration 0004), at 0 since the event ids start over.
 */
const SEEDED_ROWS: readonly string[] = [
  'INSERT INTO webhook_dispatch (id, last_event_id) VALUES (1, 0) ON CONFLICT (id) DO NOTHING',
];

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function createSandboxQueries(db: Db) {
  return {
    /** Empties the tables of openwx's data, in one transaction; returns their names. */
    async clearData(): Promise<string[]> {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<{ tablename: string }>(
          `SELECT tablename FROM pg_tables
            WHERE schemaname = current_schema() AND NOT (tablename = ANY($1::text[]))
            ORDER BY tablename`,
          [KEPT_TABLES],
        );
        const names = rows.map((r) => r.tablename);
        if (names.length > 0)
          await tx.query(`TRUNCATE ${names.map(quoteIdent).join(', ')} RESTART IDENTITY`);
        for (const sql of SEEDED_ROWS) await tx.query(sql);
        return names;
      });
    },
  };
}
