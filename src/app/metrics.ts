import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger, Metrics } from '../core/metrics.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { MaintainedCounts } from '../services/stats/service.ts';
import { endpoints } from '../wechat/endpoints/index.ts';
import { ERRCODES } from '../wechat/errcodes.ts';

/**
 * Prometheus metrics behind the domain's Metrics interface. Every label takes values from a
 * bounded set (no appid, no proxied path, no free-form errcode), and a scrape reads only
 * constant-cost sources (see GaugeSources); the rest are counters kept in this process.
 */
export interface GaugeSources {
  /** Whether the database is connected and migrated; until then no gauge reads it. */
  ready(): boolean;
  /** The last component_verify_ticket: one row through the primary key. */
  ticketReceivedAt(): Promise<Date | undefined>;
  /** The component_access_token's expiry: one row through the primary key. */
  componentTokenExpiresAt(): Promise<Date | undefined>;
  /** Queued jobs by type: the partial index of queued jobs, capped (metric-sources.ts). */
  queuedJobs(): Promise<Record<string, number>>;
  /** The counts the database keeps as rows change (stat_counters): a few rows per counter. */
  maintainedCounts(): Promise<MaintainedCounts>;
}

export type TokenHealth = 'valid' | 'due' | 'expired' | 'failing';
export const TOKEN_HEALTH: readonly TokenHealth[] = ['valid', 'due', 'expired', 'failing'];

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const KNOWN_ENDPOINTS = new Set(Object.keys(endpoints));

/** The endpoint label: a name of the endpoint table, `proxy` for every proxied path, else other. */
export function endpointLabel(endpoint: string): string {
  if (endpoint.startsWith('proxy:')) return 'proxy';
  return KNOWN_ENDPOINTS.has(endpoint) ? endpoint : 'other';
}

/** The errcode label: 0, transport, an errcode of the errcode table, else other. */
export function errcodeLabel(errcode: string): string {
  if (errcode === '0' || errcode === 'transport') return errcode;
  return /^-?\d+$/.test(errcode) && ERRCODES[Number(errcode)] ? errcode : 'other';
}

