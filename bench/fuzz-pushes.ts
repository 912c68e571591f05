import { parseArgs } from 'node:util';
import { num, table } from './lib/format.ts';
import { fuzzCases, type FuzzPush, type Merchant } from './lib/fuzz-cases.ts';
import { eventually, startSandbox, type Sandbox } from '../test/support/sandbox.ts';
import { authorizeMerchant } from '../test/support/flows.ts';

/**
 * `npm run fuzz:pushes -- --pushes 100000 [--seed N] [--db pglite|postgres] [--concurrency 32]`:
 * openwx in sandbox mode in this process, two emulated merchants authorized, then N pushes over
 * loopback HTTP: valid ones, WeChat's retries of them, and mutations. Checks that the process
 * never crashes, no invalid push gets a 5xx or `success`, every valid push gets `success` and is
 * stored exactly once, and no invalid push is stored. Exits 1 when a check fails.
 */
const { values } = parseArgs({
  options: {
    pushes: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    db: { type: 'string', default: 'pglite' },
    concurrency: { type: 'string', default: '32' },
  },
});
const total = Number(values.pushes);
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);
const db = values.db as 'pglite' | 'postgres';
for (const [name, v] of [
  ['--pushes', total],
  ['--seed', seed],
  ['--concurrency', concurrency],
] as const)
  if (!Number.isSafeInteger(v) || v < (name === '--seed' ? 0 : 1))
    throw new Error(`${name} must be a positive whole number`);
if (db !== 'pglite' && db !== 'postgres') throw new Error('--db must be pglite or postgres');

const say = (msg: string) => console.error(`· ${msg}`);
const crashes: string[] = [];
process.on('uncaughtException', (err) => crashes.push(`uncaughtException: ${err.stack ?? err}`));
process.on('unhandledRejection', (err) => crashes.push(`unhandledRejection: ${String(err)}`));

interface Outcome {
  push: FuzzPush;
  status: number;
  text: string;
}

type Row = { sent: number; byStatus: Map<number, number>; failures: number };

async function send(url: string, p: FuzzPush): Promise<Outcome> {
  try {
    const res = await fetch(`${url}${p.path}`, {
      method: 'POST',
      body: typeof p.body === 'string' ? p.body : new Uint8Array(p.body),
      headers: { 'content-type': p.contentType },
    });
    return { push: p, status: res.status, text: await res.text() };
  } catch (err) {
    // A connection reset for a body the server refused early is an answer, not a crash.
    return { push: p, status: 0, text: err instanceof Error ? err.message : String(err) };
  }
}

const acceptedReply = (o: Outcome) =>
  o.status === 200 && (o.text === 'success' || o.text.startsWith('<xml>'));

async function merchantsOf(sb: Sandbox): Promise<Merchant[]> {
  const out: Merchant[] = [];
  for (const nickname of ['Fuzz shop A', 'Fuzz shop B']) {
    const appid = await authorizeMerchant(sb, { type: 'officialaccount', nickname });
    // openwx fetches the account's info (its original id) after the authorization push.
    const userName = await eventually(
      async () =>
        (
          await sb.openwx.db.query<{ user_name: string | null }>(
            `SELECT info->>'user_name' AS user_name FROM authorizers WHERE appid = $1`,
            [appid],
          )
        ).rows[0]?.user_name ?? undefined,
      30_000,
      `the original id of ${appid}`,
    );
    out.push({ appid, userName });
  }
  return out;
}

async function storedMarkers(sb: Sandbox): Promise<{ markers: Map<string, number>; rows: number }> {
  const res = await sb.openwx.db.query<{ decoded: string }>(
    `SELECT decoded::text AS decoded FROM events WHERE source = 'message'`,
  );
  const markers = new Map<string, number>();
  for (const r of res.rows)
    for (const m of new Set(r.decoded.match(new RegExp(`fz${seed}x\\d+`, 'g')) ?? []))
      markers.set(m, (markers.get(m) ?? 0) + 1);
  return { markers, rows: res.rows.length };
}

