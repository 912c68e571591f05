import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { launchBrowser } from '../support/browser.ts';
import { freePort, startCli, type Proc } from '../support/processes.ts';

/**
 * The README's "Quick start (sandbox)" commands and its "Five-minute walk-through (sandbox)",
 * taken from README.md as it is now and run with bash against `openwx serve` started the way a
 * newcomer starts it: sandbox mode, a fresh ./data, nothing configured. The webhook receiver runs
 * in the background (the reader's other terminal); the merchant's step on the authorization page
 * is done in a browser, or with the README's command-line alternative.
 */

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

interface Ports {
  openwx: number;
  receiver: number;
}

/** The only change made to the README's commands: this test's ports instead of 3000 and 9000. */
function withTestPorts(commands: string, ports: Ports): string {
  return commands
    .replace(/\b(localhost|127\.0\.0\.1):3000\b/g, `$1:${ports.openwx}`)
    .replace(/\b9000\b/g, String(ports.receiver));
}

/** The text of one `## ` section of the README, without its heading. */
function section(title: string): string {
  const heading = `\n## ${title}\n`;
  const start = README.indexOf(heading);
  assert.ok(start >= 0, `README.md has no "## ${title}" section`);
  const rest = README.slice(start + heading.length);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The ```sh blocks of a text, in order. */
function shellBlocks(text: string): string[] {
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

function walkThroughBlocks() {
  const blocks = shellBlocks(section('Five-minute walk-through (sandbox)'));
  const receiver = blocks.filter((b) => b.includes('.listen(9000)'));
  const alternative = blocks.filter((b) => b.includes('/emulator/control/authorize'));
  const steps = blocks.filter((b) => !receiver.includes(b) && !alternative.includes(b));
  assert.equal(receiver.length, 1, 'one block: the webhook receiver on port 9000');
  assert.equal(alternative.length, 1, 'one block: authorizing without a browser');
  assert.equal(steps.length, 2, 'two blocks of steps: before and after the authorization');
  return {
    receiver: receiver[0] as string,
    alternative: alternative[0] as string,
    before: steps[0] as string,
    after: steps[1] as string,
  };
}

/** Where the reader does the browser step: the script waits for a line on file descriptor 3. */
const PAUSE = 'read -r _ <&3\n';

interface Shell {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** The reader is done with the browser step: the script goes on. */
  resume(): void;
  stop(): void;
}

/** Runs a script with bash in `cwd`, as the reader's terminal there; fails at the first error. */
function bash(script: string, cwd: string, opts: { strict?: boolean } = {}): Shell {
  const child = spawn(
    'bash',
    ['-c', opts.strict === false ? script : `set -euo pipefail\n${script}`],
    {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', HOME: cwd },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    child,
    output: () => out,
    exited,
    resume: () => (child.stdio[3] as Writable).write('\n'),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(-child.pid, 'SIGTERM');
      }
    },
  };
}

/** Polls `check` until it gives a value; fails early, with the output, if a process ended. */
async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  watched: { name: string; exited: () => boolean; output: () => string }[],
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    const ended = watched.find((w) => w.exited());
    if (ended) throw new Error(`${ended.name} ended while waiting for ${what}:\n${ended.output()}`);
    if (Date.now() > until) {
      const outputs = watched.map((w) => `--- ${w.name}:\n${w.output()}`).join('\n');
      throw new Error(`timed out waiting for ${what}\n${outputs}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const watch = (name: string, p: { child: ChildProcess; output: () => string }) => ({
  name,
  exited: () => p.child.exitCode !== null || p.child.signalCode !== null,
  output: p.output,
});

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Delivered {
  event: string;
  body: {
    type: string;
    appid: string | null;
    tenant_id: string | null;
    data: Record<string, unknown>;
  };
}

/** What the README's receiver printed: one `<event> <JSON body>` line per delivery. */
function deliveries(output: string): Delivered[] {
  return output
    .split('\n')
    .filter((line) => /^\w+ \{/.test(line))
    .map((line) => {
      const at = line.indexOf(' ');
      return {
        event: line.slice(0, at),
        body: JSON.parse(line.slice(at + 1)) as Delivered['body'],
      };
    });
}

describe('README: the sandbox quick start and five-minute walk-through, run as written', () => {
  const home = mkdtempSync(join(tmpdir(), 'openwx-readme-'));
  let ports: Ports;
  let openwx: Proc;

  before(async () => {
    ports = { openwx: await freePort(), receiver: 0 };
    // `npm start` in a fresh checkout: sandbox mode, its data in ./data.
    openwx = startCli(['serve'], {
      OPENWX_DATA_DIR: join(home, 'data'),
      PORT: String(ports.openwx),
      HOST: '127.0.0.1',
    });
    const server = watch('openwx', openwx);
    await waitFor(
      'the start-up lines',
      () => (/admin token\s+\w+/.test(openwx.output()) ? true : undefined),
      [server],
      90_000,
    );
    // The reader reads on once the ticket has come and the component token is there.
    const { adminToken } = JSON.parse(readFileSync(join(home, 'data', 'sandbox.json'), 'utf8')) as {
      adminToken: string;
    };
    await waitFor(
      'the component token',
      async () => {
        const res = await fetch(`http://127.0.0.1:${ports.openwx}/api/tokens/component`, {
          headers: { authorization: `Bearer ${adminToken}` },
        });
        return res.status === 200 ? true : undefined;
      },
      [server],
    );
  });

  after(async () => {
    await openwx?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('Quick start: the "Try it" commands answer what the README says', async () => {
    const blocks = shellBlocks(section('Quick start (sandbox)'));
    assert.equal(blocks.length, 1, 'one sh block: the "Try it" commands');
    const shell = bash(withTestPorts(blocks[0] as string, ports), home);
    const code = await shell.exited;
    const out = shell.output();
    assert.equal(code, 0, `the commands failed:\n${out}`);
    assert.match(out, /"mode":"sandbox"/);
    assert.match(out, /"access_token":"\w+/);
    assert.match(out, /"type":"component_verify_ticket"/);
    assert.match(out, /"calls":\{"\/cgi-bin\/component\/api_component_token":\d+/);
    assert.match(out, /\{"status":200,"body":"success","ok":true\}/);
  });

  /**
   * Runs the walk-through: the receiver in the background, the steps up to the authorization
   * link, the merchant's authorization (`authorize`), then — once the receiver has printed the
   * `authorized` event, as the README says — the remaining steps. Returns what the reader saw.
   */
  async function walkThrough(authorize: {
    extraBlock?: string;
    inBrowser?: (startUrl: string) => Promise<void>;
  }) {
    const w = walkThroughBlocks();
    const p = { ...ports, receiver: await freePort() };
    const receiver = bash(withTestPorts(w.receiver, p), home, { strict: false });
    let shell: Shell | undefined;
    try {
      const rx = watch('the webhook receiver', receiver);
      await waitFor(
        'the receiver to listen',
        async () => (await accepting(p.receiver)) || undefined,
        [rx],
      );

      const script = [w.before, authorize.extraBlock ?? '', PAUSE, w.after]
        .map((b) => withTestPorts(b, p))
        .join('\n');
      shell = bash(script, home);
      const sh = watch('the walk-through', shell);
      const startUrl = await waitFor(
        'the start URL',
        () =>
          new RegExp(`^http://localhost:${p.openwx}/authorize/[A-Za-z0-9]+$`, 'm').exec(
            shell?.output() ?? '',
          )?.[0],
        [sh],
      );
      await authorize.inBrowser?.(startUrl);

      const authorized = await waitFor(
        'the receiver to print an authorized event',
        () => deliveries(receiver.output()).find((d) => d.event === 'authorized'),
        [rx, sh],
      );
      shell.resume();
      const code = await shell.exited;
      const out = shell.output();
      assert.equal(code, 0, `the walk-through failed:\n${out}`);
      const message = await waitFor(
        'the receiver to print the user message',
        () => deliveries(receiver.output()).find((d) => d.event === 'text'),
        [rx],
      );
      return { out, startUrl, authorized, message, delivered: deliveries(receiver.output()) };
    } finally {
      shell?.stop();
      receiver.stop();
      await receiver.exited;
    }
  }

  /** What every run of the walk-through shows, whichever way the merchant authorized. */
  function checkWalkThrough(run: Awaited<ReturnType<typeof walkThrough>>, nickname: string) {
    const { out } = run;
    assert.doesNotMatch(out, /curl: \(\d+\)/, 'every call answers 2xx');
    assert.match(out, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/hook$`, 'm'), 'the webhook');
    const tk = /^tenant ([0-9a-f-]{36}), key (owx_\S+)$/m.exec(out);
    assert.ok(tk, `the tenant and its key are printed:\n${out}`);
    const tenant = tk[1] as string;
    const listed = new RegExp(`^${nickname}  (wx[0-9a-zA-Z]{16})  tenant ${tenant}$`, 'm').exec(
      out,
    );
    assert.ok(listed, `the authorizer is listed with its tenant:\n${out}`);
    const appid = listed[1] as string;
    assert.match(out, /^\{"access_token":"\w+","expires_at":"[^"]+"\}$/m, "the tenant's token");
    assert.match(out, /^true$/m, 'the message is pushed');

    assert.equal(run.authorized.body.appid, appid);
    assert.equal(run.authorized.body.tenant_id, tenant);
    assert.equal(run.message.body.appid, appid);
    assert.equal(run.message.body.tenant_id, tenant);
    assert.equal(run.message.body.data['Content'], 'hello');
    const order = run.delivered.map((d) => d.event);
    assert.ok(order.indexOf('authorized') < order.indexOf('text'), order.join(', '));
    return { appid, tenant };
  }

  test('walk-through: the merchant picks an account on the authorization page in a browser', async () => {
    const b = await launchBrowser(import.meta.filename);
    let shownAppid: string | undefined;
    try {
      const run = await walkThrough({
        inBrowser: async (startUrl) => {
          const { page } = b;
          await page.goto(startUrl);
          await page.getByRole('link', { name: /Authorize \(PC\)/ }).click();
          await page.getByLabel(/Demo OA/).check();
          await b.shot('authorization-page');
          await page.getByRole('button', { name: /确认授权/ }).click();
          await page.getByRole('heading', { name: /授权成功 Authorization complete/ }).waitFor();
          shownAppid = /Account (wx[0-9a-zA-Z]{16})/.exec(await page.innerText('body'))?.[1];
          await b.shot('authorization-complete');
        },
      });
      const { appid } = checkWalkThrough(run, '演示公众号 Demo OA');
      assert.equal(shownAppid, appid, 'the browser showed the account the walk-through lists');
    } finally {
      await b.close();
    }
  });

  test('walk-through: the emulator plays the merchant (no browser)', async () => {
    const w = walkThroughBlocks();
    const run = await walkThrough({ extraBlock: w.alternative });
    assert.match(run.out, /^authorized$/m, 'the emulator answers the authorization');
    checkWalkThrough(run, '演示小程序 Demo MP');
  });
});
