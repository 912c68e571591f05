import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { commandOf, envOf, optionsOf, parseDockerfile, type Instruction } from './dockerfile.ts';

/**
 * Runs a Dockerfile's stages on this machine, without a container daemon: each stage's file
 * system is a directory (`/x` in the stage is `<root>/x`), RUN steps run in /bin/sh in the mapped
 * WORKDIR with the stage's ENV (absolute paths mapped the same way), as the stage's USER (by
 * dropping privileges when this runs as root), COPY reads the build context through
 * .dockerignore or, with --from, an earlier stage. A cache mount on npm's cache directory is this
 * machine's npm cache, so installs work offline after an earlier `npm install`.
 */
export interface User {
  uid: number;
  gid: number;
}

export interface Image {
  /** The stage's WORKDIR on this machine. */
  workdir: string;
  /** The stage's ENV, paths mapped. */
  env: Record<string, string>;
  user?: User;
  cmd: string[];
  healthcheck?: { cmd: string[]; timeoutMs: number };
  /** VOLUME paths on this machine. */
  volumes: string[];
  expose: number[];
}

export interface RecipeOptions {
  dockerfile: string;
  /** The build context (a clean copy of the repository). */
  context: string;
  /** An empty directory for the stages' file systems. */
  work: string;
  /** This machine's npm cache (`npm config get cache`). */
  npmCache: string;
  /** Added to every RUN step's environment (e.g. npm_config_prefer_offline). */
  runEnv?: Record<string, string>;
  log?: (line: string) => void;
}

const isRoot = process.getuid?.() === 0;

/** PATH with the node running this first (so `node` and `npm` are the same everywhere). */
function basePath(): string {
  return [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
}

/** The command line that runs `argv` as `user` (unchanged when this does not run as root). */
export function asUser(user: User | undefined, argv: string[]): string[] {
  if (!user || !isRoot) return argv;
  return ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', ...argv];
}

/** .dockerignore patterns as one test: a path is excluded when it or a parent directory matches. */
export function dockerignore(text: string): (path: string) => boolean {
  const res = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((p) => {
      if (p.startsWith('!')) throw new Error(`.dockerignore: exceptions (${p}) are not supported`);
      const body = p
        .replace(/^\/+|\/+$/g, '')
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) => {
          if (part === '**' || part === '**/') return '(?:.*/)?';
          if (part === '*') return '[^/]*';
          if (part === '?') return '[^/]';
          return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
        })
        .join('');
      return new RegExp(`^${body}$`);
    });
  return (path) => {
    const parts = path.split('/');
    return parts.some((_, i) => {
      const prefix = parts.slice(0, i + 1).join('/');
      return res.some((re) => re.test(prefix));
    });
  };
}

