import type { Clock } from '../core/clock.ts';
import type { Db } from '../store/db.ts';
import { createStatsQueries } from '../store/queries/stats.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { TokenService } from '../tokens/token-service.ts';

/** The platform at a glance: what `GET /api/admin/status` answers. */
export interface PlatformStatus {
  mode: 'sandbox' | 'live';
  componentAppid: string;
  ticket: { receivedAt: string | null; ageSeconds: number | null };
  componentToken: { expiresAt: string | null };
  authorizers: { authorized: number; revoked: number; total: number };
  jobs: Record<string, number>;
  warnings: string[];
}

export function createStatusService(deps: {
  db: Db;
  clock: Clock;
  tokens: TokenService;
  jobs: JobQueue;
  mode: 'sandbox' | 'live';
  componentAppid: string;
}) {
  // The authorizer counts kept by the database (ADR 0006), not a count over every row.
  const stats = createStatsQueries(deps.db);
  return {
    async status(): Promise<PlatformStatus> {
      const [ticketAt, tokenExpiresAt, counts, jobs] = await Promise.all([
        deps.tokens.latestTicketAt(),
        deps.tokens.componentTokenExpiresAt(),
        stats.counters(),
        deps.jobs.depth(),
      ]);
      const age = ticketAt
        ? Math.max(0, Math.round((deps.clock.now() - ticketAt.getTime()) / 1000))
        : null;
      const warnings: string[] = [];
      if (age === null)
        warnings.push(
          'no component_verify_ticket received yet: check the authorization event URL in the WeChat console',
        );
      else if (age > 25 * 60)
        warnings.push(
          `no ticket for ${Math.round(age / 60)} minutes: check the authorization event URL`,
        );
      if (tokenExpiresAt && tokenExpiresAt.getTime() < deps.clock.now())
        warnings.push('the component_access_token has expired and was not refreshed');
      if ((jobs['dead'] ?? 0) > 0)
        warnings.push(`${jobs['dead']} background job(s) failed for good`);
      const authorized = counts['authorizers.authorized'] ?? 0;
      const revoked = counts['authorizers.revoked'] ?? 0;
      return {
        mode: deps.mode,
        componentAppid: deps.componentAppid,
        ticket: { receivedAt: ticketAt?.toISOString() ?? null, ageSeconds: age },
        componentToken: { expiresAt: tokenExpiresAt?.toISOString() ?? null },
        authorizers: { authorized, revoked, total: authorized + revoked },
        jobs,
        warnings,
      };
    },
  };
}

export type StatusService = ReturnType<typeof createStatusService>;
