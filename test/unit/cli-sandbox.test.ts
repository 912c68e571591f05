import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseCommandLine, UsageError } from '../../src/cli/commands.ts';
import { emulatorFlags } from '../../src/cli/emulator.ts';
import { sandboxAction } from '../../src/cli/sandbox.ts';

describe('openwx sandbox and openwx emulator --state', () => {
  it('parses "sandbox reset" and refuses anything else with the usage', () => {
    const run = parseCommandLine(['sandbox', 'reset']);
    assert.equal(run.kind, 'run');
    assert.equal(run.kind === 'run' && run.command, 'sandbox');
    assert.deepEqual(run.kind === 'run' && run.args, ['reset']);
    assert.equal(sandboxAction(['reset']), 'reset');
    for (const [args, text] of [
      [[], /say what to do/],
      [['wipe'], /unknown action "wipe"/],
      [['reset', 'now'], /unexpected argument "now"/],
    ] as const)
      assert.throws(
        () => sandboxAction(args),
        (err: unknown) =>
          err instanceof UsageError &&
          text.test(err.message) &&
          /openwx sandbox reset/.test(err.usage),
      );
  });

  it('--state names the file the emulator keeps its world in (absolute); without it, none', () => {
    const values = (argv: string[]) => {
      const r = parseCommandLine(['emulator', '--push-to', 'http://127.0.0.1:3000', ...argv]);
      return r.kind === 'run' ? r.values : {};
    };
    assert.equal(emulatorFlags(values(['--state', 'world.json'])).stateFile, resolve('world.json'));
    assert.equal('stateFile' in emulatorFlags(values([])), false);
    assert.throws(() => emulatorFlags(values(['--state', ' '])), /--state needs a file name/);
  });
});
