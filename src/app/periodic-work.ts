import type { Logger as PinoLogger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Db } from '../store/db.ts';
import { createLockQueries } from '../store/queries/locks.ts';
import { RETENTION_EVERY_MS } from '../services/retention/task.ts';

/**
 * The periodic work of an instance: revive a silent ticket push, refresh tokens that are due,
 * compare with WeChat's list of authorizers (one instance every 6 hours), check the mini programs
 * whose drift check is due (each claimed by one instance, every 6 hours per mini program), poll
 * audits in flight (one instance every OPENWX_AUDIT_POLL_SECONDS), give running rollouts their
 * jobs, count the authorizer tokens by health for the metrics, and delete rows past their
 * retention (one instance every 10 minutes). Each task's failure is logged and does not stop
 * the others.
 */
export interface PeriodicWorkDeps {
  db: Db;
  clock: Clock;
  log: PinoLogger;
  /** This instance, for the leases that say whose turn a shared task is. */
  holderId: string;
  auditPollSeconds: number;
  tasks: {
    restartTicketPushIfLate(): Promise<unknown>;
    refreshDueTokens(): Promise<unknown>;
    reconcileAuthorizers(): Promise<unknown>;
    checkDrift(): Promise<unknown>;
    pollAudits(): Promise<{ polled: number }>;
    ensureRolloutWorkers(): Promise<unknown>;
    /** The census behind openwx_authorizer_tokens (not run per scrape: it reads every token). */
    countTokens(): Promise<unknown>;
    /** Deletes rows past their retention (services/retention); one instance every 10 minutes. */
    pruneExpired?(): Promise<unknown>;
  };
}

export function createPeriodicWork(deps: PeriodicWorkDeps) {
  const { clock, log, holderId, tasks } = deps;
  const locks = createLockQueries(deps.db);
  /** Whether this instance does the periodic task `name` now (one instance per `everyMs`). */
  const myTurn = (name: string, everyMs: number) => {
    const t = clock.now();
    return locks.tryAcquire(name, `${holderId}:${t}`, new Date(t), new Date(t + everyMs));
  };
  /** Runs one task; its failure is logged and does not stop the others. */
  const attempt = (failed: string, task: () => Promise<unknown>) =>
    task().then(
      () => undefined,
      (err: unknown) => log.warn({ err }, failed),
    );
  /** Audits whose result never arrived as a push (also asked once at start-up). */
  const pollAudits = async () => {
    const res = await tasks.pollAudits();
    if (res.polled > 0) log.info(res, 'audits in flight polled');
  };
  const sixHours = 6 * 3600_000;

  return {
    attempt,
    pollAudits: () => attempt('audit poll at start-up failed', pollAudits),
    countTokens: () => attempt('authorizer token census failed', tasks.countTokens),
    async maintain(): Promise<void> {
      await attempt('api_start_push_ticket failed', tasks.restartTicketPushIfLate);
      // Runs until nothing is due (long after a mass expiry): the other tasks do not wait for it.
      const refreshing = attempt('scheduled token refresh failed', tasks.refreshDueTokens);
      await attempt('reconcile failed', async () => {
        if (await myTurn('reconcile', sixHours)) await tasks.reconcileAuthorizers();
      });
      // Claimed per mini program: every instance takes its share of the due checks.
      await attempt('drift check failed', tasks.checkDrift);
      await attempt('audit poll failed', async () => {
        if (await myTurn('audit_poll', deps.auditPollSeconds * 1000)) await pollAudits();
      });
      await attempt('rollout job check failed', tasks.ensureRolloutWorkers);
      await attempt('authorizer token census failed', tasks.countTokens);
      const prune = tasks.pruneExpired;
      if (prune)
        await attempt('retention failed', async () => {
          if (await myTurn('retention', RETENTION_EVERY_MS)) await prune();
        });
      await refreshing;
    },
  };
}
