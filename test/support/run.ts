import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { chooseChromium, describeChromium } from './chromium.ts';
import { suitePostgres, type SuitePostgres } from './suite-postgres.ts';

/**
 * `npm run test:unit`: finds a PostgreSQL server for the run (see suite-postgres.ts), builds the
 * migrated templates (prepare.ts), then runs node's test runner over every *.test.ts file under
 * test/, and exits with its code. A server started for the run is stopped and deleted at the end,
 * also on Ctrl-C. Arguments are passed on to node --test; naming test files runs only those:
 *   npm run test:unit -- test/integration/operations.test.ts
 */
const ROOT = join(import.meta.dirname, '..', '..');
const extra = process.argv.slice(2);
const pickedFiles = extra.some((a) => !a.startsWith('-') && existsSync(a));

function allTestFiles(): string[] {
  return readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join('test', f))
    .sort();
}

/**
 * Each step runs in a process group of its own, and a signal to the runner (Ctrl-C, or a TERM to
 * this process alone) goes to the whole group: node's test runner does not pass a TERM on to the
 * test files it runs, nor they to the openwx processes they start.
 */
let interrupted: NodeJS.Signals | undefined;
let running: ReturnType<typeof spawn> | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    interrupted ??= signal;
    try {
      if (running?.pid) process.kill(-running.pid, signal);
    } catch {
      // already gone
    }
  });
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    });
    running = child;
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      running = undefined;
      resolve(code ?? signalled(signal ?? 'SIGTERM'));
    });
  });
}

const signalled = (signal: NodeJS.Signals) => 128 + constants.signals[signal];
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  say(`Browser tests use ${describeChromium(chooseChromium(process.env))}.`);
  let postgres: SuitePostgres | undefined;
  try {
    postgres = await suitePostgres(process.env);
    say(`Store tests use PostgreSQL: ${postgres.description}.`);
    const env = { ...process.env, DATABASE_URL: postgres.url };
    if (interrupted) return signalled(interrupted);
    const prepared = await run(['--import', 'tsx', 'test/support/prepare.ts'], env);
    if (prepared !== 0) return prepared;
    if (interrupted) return signalled(interrupted);
    const tested = await run(
      [
        // A file's whole run may take minutes on a busy machine (the container recipe runs npm
        // ci and a build); a hung file still ends the run.
        ...['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000'],
        ...extra,
        ...(pickedFiles ? [] : allTestFiles()),
      ],
      env,
    );
    return interrupted ? signalled(interrupted) : tested;
  } finally {
    await postgres?.release();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
