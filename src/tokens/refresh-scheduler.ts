import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/metrics.ts';
import type { createLockQueries } from '../store/queries/locks.ts';
import type { ClaimedToken, createTokenQueries } from '../store/queries/tokens.ts';
import { CLAIM_LEASE_MS, runPool } from './refresh-policy.ts';

/**
 * The scheduled refreshes of authorizer tokens and jsapi_tickets, shared by every instance on
 * one database: an instance claims the earliest due rows a few at a time (their refresh time
 * moves CLAIM_LEASE_MS ahead, FOR UPDATE SKIP LOCKED while claiming, so two instances never
 * claim the same row), refreshes them `concurrency` at a time and claims more until nothing is
 * due. A refresh saves the next refresh time (spread with jitter), a failure pushes it out
 * (backoff), so failing rows never sit in front of healthy ones. A claim whose instance died is
 * due again after the lease. The per-token lease lock that on-demand refreshes take is taken
 * here too, so a scheduled and an on-demand refresh of one token never both call WeChat.
 */
export interface RefreshSchedulerDeps<T> {
  tokens: ReturnType<typeof createTokenQueries>;
  locks: ReturnType<typeof createLockQueries>;
  clock: Clock;
  holder: string;
  log: Logger;
  concurrency: number;
  lockLeaseMs: number;
  /** This process's refreshes in flight, by key (on-demand ones included). */
  inflight: Map<string, Promise<T>>;
  /** The valid token stored under `key`, if any. */
  read(key: string): Promise<T | undefined>;
  /** Calls WeChat and saves the result; counts and reports a failure, then throws it. */
  obtain(row: ClaimedToken): Promise<T>;
}

export type RefreshOutcome = 'refreshed' | 'failed' | 'skipped';

export function createRefreshScheduler<T>(deps: RefreshSchedulerDeps<T>) {
  const { tokens, locks, clock, holder, log, inflight } = deps;
  const batch = Math.max(2, deps.concurrency * 2);
  let running: Promise<{ refreshed: number; failed: number }> | undefined;
  let stopped = false;

  async function settle(p: Promise<unknown>): Promise<RefreshOutcome> {
    try {
      await p;
      return 'refreshed';
    } catch {
      return 'failed';
    }
  }

  /** Refreshes one claimed row unless someone else already is (then the claim lease retries it). */
  async function refreshClaimed(row: ClaimedToken): Promise<RefreshOutcome> {
    const pending = inflight.get(row.key);
    if (pending) return settle(pending);
    const at = clock.now();
    const acquired = await locks.tryAcquire(
      row.key,
      holder,
      new Date(at),
      new Date(at + deps.lockLeaseMs),
    );
    if (!acquired) return 'skipped';
    const again = inflight.get(row.key);
    if (again) return settle(again);
    const work = (async (): Promise<T> => {
      try {
        // Replaced since the claim (an on-demand refresh that has just finished; its save set
        // the next refresh time): nothing to do.
        const current = await tokens.findByKey(row.key);
        const seen = row.expires_at?.getTime() ?? 0;
        if (current?.expires_at && current.expires_at.getTime() > seen) {
          const valid = await deps.read(row.key);
          if (valid !== undefined) return valid;
        }
        return await deps.obtain(row);
      } finally {
        await locks.release(row.key, holder).catch(() => {});
      }
    })();
    const tracked = work.finally(() => inflight.delete(row.key));
    inflight.set(row.key, tracked);
    return settle(tracked);
  }

  async function drainOnce(): Promise<{ refreshed: number; failed: number }> {
    const queue: ClaimedToken[] = [];
    let claiming: Promise<void> | undefined;
    let exhausted = false;
    const next = async (): Promise<ClaimedToken | undefined> => {
      if (stopped) return undefined;
      while (queue.length === 0 && !exhausted && !stopped) {
        claiming ??= (async () => {
          const at = clock.now();
          const rows = await tokens.claimDue(new Date(at), new Date(at + CLAIM_LEASE_MS), batch);
          queue.push(...rows);
          if (rows.length < batch) exhausted = true;
        })().finally(() => (claiming = undefined));
        await claiming;
      }
      return queue.shift();
    };
    const counts = { refreshed: 0, failed: 0, skipped: 0 };
    await runPool(next, deps.concurrency, async (row) => {
      const outcome = await refreshClaimed(row).catch((err: unknown) => {
        log.warn({ key: row.key, err }, 'scheduled token refresh failed');
        return 'failed' as const;
      });
      counts[outcome]++;
    });
    if (counts.refreshed + counts.failed + counts.skipped > 0) {
      log.info(counts, 'scheduled token refreshes done');
    }
    return { refreshed: counts.refreshed, failed: counts.failed };
  }

  return {
    /** Refreshes every due row; a call while one runs in this process returns zero counts. */
    drain(): Promise<{ refreshed: number; failed: number }> {
      if (running || stopped) return Promise.resolve({ refreshed: 0, failed: 0 });
      running = drainOnce().finally(() => (running = undefined));
      return running;
    },

    /** Claims nothing more (shutdown); refreshes in flight finish. Resolves when they did. */
    async stop(): Promise<void> {
      stopped = true;
      await running?.catch(() => undefined);
    },
  };
}
