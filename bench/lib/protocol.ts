import { performance } from 'node:perf_hooks';

/** What a server child and the bench parent say to each other over the IPC channel. */
export interface RowCounts {
  auth: number;
  message: number;
  tickets: number;
}

export interface ChildStats {
  /** process.cpuUsage() of the child, µs. */
  cpuUs: number;
  /** Cumulative event-loop idle and active time, ms. */
  loopIdleMs: number;
  loopActiveMs: number;
  rows?: RowCounts;
}

export type ToChild = { type: 'stats' } | { type: 'stop' };

export type FromChild =
  | { type: 'ready'; url: string; info: Record<string, string | number | boolean> }
  | { type: 'stats'; stats: ChildStats }
  | { type: 'failed'; error: string };

export interface ChildServer {
  url: string;
  info?: Record<string, string | number | boolean>;
  rows?: () => Promise<RowCounts>;
  stop(): Promise<void>;
}

function send(msg: FromChild): void {
  if (!process.send) throw new Error('bench children must be started with an IPC channel');
  process.send(msg);
}

/** The child side: start the server, announce its URL, answer stats, stop on request. */
export async function runChild(start: () => Promise<ChildServer>): Promise<void> {
  let server: ChildServer;
  try {
    server = await start();
  } catch (err) {
    send({
      type: 'failed',
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    process.exit(1);
  }
  const stopAndExit = () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('disconnect', stopAndExit);
  process.on('message', (raw: ToChild) => {
    if (raw.type === 'stop') return stopAndExit();
    void (async () => {
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization();
      const stats: ChildStats = {
        cpuUs: cpu.user + cpu.system,
        loopIdleMs: elu.idle,
        loopActiveMs: elu.active,
      };
      if (server.rows) stats.rows = await server.rows();
      send({ type: 'stats', stats });
    })();
  });
  send({ type: 'ready', url: server.url, info: server.info ?? {} });
}
