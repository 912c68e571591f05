import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/**
 * Which Chromium the console's browser tests drive: Debian's /usr/bin/chromium when installed (or
 * the path in OPENWX_TEST_CHROMIUM), otherwise the build packaged in the npm package
 * @sparticuz/chromium, unpacked once per machine into the temporary directory. Nothing is
 * downloaded.
 */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Our flags, for either build: headless, no sandbox, no GPU, no traffic of its own. */
export const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/**
 * Flags of the packaged build's own list (`chromium.args`) that we leave out, by switch name:
 * - --single-process, --no-zygote: a work-around for AWS Lambda's sandbox; in one process a
 *   renderer crash takes the whole browser down;
 * - --headless: Playwright passes its own; this one's value arrives with literal quotes;
 * - --disable-features, --enable-features: the last one given wins, so they would replace
 *   Playwright's lists (which keep the browser from calling Google services at start-up);
 * - --disable-web-security, --allow-running-insecure-content, --disable-site-isolation-trials:
 *   the console is tested under the browser's usual same-origin and mixed-content rules;
 * - --use-gl, --use-angle, --enable-unsafe-swiftshader: software WebGL; we run with no GPU.
 */
const LEFT_OUT = new Set([
  '--single-process',
  '--no-zygote',
  '--headless',
  '--disable-features',
  '--enable-features',
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--disable-site-isolation-trials',
  '--use-gl',
  '--use-angle',
  '--enable-unsafe-swiftshader',
]);

export type ChromiumChoice = { kind: 'system'; path: string } | { kind: 'bundled' };

const switchName = (arg: string) => arg.split('=')[0] ?? arg;

/** Reads OPENWX_TEST_CHROMIUM: unset for the default, "bundled", or the path of a binary. */
export function chooseChromium(
  env: NodeJS.ProcessEnv,
  exists: (path: string) => boolean = existsSync,
): ChromiumChoice {
  const wanted = env['OPENWX_TEST_CHROMIUM'];
  if (wanted === 'bundled') return { kind: 'bundled' };
  if (wanted) {
    if (!exists(wanted)) {
      throw new Error(
        `OPENWX_TEST_CHROMIUM is "${wanted}", which does not exist: give the path of a Chromium ` +
          'binary, "bundled" for the one in the npm package @sparticuz/chromium, or leave it unset.',
      );
    }
    return { kind: 'system', path: wanted };
  }
  return exists(SYSTEM_CHROMIUM) ? { kind: 'system', path: SYSTEM_CHROMIUM } : { kind: 'bundled' };
}

export function describeChromium(choice: ChromiumChoice): string {
  return choice.kind === 'system'
    ? `Chromium at ${choice.path}`
    : 'the Chromium of the npm package @sparticuz/chromium';
}

/** The packaged build's flags that suit a test browser, merged with ours (ours win). */
export function bundledArgs(packaged: readonly string[]): string[] {
  const ours = new Set(FLAGS.map(switchName));
  const kept = packaged.filter((a) => !LEFT_OUT.has(switchName(a)) && !ours.has(switchName(a)));
  return [...FLAGS, ...kept];
}

export interface ChromiumLaunch {
  executablePath: string;
  args: string[];
  /** Environment for the browser process; undefined: ours. */
  env?: NodeJS.ProcessEnv;
}

export async function chromiumLaunch(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChromiumLaunch> {
  const choice = chooseChromium(env);
  if (choice.kind === 'system') return { executablePath: choice.path, args: FLAGS };
  const { default: chromium } = await import('@sparticuz/chromium');
  const unpacked = await unpackBundled(() => chromium.executablePath());
  const extra: NodeJS.ProcessEnv = {};
  // Without the machine's libnss3 (a bare container), the libraries packaged alongside.
  if (unpacked.libs) extra['LD_LIBRARY_PATH'] = unpacked.libs;
  // Without the machine's fontconfig set-up, the fonts packaged alongside (no CJK among them).
  if (!env['FONTCONFIG_PATH'] && !existsSync('/etc/fonts/fonts.conf')) {
    extra['FONTCONFIG_PATH'] = join(tmpdir(), 'fonts');
  }
  return {
    executablePath: unpacked.path,
    args: bundledArgs(chromium.args),
    env: Object.keys(extra).length ? { ...env, ...extra } : undefined,
  };
}

interface Unpacked {
  path: string;
  /** A directory for LD_LIBRARY_PATH when the binary needs the packaged libraries. */
  libs?: string;
}

const packageDir = () =>
  dirname(dirname(fileURLToPath(import.meta.resolve('@sparticuz/chromium'))));
const packageVersion = () =>
  (JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8')) as { version: string })
    .version;

/**
 * The library unpacks into <tmpdir>/chromium (plus fonts and GL libraries beside it) and takes any
 * file already there as done. A marker naming the version says an unpacking finished; a lock file
 * keeps test files starting together from unpacking over each other.
 */
async function unpackBundled(unpack: () => Promise<string>): Promise<Unpacked> {
  const marker = join(tmpdir(), 'chromium.openwx-ready');
  const version = packageVersion();
  const ready = (): Unpacked | undefined => {
    try {
      const m = JSON.parse(readFileSync(marker, 'utf8')) as Unpacked & { version: string };
      return m.version === version && existsSync(m.path) ? m : undefined;
    } catch {
      return undefined;
    }
  };
  const done = ready();
  if (done) return done;
  const release = await lock(join(tmpdir(), 'chromium.openwx-lock'));
  try {
    const again = ready();
    if (again) return again;
    // Whatever is there is unfinished or of another version.
    rmSync(marker, { force: true });
    for (const p of ['chromium', 'fonts', 'al2023']) {
      rmSync(join(tmpdir(), p), { recursive: true, force: true });
    }
    const path = await unpack();
    const result: Unpacked = { path };
    if (!runs(path)) {
      const { inflate } = await import('@sparticuz/chromium');
      const libs = join(await inflate(join(packageDir(), 'bin', 'al2023.tar.br')), 'lib');
      const check = spawnSync(path, ['--version'], {
        env: { ...process.env, LD_LIBRARY_PATH: libs },
        encoding: 'utf8',
      });
      if (check.status !== 0) {
        throw new Error(
          `The Chromium of @sparticuz/chromium at ${path} does not start, even with its own ` +
            `libraries: ${check.stderr || check.error?.message}. Install Debian's chromium, or ` +
            'set OPENWX_TEST_CHROMIUM to the path of a Chromium binary.',
        );
      }
      result.libs = libs;
    }
    writeFileSync(marker, JSON.stringify({ ...result, version }));
    return result;
  } finally {
    release();
  }
}

function runs(path: string): boolean {
  return spawnSync(path, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** An exclusive lock file holding the owner's pid; a dead owner's lock is taken over. */
async function lock(file: string): Promise<() => void> {
  for (let waited = 0; ; waited += 100) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (stale(file)) {
      rmSync(file, { force: true });
      continue;
    }
    if (waited > 120_000) {
      throw new Error(`Chromium is still being unpacked after 2 minutes (lock ${file}).`);
    }
    await sleep(100);
  }
}

function stale(file: string): boolean {
  try {
    const owner = Number(readFileSync(file, 'utf8'));
    // A lock without a pid is one whose owner died between creating and writing it.
    if (!owner) return Date.now() - statSync(file).mtimeMs > 10_000;
    return !alive(owner);
  } catch {
    return false; // released meanwhile
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
