import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChildStats, FromChild, ToChild } from './protocol.ts';

/** Parent side of a server child: started pinned to CPU 0 (when taskset exists), driven over IPC. */
const BENCH_DIR = join(import.meta.dirname, '..');

export const hasTaskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

/** Moves this process (all its threads) to `cpu`, so the load generator stays off the server's. */
export function pinSelf(cpu: number): boolean {
  if (!hasTaskset) return false;
  return (
    spawnSync('taskset', ['-a', '-cp', String(cpu), String(process.pid)], { stdio: 'ignore' })
      .status === 0
  );
}

export interface RunningChild {
  url: string;
  info: Record<string, string | number | boolean>;
  pid: number;
  stats(): Promise<ChildStats>;
  stop(): Promise<void>;
}

function next(child: ChildProcess, timeoutMs: number): Promise<FromChild> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`child ${child.pid} did not answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (m: FromChild) => done(undefined, m);
    const onExit = (code: number | null) => done(new Error(`child ${child.pid} exited (${code})`));
    function done(err: Error | undefined, m?: FromChild) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m as FromChild);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Asks an IPC child to stop and waits for it to exit; SIGKILL after `graceMs`. */
export async function stopIpcChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.send({ type: 'stop' });
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startChild(
  script: 'bare-child.ts' | 'fastify-child.ts' | 'server-child.ts',
  env: Record<string, string | undefined>,
  cpu = 0,
): Promise<RunningChild> {
  const node = [process.execPath, '--import', 'tsx', join(BENCH_DIR, script)];
  const [cmd, ...args] = hasTaskset ? ['taskset', '-c', String(cpu), ...node] : node;
  const child = spawn(cmd as string, args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const first = await next(child, 60_000);
  if (first.type === 'failed') throw new Error(`${script} failed to start: ${first.error}`);
  if (first.type !== 'ready') throw new Error(`${script}: unexpected first message ${first.type}`);
  const send = (m: ToChild) => child.send(m);
  return {
    url: first.url,
    info: first.info,
    pid: child.pid ?? -1,
    async stats() {
      const reply = next(child, 30_000);
      send({ type: 'stats' });
      const m = await reply;
      if (m.type !== 'stats') throw new Error(`${script}: expected stats, got ${m.type}`);
      return m.stats;
    },
    stop: () => stopIpcChild(child, 15_000),
  };
}
