import type { Queryable } from '../db.ts';

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

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function createSandboxQueries(db: Queryable) {
  return {
    /** Empties the tables of openwx's data; returns their names. */
    async clearData(): Promise<string[]> {
      const { rows } = await db.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables
          WHERE schemaname = current_schema() AND NOT (tablename = ANY($1::text[]))
          ORDER BY tablename`,
        [KEPT_TABLES],
      );
      const names = rows.map((r) => r.tablename);
      if (names.length > 0)
        await db.query(`TRUNCATE ${names.map(quoteIdent).join(', ')} RESTART IDENTITY`);
      return names;
    },
  };
}
