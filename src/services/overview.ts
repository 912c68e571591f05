import type { Clock } from '../core/clock.ts';
import type { Db } from '../store/db.ts';
import { createOverviewQueries } from '../store/queries/overview.ts';
import { createStatsQueries } from '../store/queries/stats.ts';
import { readMaintainedCounts } from './stats/service.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { TokenService } from '../tokens/token-service.ts';

/**
 * The console's overview: the platform's health in numbers, each with the list it comes from,
 * and warnings in plain words. `GET /api/admin/overview` answers it.
 */
export interface OverviewWarning {
  /** Stable code the console translates (`no_ticket`, `ticket_late`, ...). */
  code: string;
  /** The warning in plain English, for logs and API callers. */
  message: string;
  /** Numbers the console puts into its translation (minutes, counts). */
  params: Record<string, number>;
}

export interface Overview {
  mode: 'sandbox' | 'live';
  componentAppid: string;
  ticket: { receivedAt: string | null; ageSeconds: number | null };
  componentToken: { expiresAt: string | null; expiresInSeconds: number | null };
  /** needsAttention: authorized ones whose token refreshes stopped (authorization gone). */
  authorizers: { authorized: number; revoked: number; total: number; needsAttention: number };
  tokenFailures: {
    total: number;
    items: {
      kind: string;
      appid: string;
      failures: number;
      lastError: string | null;
      lastErrorAt: string | null;
    }[];
  };
  webhooks: { backlog: number; dead: number; oldestPendingAt: string | null };
  audits: {
    inFlight: number;
    items: { appid: string; state: 'submitted' | 'audit_delayed'; since: string }[];
  };
  jobs: Record<string, number>;
  /** Fleet rollouts by status (only the ones still open). */
  rollouts: { running: number; paused: number; halted: number };
  /** The platform's monthly audit quota; null when it could not be read (no mini program yet). */
  auditQuota: { rest: number; limit: number } | null;
  warnings: OverviewWarning[];
}

/** A ticket older than this means WeChat no longer reaches the authorization event URL. */
const TICKET_LATE_SECONDS = 25 * 60;
/** A webhook delivery waiting longer than this is reported as a stuck backlog. */
const WEBHOOK_STUCK_MS = 15 * 60_000;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function createOverviewService(deps: {
  db: Db;
  clock: Clock;
  tokens: TokenService;
  jobs: JobQueue;
  mode: 'sandbox' | 'live';
  componentAppid: string;
  /** The monthly audit quota (queryquota via any authorized mini program); null when unknown. */
  auditQuota?: () => Promise<{ rest: number; limit: number } | null>;
}) {
  const q = createOverviewQueries(deps.db);
  const stats = createStatsQueries(deps.db);

  function warningsOf(o: Omit<Overview, 'warnings'>): OverviewWarning[] {
    const out: OverviewWarning[] = [];
    const w = (code: string, message: string, params: Record<string, number> = {}) =>
      out.push({ code, message, params });
    const age = o.ticket.ageSeconds;
    if (age === null)
      w(
        'no_ticket',
        'no component_verify_ticket received yet: check the authorization event URL in the WeChat console',
      );
    else if (age > TICKET_LATE_SECONDS) {
      const minutes = Math.round(age / 60);
      w('ticket_late', `no ticket for ${minutes} minutes: check the authorization event URL`, {
        minutes,
      });
    }
    const left = o.componentToken.expiresInSeconds;
    if (left !== null && left <= 0)
      w('component_token_expired', 'the component_access_token has expired and was not refreshed');
    const attention = o.authorizers.needsAttention;
    if (attention > 0)
      w(
        'authorizers_need_attention',
        `${attention} authorizer(s) need attention: WeChat says their authorization is gone (61003/61023), so their tokens are no longer refreshed; ask them to authorize again or refresh manually`,
        { count: attention },
      );
    if (o.tokenFailures.total > 0)
      w(
        'token_failures',
        `${o.tokenFailures.total} token(s) failed to refresh: see the authorizers' token health`,
        { count: o.tokenFailures.total },
      );
    const oldest = o.webhooks.oldestPendingAt ? Date.parse(o.webhooks.oldestPendingAt) : null;
    if (oldest !== null && deps.clock.now() - oldest > WEBHOOK_STUCK_MS) {
      const minutes = Math.round((deps.clock.now() - oldest) / 60_000);
      w(
        'webhooks_stuck',
        `${o.webhooks.backlog} webhook delivery(ies) waiting, the oldest for ${minutes} minutes: check the receivers`,
        { count: o.webhooks.backlog, minutes },
      );
    }
    if (o.webhooks.dead > 0)
      w('webhooks_dead', `${o.webhooks.dead} webhook delivery(ies) gave up: redeliver them`, {
        count: o.webhooks.dead,
      });
    if (o.rollouts.halted > 0)
      w(
        'rollouts_halted',
        `${o.rollouts.halted} rollout(s) halted on failures: see their errors, retry or resume`,
        { count: o.rollouts.halted },
      );
    if (o.auditQuota && o.auditQuota.rest === 0)
      w('audit_quota_exhausted', 'no audits left this month: rollouts and submissions will wait');
    const dead = o.jobs['dead'] ?? 0;
    if (dead > 0) w('jobs_dead', `${dead} background job(s) failed for good`, { count: dead });
    return out;
  }

  return {
    async overview(): Promise<Overview> {
      const now = deps.clock.now();
      const [ticketAt, tokenExpiresAt, counts, failures, oldestPending, audits, jobs, quota] =
        await Promise.all([
          deps.tokens.latestTicketAt(),
          deps.tokens.componentTokenExpiresAt(),
          // Kept by the database as rows change (migration 0022): no count over all authorizers.
          readMaintainedCounts(deps.db),
          stats.latestTokenFailures(10),
          stats.oldestPendingDelivery(),
          q.auditsInFlight(10),
          deps.jobs.depth(),
          // A quota WeChat cannot tell right now is shown as unknown, not as a broken overview.
          deps.auditQuota ? deps.auditQuota().catch(() => null) : Promise.resolve(null),
        ]);
      const { authorized, revoked, needsAttention } = counts.authorizers;
      const o: Omit<Overview, 'warnings'> = {
        mode: deps.mode,
        componentAppid: deps.componentAppid,
        ticket: {
          receivedAt: iso(ticketAt),
          ageSeconds: ticketAt ? Math.max(0, Math.round((now - ticketAt.getTime()) / 1000)) : null,
        },
        componentToken: {
          expiresAt: iso(tokenExpiresAt),
          expiresInSeconds: tokenExpiresAt
            ? Math.round((tokenExpiresAt.getTime() - now) / 1000)
            : null,
        },
        authorizers: { authorized, revoked, total: authorized + revoked, needsAttention },
        tokenFailures: {
          total: counts.tokensFailing.total,
          items: failures.map((f) => ({
            kind: f.kind,
            appid: f.appid,
            failures: f.failures,
            lastError: f.last_error,
            lastErrorAt: iso(f.last_error_at),
          })),
        },
        webhooks: {
          backlog: counts.webhooks.backlog,
          dead: counts.webhooks.dead,
          oldestPendingAt: iso(oldestPending),
        },
        audits: {
          inFlight: audits.total,
          items: audits.items.map((a) => ({
            appid: a.appid,
            state: a.kind,
            since: a.at.toISOString(),
          })),
        },
        jobs,
        rollouts: counts.rollouts,
        auditQuota: quota ? { rest: quota.rest, limit: quota.limit } : null,
      };
      return { ...o, warnings: warningsOf(o) };
    },
  };
}

export type OverviewService = ReturnType<typeof createOverviewService>;
