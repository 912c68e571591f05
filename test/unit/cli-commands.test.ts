import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  COMMANDS,
  commandUsage,
  mainUsage,
  parseCommandLine,
  UsageError,
} from '../../src/cli/commands.ts';
import { emulatorFlags } from '../../src/cli/emulator.ts';

/** The command line of `openwx` (src/cli/commands.ts): what each spelling asks for. */

const NAMES = Object.keys(COMMANDS) as (keyof typeof COMMANDS)[];

function usageError(argv: string[], message: RegExp): UsageError {
  let caught: unknown;
  try {
    parseCommandLine(argv);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof UsageError, `${argv.join(' ')}: expected a usage error`);
  assert.match(caught.message, message);
  return caught;
}

describe('openwx command line', () => {
  it('runs serve without a command', () => {
    assert.deepEqual(parseCommandLine([]), { kind: 'run', command: 'serve', values: {} });
  });

  it('-v and --version ask for the version', () => {
    assert.deepEqual(parseCommandLine(['-v']), { kind: 'version' });
    assert.deepEqual(parseCommandLine(['--version']), { kind: 'version' });
    usageError(['--version', 'now'], /unexpected argument "now" after --version/);
  });

  it('every command answers --help, -h and help <command> with its own usage', () => {
    for (const name of NAMES) {
      const usage = commandUsage(name);
      assert.match(usage, new RegExp(`^usage: openwx ${name}`));
      for (const argv of [
        [name, '--help'],
        [name, '-h'],
        ['help', name],
      ])
        assert.deepEqual(parseCommandLine(argv), { kind: 'help', text: usage }, argv.join(' '));
    }
    assert.match(commandUsage('emulator'), /--push-to URL[^]*--ticket-interval S[^]*--token-ttl S/);
  });

  it('--help, -h and help alone show every command', () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = parseCommandLine(argv);
      assert.equal(r.kind, 'help');
      assert.equal(r.kind === 'help' && r.text, mainUsage());
    }
    for (const name of NAMES) assert.match(mainUsage(), new RegExp(`\\n  ${name} +\\S`));
  });

  it('refuses unknown flags, commands and arguments, with the usage to show', () => {
    const flag = usageError(['migrate', '--force'], /^migrate: unknown option --force$/);
    assert.equal(flag.usage, commandUsage('migrate'));
    usageError(['serve', '-x'], /^serve: unknown option -x$/);
    usageError(['doctor', 'now'], /^doctor: unexpected argument "now"$/);
    usageError(['emulator', '--port'], /^emulator: option --port needs a value$/);
    usageError(['migrate', '--help=yes'], /^migrate: option --help takes no value$/);
    const command = usageError(['deploy'], /^unknown command "deploy"$/);
    assert.equal(command.usage, mainUsage());
    usageError(['--port', '3000'], /^unknown option --port$/);
    usageError(['help', 'deploy'], /^unknown command "deploy"$/);
    usageError(['help', 'serve', 'now'], /^help: unexpected argument "now"$/);
  });

  it('hands the emulator its flags, checked', () => {
    const run = parseCommandLine([
      'emulator',
      '--push-to',
      'http://127.0.0.1:3000,http://127.0.0.1:3001',
      '--push-to',
      'http://127.0.0.1:3002',
      '--port',
      '4100',
      '--ticket-interval',
      '0',
    ]);
    assert.equal(run.kind === 'run' && run.command, 'emulator');
    const flags = emulatorFlags(run.kind === 'run' ? run.values : {});
    assert.deepEqual(flags, {
      host: '127.0.0.1',
      port: 4100,
      pushTo: ['http://127.0.0.1:3000', 'http://127.0.0.1:3001', 'http://127.0.0.1:3002'],
      ticketIntervalSeconds: 0,
      tokenTtlSeconds: 7200,
    });
    const values = (argv: string[]) => {
      const r = parseCommandLine(['emulator', ...argv]);
      return r.kind === 'run' ? r.values : {};
    };
    assert.throws(() => emulatorFlags(values([])), /--push-to is required/);
    assert.throws(
      () => emulatorFlags(values(['--push-to', '127.0.0.1:3000'])),
      /--push-to "127.0.0.1:3000" must be an http\(s\) base URL/,
    );
    assert.throws(
      () => emulatorFlags(values(['--push-to', 'http://127.0.0.1:3000', '--port', '70000'])),
      (err: unknown) =>
        err instanceof UsageError &&
        /--port must be a whole number from 0 to 65535/.test(err.message),
    );
    assert.throws(
      () =>
        emulatorFlags(values(['--push-to', 'http://127.0.0.1:3000', '--ticket-interval', 'soon'])),
      /--ticket-interval must be a whole number/,
    );
  });
});
