import { ConfigError, loadConfig, loadEmulatorConfig } from '../config/config.ts';
import { errorMessage } from '../core/errors.ts';
import { packageVersion } from '../core/package-info.ts';
import { parseCommandLine, UsageError, type FlagValues } from '../cli/commands.ts';
import { startupBanner } from '../cli/serve.ts';
import { emulatorFlags } from '../cli/emulator.ts';
import { sandboxAction } from '../cli/sandbox.ts';

/**
 * The `openwx` command: serve (default), emulator, migrate, doctor, sandbox, help. Owns signals and exit
 * codes: 0 done, 1 a configuration or runtime error (one line), 2 a mistake on the command line
 * (the line and the usage). The server, the emulator and the database are imported only by the
 * commands that use them, so --help and --version answer at once.
 */
function print(lines: string[]): void {
  for (const line of lines) process.stdout.write(`${line}\n`);
}

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
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
  const { createOpenwx } = await import('./create.ts');
  // The sandbox's emulator keeps its world beside openwx's data, so that a restart keeps both.
  const { emulatorStateFile } = await import('../services/sandbox/service.ts');
  const openwx = await createOpenwx(
    config,
    config.embeddedEmulator ? { emulatorStateFile: emulatorStateFile(config.dataDir) } : {},
  );
  const url = await openwx.listen();
  print(startupBanner(config, url));
  onSignals(() => openwx.stop());
}

async function emulator(values: FlagValues): Promise<void> {
  const flags = emulatorFlags(values);
  const config = loadEmulatorConfig();
  const { startEmulatorServer } = await import('../emulator/server.ts');
  const server = await startEmulatorServer({
    host: flags.host,
    port: flags.port,
    pushTo: flags.pushTo,
    component: config.component,
    ticketIntervalMs: flags.ticketIntervalSeconds * 1000,
    firstTicketDelayMs: Math.min(flags.ticketIntervalSeconds * 1000, 2000),
    tokenTtlSeconds: flags.tokenTtlSeconds,
    ...(flags.stateFile ? { stateFile: flags.stateFile } : {}),
    ...(config.authDomain ? { authDomain: config.authDomain } : {}),
  });
  print([
    `WeChat emulator on ${server.url} for component ${config.component.appid}; pushing to ${flags.pushTo.join(', ')}`,
    `  control API: ${server.url}/control/stats`,
    flags.stateFile
      ? `  world kept in ${flags.stateFile}${server.emulator.restored ? ' (restored)' : ' (new)'}`
      : '  world kept in memory only (--state FILE keeps it across restarts)',
  ]);
  onSignals(() => server.close());
}

async function doctor(): Promise<void> {
  const config = loadConfig();
  const { doctorReport, runDoctor } = await import('../cli/doctor.ts');
  const checks = await runDoctor(config);
  print(doctorReport(config, checks));
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}

async function migrateCommand(): Promise<void> {
  const config = loadConfig();
  const { runMigrate } = await import('../cli/migrate.ts');
  print([await runMigrate(config)]);
}

async function sandbox(args: readonly string[]): Promise<void> {
  sandboxAction(args);
  const config = loadConfig();
  const { runSandboxReset } = await import('../cli/sandbox-reset.ts');
  print(await runSandboxReset(config));
}

async function main(argv: string[]): Promise<void> {
  const invocation = parseCommandLine(argv);
  switch (invocation.kind) {
    case 'version':
      return print([packageVersion()]);
    case 'help':
      return print([invocation.text]);
    case 'run':
      switch (invocation.command) {
        case 'serve':
          return serve();
        case 'emulator':
          return emulator(invocation.values);
        case 'migrate':
          return migrateCommand();
        case 'doctor':
          return doctor();
        case 'sandbox':
          return sandbox(invocation.args ?? []);
      }
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) fail(`openwx: ${err.message}\n\n${err.usage}`, 2);
  if (err instanceof ConfigError) fail(`config error: ${err.message}`);
  fail(`openwx: ${errorMessage(err)}`);
});
