import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../support/processes.ts';
import { buildRecipe, runHealthcheck, startImage, type Image } from './recipe.ts';

/**
 * The container recipe, run: the Dockerfile's own build stage (npm ci, npm run build, npm pack)
 * in a clean copy of the repository (the files git would commit, uncommitted work included), then
 * its runtime stage (the tarball unpacked, `npm ci --omit=dev`, the data volume) and its CMD as
 * its non-root USER, until /readyz answers, the HEALTHCHECK passes and the console is served;
 * SIGTERM must end it cleanly. Offline after an earlier `npm install` (npm's cache is used).
 * Where a container daemon answers, `docker build` and `docker run` of the same context too.
 */
const REPO = join(import.meta.dirname, '..', '..');
const DOCKERFILE = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const LOCK = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean }>;
};

/** The files git would commit (tracked and untracked, not ignored), copied to `dest`. */
function cleanCopy(dest: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '-co', '--exclude-standard'], {
    cwd: REPO,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = join(REPO, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    cpSync(from, join(dest, file));
  }
}

function npmCache(): string {
  return execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
}

/** First 200 from /readyz (or /healthz on a server without /readyz); the path that answered. */
async function waitReady(base: string, child: ChildProcess, output: () => string) {
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`openwx exited early:\n${output()}`);
    for (const path of ['/readyz', '/healthz']) {
      const res = await fetch(base + path).catch(() => undefined);
      if (res?.status === 200) return path;
      if (res?.status !== 404) break;
    }
    if (Date.now() > until) throw new Error(`openwx did not become ready:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The console's page and the script it loads. */
async function assertConsole(base: string): Promise<void> {
  const page = await fetch(`${base}/console`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  const html = await page.text();
  const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, `the console page loads no script:\n${html}`);
  const js = await fetch(base + script);
  assert.equal(js.status, 200, script);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function timer(t: TestContext) {
  const started = Date.now();
  let last = started;
  return (what: string) => {
    t.diagnostic(`${((Date.now() - last) / 1000).toFixed(1)} s  ${what}`);
    last = Date.now();
    return (Date.now() - started) / 1000;
  };
}

// Runs `npm ci` twice and a full build: minutes on a busy machine, more than the suite's default.
test(
  'the Dockerfile recipe builds, installs only the locked run-time packages and serves as a non-root user',
  { timeout: 900_000 },
  async (t) => {
    const work = mkdtempSync(join(tmpdir(), 'openwx-container-'));
    chmodSync(work, 0o755); // the runtime user must reach the stages under it
    const lap = timer(t);
    let child: ChildProcess | undefined;
    try {
      const context = join(work, 'context');
      cleanCopy(context);
      lap('clean copy of the repository');
      const image: Image = buildRecipe({
        dockerfile: DOCKERFILE,
        context,
        work,
        npmCache: npmCache(),
        runEnv: { npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
        log: (line) => t.diagnostic(line),
      });
      lap('build and runtime stages');

      // What the runtime stage holds: the package (no sources), its locked run-time packages only.
      const app = image.workdir;
      assert.ok(existsSync(join(app, 'dist', 'server', 'app', 'main.js')));
      assert.ok(existsSync(join(app, 'dist', 'console', 'index.html')));
      for (const source of ['src', 'test', 'web', 'bench', 'tsconfig.json'])
        assert.ok(!existsSync(join(app, source)), `${source} is not in the package`);
      const installed = JSON.parse(
        readFileSync(join(app, 'node_modules', '.package-lock.json'), 'utf8'),
      ) as typeof LOCK;
      const paths = Object.keys(installed.packages);
      assert.ok(paths.includes('node_modules/fastify'));
      for (const path of paths) {
        const locked = LOCK.packages[path];
        assert.ok(locked, `${path} is installed but not in package-lock.json`);
        assert.equal(installed.packages[path]?.version, locked.version, path);
        assert.ok(!locked.dev, `${path} is a devDependency`);
      }

      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = { PORT: String(port), HOST: '127.0.0.1' };
      child = startImage(image, env);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      const readyPath = await waitReady(base, child, () => out);
      lap(`ready (${readyPath})`);
      assert.match(out, /sandbox mode/);

      assert.equal(runHealthcheck(image, env), 0, `the HEALTHCHECK fails:\n${out.slice(-2000)}`);
      await assertConsole(base);
      assert.equal((await fetch(`${base}/emulator/control/stats`)).status, 200);

      child.kill('SIGTERM');
      assert.deepEqual(await exited(child), { code: 0, signal: null }, out.slice(-2000));
      lap('stopped by SIGTERM');

      // The data landed in the volume, written by the runtime user.
      const data = image.env['OPENWX_DATA_DIR'] as string;
      assert.ok(image.volumes.includes(data), 'OPENWX_DATA_DIR is a VOLUME');
      const secrets = join(data, 'sandbox.json');
      assert.ok(existsSync(secrets), 'sandbox secrets are in the data volume');
      assert.ok(image.user && image.user.uid !== 0, 'the image runs as a non-root USER');
      if (process.getuid?.() === 0) assert.equal(statSync(secrets).uid, image.user.uid);
      t.diagnostic(`total ${lap('checks').toFixed(1)} s`);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(work, { recursive: true, force: true });
    }
  },
);

function dockerUnavailable(): string | false {
  const res = spawnSync('docker', ['info'], { encoding: 'utf8', timeout: 20_000 });
  if (res.status === 0) return false;
  return `no container daemon (docker info: ${(res.stderr || res.error?.message || '').trim().split('\n')[0]})`;
}

/**
 * The image itself, where a container daemon answers: built from the same context, healthy, serving
 * the console as a non-root user, stopped cleanly. Without a daemon the recipe test above has
 * already run the Dockerfile's own commands; this part is then reported, not skipped silently.
 */
test('where a container daemon answers, docker build and docker run of the same context', async (t) => {
  const unavailable = dockerUnavailable();
  if (unavailable) {
    t.diagnostic(`docker build not run: ${unavailable}`);
    return;
  }
  await dockerBuildAndRun(t);
});

async function dockerBuildAndRun(t: TestContext): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'openwx-docker-'));
  const tag = `openwx-test:${process.pid}`;
  const name = `openwx-test-${process.pid}`;
  const docker = (...args: string[]) =>
    execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }).trim();
  const lap = timer(t);
  try {
    cleanCopy(work);
    docker('build', '--quiet', '--tag', tag, work);
    lap('docker build');
    docker('run', '--detach', '--name', name, '--publish', '127.0.0.1::3000', tag);
    const port = docker('port', name, '3000/tcp').split('\n')[0]?.split(':').at(-1);
    const base = `http://127.0.0.1:${port}`;
    const until = Date.now() + 120_000;
    for (;;) {
      const health = docker('inspect', '--format', '{{.State.Health.Status}}', name);
      if (health === 'healthy') break;
      if (health === 'unhealthy' || Date.now() > until)
        throw new Error(`container is ${health}:\n${docker('logs', name)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    lap('healthy');
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    await assertConsole(base);
    assert.equal(
      docker('exec', name, 'id', '-u'),
      docker('exec', name, 'stat', '-c', '%u', '/data'),
    );
    assert.notEqual(docker('exec', name, 'id', '-u'), '0');
    docker('stop', '--time', '30', name);
    assert.equal(docker('inspect', '--format', '{{.State.ExitCode}}', name), '0');
    lap('stopped');
  } finally {
    spawnSync('docker', ['rm', '--force', name]);
    spawnSync('docker', ['rmi', '--force', tag]);
    rmSync(work, { recursive: true, force: true });
  }
}
