import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from '../core/metrics.ts';

/** Prometheus metrics behind the domain's Metrics interface; gauges read the database on scrape. */
export interface GaugeSources {
  ticketReceivedAt(): Promise<Date | undefined>;
  tokenExpiries(): Promise<{ kind: string; appid: string; expiresAt: Date | null }[]>;
  jobDepth(): Promise<Record<string, number>>;
}

export function createMetrics(clockNow: () => number) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'openwx_process_' });
  let sources: GaugeSources | undefined;

  const callbacks = new Histogram({
    name: 'openwx_callback_duration_seconds',
    help: 'Push handling time by kind (auth, message) and outcome (stored, duplicate, rejected, error)',
    labelNames: ['kind', 'outcome'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const wechat = new Histogram({
    name: 'openwx_wechat_api_duration_seconds',
    help: 'WeChat API calls by endpoint and errcode (0 = success, transport = no answer)',
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
  new Gauge({
    name: 'openwx_ticket_age_seconds',
    help: 'Seconds since the last component_verify_ticket (-1 = none yet)',
    registers: [registry],
    async collect() {
      const at = await sources?.ticketReceivedAt();
      this.set(at ? (clockNow() - at.getTime()) / 1000 : -1);
    },
  });
  new Gauge({
    name: 'openwx_token_expires_in_seconds',
    help: 'Seconds until each stored token expires (negative = expired or invalidated)',
    labelNames: ['kind', 'appid'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const t of (await sources?.tokenExpiries()) ?? []) {
        this.set(
          { kind: t.kind, appid: t.appid },
          t.expiresAt ? (t.expiresAt.getTime() - clockNow()) / 1000 : -1,
        );
      }
    },
  });
  new Gauge({
    name: 'openwx_jobs',
    help: 'Background jobs by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      for (const [status, n] of Object.entries((await sources?.jobDepth()) ?? {}))
        this.set({ status }, n);
    },
  });

  const metrics: Metrics = {
    callback: (kind, outcome, seconds) => callbacks.observe({ kind, outcome }, seconds),
    wechatCall: (endpoint, errcode, seconds) => wechat.observe({ endpoint, errcode }, seconds),
    tokenRefresh: (kind, outcome) => refreshes.inc({ kind, outcome }),
  };

  return {
    metrics,
    registry,
    setSources(s: GaugeSources) {
      sources = s;
    },
    async text() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