export function buildRecipe(opts: RecipeOptions): Image {
  const stages = parseDockerfile(opts.dockerfile);
  const ignored = dockerignore(
    existsSync(join(opts.context, '.dockerignore'))
      ? readFileSync(join(opts.context, '.dockerignore'), 'utf8')
      : '',
  );
  const roots = new Map<string, string>();
  const log = opts.log ?? (() => {});
  let image: Image | undefined;

  stages.forEach((stage, index) => {
    const root = join(opts.work, `stage-${index}`);
    mkdirSync(root, { recursive: true, mode: 0o755 });
    chmodSync(root, 0o755);
    if (stage.name) roots.set(stage.name, root);
    let workdir = '/';
    const env: Record<string, string> = { HOME: '/root' };
    let user: User | undefined;
    const volumes: string[] = [];
    const expose: number[] = [];
    let cmd: string[] | undefined;
    let healthcheck: Image['healthcheck'];

    const inStage = (p: string, base = root) => join(base, p);
    const host = (p: string) => (isAbsolute(p) ? inStage(p) : join(inStage(workdir), p));
    const hostEnv = () =>
      Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, v.startsWith('/') ? inStage(v) : v]),
      );
    const where = (i: Instruction) => `Dockerfile line ${i.line} (${i.keyword} ${i.args})`;

    for (const i of stage.instructions) {
      switch (i.keyword) {
        case 'WORKDIR':
          workdir = isAbsolute(i.args) ? i.args : join(workdir, i.args);
          mkdirSync(host(workdir), { recursive: true, mode: 0o755 });
          break;
        case 'ENV':
          for (const [k, v] of envOf(i.args)) env[k] = v;
          break;
        case 'USER': {
          const m = /^(\d+):(\d+)$/.exec(i.args);
          if (!m) throw new Error(`${where(i)}: only a numeric uid:gid is supported`);
          user = { uid: Number(m[1]), gid: Number(m[2]) };
          break;
        }
        case 'COPY': {
          const { options, rest } = optionsOf(i.args);
          const unknown = Object.keys(options).filter((k) => k !== 'from');
          if (unknown.length) throw new Error(`${where(i)}: unsupported --${unknown.join(', --')}`);
          const args = rest.split(/\s+/);
          const dest = args.pop() as string;
          const from = options['from'];
          const fromRoot = from === undefined ? undefined : roots.get(from);
          if (from !== undefined && !fromRoot) throw new Error(`${where(i)}: no stage ${from}`);
          if (args.length > 1 && !dest.endsWith('/'))
            throw new Error(`${where(i)}: several sources need a destination ending in /`);
          for (const src of args) {
            const source = fromRoot ? inStage(src, fromRoot) : join(opts.context, src);
            if (!fromRoot && ignored(src)) throw new Error(`${where(i)}: ${src} is ignored`);
            if (lstatSync(source).isDirectory()) {
              // A directory's contents go into the destination directory.
              cpSync(source, host(dest), {
                recursive: true,
                filter: (p) => fromRoot !== undefined || !ignored(relativeTo(opts.context, p)),
              });
              continue;
            }
            const intoDir = dest.endsWith('/') || dest === '.' || isDir(host(dest));
            const file = intoDir ? join(host(dest), baseName(src)) : host(dest);
            mkdirSync(dirname(file), { recursive: true });
            cpSync(source, file);
          }
          break;
        }
        case 'RUN': {
          const { options, rest } = optionsOf(i.args);
          const runEnv: Record<string, string> = {
            PATH: basePath(),
            ...hostEnv(),
            ...opts.runEnv,
          };
          for (const [k, v] of Object.entries(options)) {
            const mount = /^type=cache,target=(\S+)$/.exec(v);
            if (k !== 'mount' || !mount || !(mount[1] as string).endsWith('/.npm'))
              throw new Error(`${where(i)}: only --mount=type=cache,target=…/.npm is supported`);
            runEnv['npm_config_cache'] = opts.npmCache;
          }
          mkdirSync(runEnv['HOME'] as string, { recursive: true });
          if (!isRoot) runEnv['PATH'] = `${noChown(opts.work)}:${runEnv['PATH']}`;
          const started = Date.now();
          const argv = asUser(user, ['/bin/sh', '-c', rest]);
          const res = spawnSync(argv[0] as string, argv.slice(1), {
            cwd: host(workdir),
            env: runEnv,
            encoding: 'utf8',
            maxBuffer: 64 * 2 ** 20,
          });
          const output = `${res.stdout ?? ''}${res.stderr ?? ''}`;
          if (res.status !== 0)
            throw new Error(
              `${where(i)} failed (${res.status ?? res.signal}):\n${output.slice(-4000)}`,
            );
          log(`${((Date.now() - started) / 1000).toFixed(1)} s  RUN ${rest}`);
          break;
        }
        case 'VOLUME': {
          const paths = commandOf(i.args);
          for (const v of Array.isArray(paths) ? paths : paths.split(/\s+/)) {
            mkdirSync(host(v), { recursive: true });
            volumes.push(host(v));
          }
          break;
        }
        case 'EXPOSE':
          for (const p of i.args.split(/\s+/)) expose.push(Number(p.replace(/\/tcp$/, '')));
          break;
        case 'HEALTHCHECK': {
          const { options, rest } = optionsOf(i.args);
          const m = /^CMD\s+(.*)$/.exec(rest);
          const argv = m ? commandOf(m[1] as string) : undefined;
          if (!Array.isArray(argv)) throw new Error(`${where(i)}: expected CMD in the exec form`);
          healthcheck = { cmd: argv, timeoutMs: seconds(options['timeout'] ?? '30s') * 1000 };
          break;
        }
        case 'CMD': {
          const argv = commandOf(i.args);
          if (!Array.isArray(argv)) throw new Error(`${where(i)}: expected the exec form`);
          cmd = argv;
          break;
        }
        default:
          throw new Error(`${where(i)}: ${i.keyword} is not supported by test/deploy/recipe.ts`);
      }
    }
    if (index === stages.length - 1) {
      if (!cmd) throw new Error('the last stage has no CMD');
      image = { workdir: host(workdir), env: hostEnv(), user, cmd, healthcheck, volumes, expose };
    }
  });
  if (!image) throw new Error('the Dockerfile has no stage');
  return image;
}

/** Starts the image's CMD as its USER, with its ENV plus `env` (as `docker run -e`). */
export function startImage(image: Image, env: Record<string, string>): ChildProcess {
  const argv = asUser(image.user, image.cmd);
  return spawn(argv[0] as string, argv.slice(1), {
    cwd: image.workdir,
    env: { PATH: basePath(), ...image.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the image's HEALTHCHECK command as its USER; its exit code (0 = healthy). */
export function runHealthcheck(image: Image, env: Record<string, string>): number | null {
  if (!image.healthcheck) throw new Error('the image has no HEALTHCHECK');
  const argv = asUser(image.user, image.healthcheck.cmd);
  return spawnSync(argv[0] as string, argv.slice(1), {
    cwd: image.workdir,
    env: { PATH: basePath(), ...image.env, ...env },
    timeout: image.healthcheck.timeoutMs,
  }).status;
}

function seconds(duration: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration);
  if (!m) throw new Error(`cannot read the duration ${duration}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2] as 'ms' | 's' | 'm'];
}

function isDir(path: string): boolean {
  return existsSync(path) && lstatSync(path).isDirectory();
}

function relativeTo(root: string, path: string): string {
  return path === root ? '' : path.slice(root.length + 1);
}

function baseName(path: string): string {
  return path.split('/').filter(Boolean).at(-1) ?? path;
}

/**
 * Not root: files cannot be given away, and everything runs as this user anyway, so `chown` in
 * a RUN step is a no-op (from a directory put first on PATH).
 */
function noChown(work: string): string {
  const dir = join(work, 'no-chown');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'chown'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return dir;
}