export function createMetrics(clockNow: () => number, log?: Logger) {
  const registry = new Registry();
  // The standard names (process_cpu_user_seconds_total, nodejs_heap_size_used_bytes, ...).
  collectDefaultMetrics({ register: registry });
  let sources: GaugeSources | undefined;
  /** A gauge's database read that fails leaves the gauge out of this scrape, not the scrape. */
  const read = async <T>(what: string, get: (s: GaugeSources) => Promise<T>) => {
    if (!sources?.ready()) return undefined;
    try {
      return await get(sources);
    } catch (err) {
      log?.debug({ err, gauge: what }, 'metrics source failed');
      return undefined;
    }
  };
  /** The read in flight: the gauges of one scrape (collected together) share it. */
  let counts: Promise<MaintainedCounts | undefined> | undefined;
  const maintained = () => {
    if (!counts) {
      const read1 = read('maintained counts', (s) => s.maintainedCounts());
      counts = read1;
      void read1.finally(() => {
        if (counts === read1) counts = undefined;
      });
    }
    return counts;
  };
  /** Listeners that see every Metrics call too (e.g. the stats recorder). */
  const taps: Partial<Metrics>[] = [];

  const http = new Histogram({
    name: 'openwx_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern (unmatched = no route) and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const callbacks = new Histogram({
    name: 'openwx_callback_duration_seconds',
    help: 'Push handling time by kind (auth, message) and outcome (stored, duplicate, rejected, error)',
    labelNames: ['kind', 'outcome'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const wechat = new Histogram({
    name: 'openwx_wechat_api_duration_seconds',
    help: 'WeChat API calls by endpoint (proxy = any proxied path) and errcode (0 = success, transport = no answer, other = an errcode outside docs/errcodes.md)',
    labelNames: ['endpoint', 'errcode'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'openwx_token_refresh_total',
    help: 'Token refreshes by kind and outcome',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'openwx_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, failed = retried later, dead = given up)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const jobsRunning = new Gauge({
    name: 'openwx_jobs_running',
    help: 'Jobs this instance is running now, by type',
    labelNames: ['type'],
    registers: [registry],
  });
  const jobsFinished = new Counter({
    name: 'openwx_jobs_finished_total',
    help: 'Job runs on this instance by type and outcome (done, rerun = continues later, retry = failed and retried, dead = failed for good)',
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  const tokenHealth = new Gauge({
    name: 'openwx_authorizer_tokens',
    help: 'Authorizer access tokens of authorized accounts by health (valid, due = within the refresh-ahead window, expired, failing = last refresh failed), counted by the scheduler',
    labelNames: ['health'],
    registers: [registry],
  });
  new Gauge({
    name: 'openwx_database_ready',
    help: '1 once the database is connected and migrated at start, else 0',
    registers: [registry],
    collect() {
      this.set(sources?.ready() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'openwx_ticket_age_seconds',
    help: 'Seconds since the last component_verify_ticket (-1 = none yet, or the database is not ready)',
    registers: [registry],
    async collect() {
      const at = await read('ticket', (s) => s.ticketReceivedAt());
      this.set(at ? (clockNow() - at.getTime()) / 1000 : -1);
    },
  });
  new Gauge({
    name: 'openwx_component_token_expires_in_seconds',
    help: 'Seconds until the component_access_token expires (negative = expired; -1 = none yet)',
    registers: [registry],
    async collect() {
      const at = await read('component token', (s) => s.componentTokenExpiresAt());
      this.set(at ? (at.getTime() - clockNow()) / 1000 : -1);
    },
  });
  new Gauge({
    name: 'openwx_jobs_queued',
    help: 'Jobs waiting in the database (all instances) by type; counts stop at 10000',
    labelNames: ['type'],
    registers: [registry],
    async collect() {
      const queued = await read('queued jobs', (s) => s.queuedJobs());
      if (!queued) return;
      this.reset();
      for (const [type, n] of Object.entries(queued)) this.set({ type }, n);
    },
  });

  new Gauge({
    name: 'openwx_authorizers',
    help: 'Authorizers by status (authorized, revoked), kept by the database as they change',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const c = await maintained();
      if (!c) return;
      this.set({ status: 'authorized' }, c.authorizers.authorized);
      this.set({ status: 'revoked' }, c.authorizers.revoked);
    },
  });
  new Gauge({
    name: 'openwx_authorizers_needing_attention',
    help: 'Authorized accounts whose token refreshes stopped because WeChat says the authorization is gone',
    registers: [registry],
    async collect() {
      const c = await maintained();
      if (c) this.set(c.authorizers.needsAttention);
    },
  });
  new Gauge({
    name: 'openwx_tokens_failing',
    help: 'Tokens whose last refresh failed, by kind (component, authorizer, jsapi_ticket)',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const c = await maintained();
      if (!c) return;
      this.reset();
      for (const kind of ['component', 'authorizer', 'jsapi_ticket'])
        this.set({ kind }, c.tokensFailing[kind] ?? 0);
    },
  });
  new Gauge({
    name: 'openwx_webhook_deliveries_waiting',
    help: 'Webhook deliveries not delivered, by state (backlog = pending or retried, dead = given up)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const c = await maintained();
      if (!c) return;
      this.set({ state: 'backlog' }, c.webhooks.backlog);
      this.set({ state: 'dead' }, c.webhooks.dead);
    },
  });
  new Gauge({
    name: 'openwx_rollouts_open',
    help: 'Fleet rollouts not finished, by status (running, paused, halted)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const c = await maintained();
      if (!c) return;
      for (const status of ['running', 'paused', 'halted'] as const)
        this.set({ status }, c.rollouts[status]);
    },
  });

  const own: Metrics = {
    callback: (kind, outcome, seconds) => callbacks.observe({ kind, outcome }, seconds),
    wechatCall: (endpoint, errcode, seconds) =>
      wechat.observe(
        { endpoint: endpointLabel(endpoint), errcode: errcodeLabel(errcode) },
        seconds,
      ),
    tokenRefresh: (kind, outcome) => refreshes.inc({ kind, outcome }),
    httpRequest: (method, route, status, seconds) =>
      http.observe(
        {
          method: METHODS.has(method) ? method : 'other',
          route,
          status_code: String(status),
        },
        seconds,
      ),
    webhookDelivery: (outcome) => deliveries.inc({ outcome }),
  };
  /** A listener that throws does not break the domain's call nor the other listeners. */
  const tapped =
    <K extends keyof Metrics>(name: K) =>
    (...args: Parameters<Metrics[K]>) => {
      (own[name] as (...a: Parameters<Metrics[K]>) => void)(...args);
      for (const t of taps) {
        try {
          (t[name] as ((...a: Parameters<Metrics[K]>) => void) | undefined)?.(...args);
        } catch (err) {
          log?.debug({ err, metric: name }, 'metrics listener failed');
        }
      }
    };
  const metrics: Metrics = {
    callback: tapped('callback'),
    wechatCall: tapped('wechatCall'),
    tokenRefresh: tapped('tokenRefresh'),
    httpRequest: tapped('httpRequest'),
    webhookDelivery: tapped('webhookDelivery'),
  };

  return {
    metrics,
    registry,
    setSources(s: GaugeSources) {
      sources = s;
    },
    /** Lets `listener` see every Metrics call the domain makes from now on. */
    tap(listener: Partial<Metrics>) {
      taps.push(listener);
    },
    /** The scheduler's latest count of authorizer tokens by health. */
    setAuthorizerTokenHealth(counts: Record<TokenHealth, number>) {
      for (const health of TOKEN_HEALTH) tokenHealth.set({ health }, counts[health]);
    },
    /** The queue with every handler counted: running now, and how each run ended. */
    instrumentJobs(queue: JobQueue): JobQueue {
      return {
        ...queue,
        register(type, handler) {
          queue.register(type, async (payload, job) => {
            jobsRunning.inc({ type });
            try {
              const out = await handler(payload, job);
              jobsFinished.inc({ type, outcome: out ? 'rerun' : 'done' });
              return out;
            } catch (err) {
              const outcome = job.attempts >= job.max_attempts ? 'dead' : 'retry';
              jobsFinished.inc({ type, outcome });
              throw err;
            } finally {
              jobsRunning.dec({ type });
            }
          });
        },
      };
    },
    async text() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type OpenwxMetrics = ReturnType<typeof createMetrics>;
