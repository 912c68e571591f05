import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import { openPglite, postgresDb } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';

/** `openwx migrate`: applies the missing migrations; returns the line to print. */
export async function runMigrate(config: Readonly<Config>): Promise<string> {
  const db = config.databaseUrl
    ? postgresDb(config.databaseUrl, 1)
    : await openPglite(join(config.dataDir, 'pglite'));
  try {
    const applied = await migrate(db);
    return applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date';
  } finally {
    await db.close();
  }
}
