import { join } from 'node:path';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { createOpenwx } from '../../src/app/create.ts';
import { loadConfig } from '../../src/config/config.ts';
import { openPglite, postgresDb, type Db } from '../../src/store/db.ts';
import { profiledDb, profileTable, type QueryProfile } from './query-profile.ts';

/**
 * openwx for the rollout bench, in its own process: built as `serve` builds it from the
 * environment the bench sets (live mode, DATABASE_URL or a PGlite data dir, the emulator as
 * WeChat). Over IPC it says when it listens, sends its V8 heap in use every 200 ms, and answers
 * `profile` (its SQL statements timed, when BENCH_PROFILE=1), `profile-reset`, `heap-snapshot`
 * (written to the given file) and `stop`.
 */
type FromParent =
  | { type: 'stop' }
  | { type: 'profile'; top: number }
  | { type: 'profile-reset' }
  | { type: 'heap-snapshot'; file: string };

const send = (m: unknown) => process.send?.(m);

try {
  const config = loadConfig(process.env);
  let prof: QueryProfile | undefined;
  let db: Db | undefined;
  if (process.env['BENCH_PROFILE'] === '1') {
    // The same database openwx opens itself (a pool of 10 on PostgreSQL), its statements timed.
    const inner = config.databaseUrl
      ? postgresDb(config.databaseUrl, 10)
      : await openPglite(join(config.dataDir, 'pglite'));
    prof = profiledDb(inner);
    db = prof.db;
  }
  const openwx = await createOpenwx(config, db ? { db } : {});
  const url = await openwx.listen();
  await openwx.whenReady();
  const heap = setInterval(
    () => send({ type: 'heap', used: getHeapStatistics().used_heap_size }),
    200,
  );
  heap.unref();
  process.on('message', (m: FromParent) => {
    if (m.type === 'profile') {
      send({ type: 'profile', text: prof ? profileTable(prof, m.top) : '', top: prof?.top(30) });
    } else if (m.type === 'profile-reset') {
      prof?.reset();
      send({ type: 'profile-reset' });
    } else if (m.type === 'heap-snapshot') {
      send({ type: 'heap-snapshot', file: writeHeapSnapshot(m.file) });
    } else if (m.type === 'stop') {
      clearInterval(heap);
      void openwx.stop().finally(() => process.exit(0));
    }
  });
  send({ type: 'ready', url });
} catch (err) {
  send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
}
