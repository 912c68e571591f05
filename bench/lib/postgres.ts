import pg from 'pg';

/**
 * The bench's own PostgreSQL database: created fresh for the run, dropped afterwards. Only
 * 127.0.0.1 is ever contacted.
 */
export const ADMIN_URL =
  process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  name: string;
  url: string;
  /** Server settings that decide what a commit costs. */
  settings: Record<string, string>;
  /** Pids of the backends connected to the bench database. */
  backendPids(): Promise<number[]>;
  drop(): Promise<void>;
}

function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') {
    throw new Error(`the bench only talks to 127.0.0.1, not ${host}`);
  }
}

/** Creates `openwx_bench_<pid>`; returns the reason, as a string, when PostgreSQL is not there. */
export async function createBenchDatabase(): Promise<BenchDatabase | string> {
  assertLocal(ADMIN_URL);
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    return `PostgreSQL not reachable at ${ADMIN_URL.replace(/\/\/[^@/]*@/, '//***@')}: ${err instanceof Error ? err.message : String(err)}`;
  }
  admin.on('error', () => {});
  const name = `openwx_bench_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const res = await admin.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings
     WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers', 'max_connections')`,
  );
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    settings: Object.fromEntries(res.rows.map((r) => [r.name, r.setting])),
    async backendPids() {
      const r = await admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      return r.rows.map((row) => row.pid);
    },
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await admin.end().catch(() => {});
    },
  };
}