async function main(): Promise<number> {
  say(`openwx sandbox on ${db}, ${total} pushes, seed ${seed}, concurrency ${concurrency}`);
  const sb = await startSandbox({ db });
  try {
    const merchants = await merchantsOf(sb);
    const before = await storedMarkers(sb);
    const c = sb.openwx.config.component;
    const cases = fuzzCases({
      token: c.token,
      aesKey: c.aesKey,
      componentAppid: c.appid,
      merchants,
      seed,
    });
    const rows = new Map<string, Row>();
    const acknowledged: FuzzPush[] = []; // valid pushes answered `success`, for retries/replays
    const mustStore = new Set<string>();
    const mustNotStore = new Set<string>();
    const problems: string[] = [];
    let fiveXx = 0;
    let invalidAccepted = 0;
    let validRefused = 0;

    const make = (i: number): FuzzPush => {
      const r = cases.rand();
      if (r < 0.3) return cases.valid(i);
      // WeChat retries within seconds: retries and replays reuse one of the last 1,000
      // acknowledged pushes, well inside the timestamp window.
      const recent = Math.min(acknowledged.length, 1000);
      const prior = acknowledged[acknowledged.length - 1 - Math.floor(cases.rand() * recent)];
      if (r < 0.4 && prior) return { ...prior, category: 'valid_retry', marker: undefined };
      if (r < 0.45 && prior) return { ...cases.replayElsewhere(prior), marker: undefined };
      if (r < 0.55) return cases.either(i);
      return cases.invalid(i);
    };
    const judge = (o: Outcome) => {
      const p = o.push;
      const row = rows.get(p.category) ?? { sent: 0, byStatus: new Map(), failures: 0 };
      rows.set(p.category, row);
      row.sent++;
      row.byStatus.set(o.status, (row.byStatus.get(o.status) ?? 0) + 1);
      const fail = (why: string) => {
        row.failures++;
        if (problems.length < 20)
          problems.push(`${p.category} ${o.status} ${why}: ${o.text.slice(0, 160)}`);
      };
      if (o.status >= 500) {
        fiveXx++;
        fail('5xx');
      }
      const accepted = acceptedReply(o);
      if (p.expect === 'valid') {
        if (!accepted) {
          validRefused++;
          fail('valid push not accepted');
        } else if (p.marker) {
          mustStore.add(p.marker);
          if (p.category !== 'valid_retry') acknowledged.push(p);
        }
      } else if (p.expect === 'invalid') {
        if (o.status === 200 || (o.status !== 0 && (o.status < 400 || o.status >= 500))) {
          if (o.status === 200) invalidAccepted++;
          if (o.status < 500) fail('invalid push not refused with a 4xx');
        }
        if (p.marker) mustNotStore.add(p.marker);
      } else if (p.marker) {
        if (accepted) mustStore.add(p.marker);
        else if (o.status >= 400 && o.status < 500) mustNotStore.add(p.marker);
        else if (o.status < 500) fail('neither accepted nor a 4xx');
      }
    };

    const started = Date.now();
    let next = 0;
    let lastSay = started;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        judge(await send(sb.url, make(i)));
        if (Date.now() - lastSay > 10_000) {
          lastSay = Date.now();
          say(`${i + 1} pushes sent (${Math.round(((i + 1) * 1000) / (lastSay - started))}/s)`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const wallMs = Date.now() - started;
    // Stored rows are written by the time `success` is answered; no wait needed.
    const after = await storedMarkers(sb);
    let lost = 0;
    let duplicates = 0;
    let storedInvalid = 0;
    for (const k of mustStore) {
      const n = after.markers.get(k) ?? 0;
      if (n === 0) lost++;
      if (n > 1) duplicates++;
    }
    for (const k of mustNotStore) if (after.markers.has(k)) storedInvalid++;
    const newRows = after.rows - before.rows;
    // Rows stored for pushes whose marker is not known (garbage plaintext, say) are invalid too.
    let explained = 0;
    for (const k of new Set([...mustStore, ...mustNotStore]))
      explained += after.markers.get(k) ?? 0;
    const unexplained = newRows - explained;
    if (unexplained > 0) storedInvalid += unexplained;

    const statuses = [...new Set([...rows.values()].flatMap((r) => [...r.byStatus.keys()]))].sort(
      (a, b) => a - b,
    );
    const body = [...rows.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, r]) => [
        name,
        num(r.sent),
        ...statuses.map((s) => (r.byStatus.get(s) ? num(r.byStatus.get(s) as number) : '')),
        String(r.failures),
      ]);
    console.log(
      `\nFuzz run: ${num(total)} pushes on ${db} (seed ${seed}, ${concurrency} concurrent), ${(wallMs / 1000).toFixed(1)} s, ${Math.round((total * 1000) / wallMs)} pushes/s\n`,
    );
    console.log(
      table(
        ['category', 'sent', ...statuses.map((s) => (s === 0 ? 'reset' : String(s))), 'failed'],
        body,
      ),
    );
    const checks: [string, number][] = [
      ['crashes (uncaught exceptions, unhandled rejections)', crashes.length],
      ['5xx answers', fiveXx],
      ['invalid pushes answered success', invalidAccepted],
      ['valid pushes not answered success', validRefused],
      ['stored invalid pushes', storedInvalid],
      ['acknowledged pushes not stored', lost],
      ['acknowledged pushes stored twice', duplicates],
    ];
    console.log(
      `\n${table(
        ['check', 'count'],
        checks.map(([n, v]) => [n, String(v)]),
      )}`,
    );
    console.log(
      `\nmessage events stored: ${num(newRows)}; distinct markers that must be stored: ${num(mustStore.size)}`,
    );
    for (const p of problems) console.log(`  ! ${p}`);
    for (const c of crashes.slice(0, 5)) console.log(`  ! ${c}`);
    const failed = checks.some(([, v]) => v > 0) || problems.length > 0;
    console.log(failed ? '\nFAIL' : '\nPASS');
    return failed ? 1 : 0;
  } finally {
    await sb.stop();
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(err);
  process.exitCode = 2;
}
