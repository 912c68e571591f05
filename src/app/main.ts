import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, loadEmulatorConfig } from '../config/config.ts';
import { errorMessage } from '../core/errors.ts';
import { openPglite, postgresDb } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { startEmulatorServer } from '../emulator/server.ts';
import { startupBanner } from '../cli/serve.ts';
import { consoleValues, runDoctor } from '../cli/doctor.ts';
import { createOpenwx } from './create.ts';
import { join } from 'node:path';

/** The `openwx` command: serve (default), emulator, migrate, doctor. Owns signals and exit codes. */
const USAGE = `usage: openwx [serve|emulator|migrate|doctor] [options]
  serve                 run the server (default); configured by environment variables (see README)
  emulator              run the WeChat emulator alone
      --port N          port (default 4000)
      --host H          host (default 127.0.0.1)
      --push-to URL     openwx base URL to push to; repeat or comma-separate for several instances
      --ticket-interval S   seconds between component_verify_ticket pushes (default 600)
  migrate               apply database migrations and exit
  doctor                check configuration, database and WeChat reachability; print console values`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function onSignals(stop: () => Promise<void>): void {
  let count = 0;
  const handler = (signal: string) => {
    count++;
    if (count > 1) process.exit(130);
    process.stderr.write(
      `${signal} received: finishing in-flight work (send again to exit at once)\n`,
    );
    stop().then(
      () => process.exit(0),
      (err: unknown) => fail(`shutdown failed: ${errorMessage(err)}`),
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

async function serve(): Promise<void> {
  const config = loadConfig();
  const openwx = await createOpenwx(config);
  const url = await openwx.listen();
  for (const line of startupBanner(config, url)) process.stdout.write(`${line}\n`);
  onSignals(() => openwx.stop());
}

async function emulator(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '4000' },
      host: { type: 'string', default: '127.0.0.1' },
      'push-to': { type: 'string', multiple: true },
      'ticket-interval': { type: 'string', default: '600' },
      'token-ttl': { type: 'string', default: '7200' },
    },
  });
  const pushTo = (values['push-to'] ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (pushTo.length === 0)
    fail('emulator: --push-to is required (the base URL of openwx, e.g. http://127.0.0.1:3000)');
  for (const u of pushTo)
    if (!/^https?:\/\/[^/]+/.test(u))
      fail(`emulator: --push-to "${u}" must be an http(s) base URL`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail('emulator: --port must be a number from 0 to 65535');
  const interval = Number(values['ticket-interval']);
  if (!Number.isFinite(interval) || interval < 0)
    fail('emulator: --ticket-interval must be a number of seconds (0 = only on demand)');
  const config = loadEmulatorConfig();
  const server = await startEmulatorServer({
    host: values.host,
    port,
    pushTo,
    component: config.component,
    ticketIntervalMs: interval * 1000,
    firstTicketDelayMs: Math.min(interval * 1000, 2000),
    tokenTtlSeconds: Number(values['token-ttl']),
    ...(config.authDomain ? { authDomain: config.authDomain } : {}),
  });
  process.stdout.write(
    `WeChat emulator on ${server.url} for component ${config.component.appid}; pushing to ${pushTo.join(', ')}\n` +
      `  control API: ${server.url}/control/stats\n`,
  );
  onSignals(() => server.close());
}

async function migrateOnly(): Promise<void> {
  const config = loadConfig();
  const db = config.databaseUrl
    ? postgresDb(config.databaseUrl, 1)
    : await openPglite(join(config.dataDir, 'pglite'));
  const applied = await migrate(db);
  await db.close();
  process.stdout.write(
    applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
  );
}

async function doctor(): Promise<void> {
  const config = loadConfig();
  const checks = await runDoctor(config);
  for (const c of checks)
    process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
  process.stdout.write(
    '\nEnter these in the WeChat Open Platform console (第三方平台 → 开发配置):\n',
  );
  for (const [k, v] of consoleValues(config)) process.stdout.write(`  ${k}\n      ${v}\n`);
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}

async function main(argv: string[]): Promise<void> {
  const [command = 'serve', ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve();
    case 'emulator':
      return emulator(rest);
    case 'migrate':
      return migrateOnly();
    case 'doctor':
      return doctor();
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      fail(`unknown command "${command}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) fail(`config error: ${err.message}`);
  fail(`openwx: ${errorMessage(err)}`);
});
