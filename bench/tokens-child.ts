import { createOpenwx } from '../src/app/create.ts';
import { loadConfig } from '../src/config/config.ts';
import type { Transport } from '../src/wechat/client.ts';

/**
 * One openwx instance of the token bench, in its own process, built as `serve` builds it from
 * the environment the bench sets (live mode, DATABASE_URL, the emulator as WeChat), with its
 * periodic work every BENCH_SCHEDULER_MS. Over IPC it says when it listens and, every second,
 * how many api_authorizer_token calls it made and how many WeChat answered with a token.
 */
let calls = 0;
let ok = 0;
const transport: Transport = async (url, init) => {
  const res = await fetch(url, init as RequestInit);
  const counted = url.includes('/cgi-bin/component/api_authorizer_token');
  if (counted) calls++;
  const text = await res.text();
  if (counted && text.includes('"authorizer_access_token"')) ok++;
  return { status: res.status, text: async () => text };
};

const send = (m: unknown) => process.send?.(m);

try {
  const config = loadConfig(process.env);
  const openwx = await createOpenwx(config, {
    transport,
    schedulerMs: Number(process.env['BENCH_SCHEDULER_MS'] ?? 10_000),
  });
  const url = await openwx.listen();
  await openwx.whenReady();
  const report = setInterval(() => send({ type: 'count', calls, ok }), 1000);
  process.on('message', (m: { type?: string }) => {
    if (m.type !== 'stop') return;
    clearInterval(report);
    send({ type: 'count', calls, ok });
    void openwx.stop().finally(() => process.exit(0));
  });
  send({ type: 'ready', url });
} catch (err) {
  send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
}
