import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { OffsetClock, systemClock, type Clock } from '../core/clock.ts';
import { newId } from '../core/random.ts';
import { packageVersion } from '../core/package-info.ts';
import { redactDatabaseUrl, type Config } from '../config/config.ts';
import { createSealer, parseMasterKey } from '../crypto/seal.ts';
import { WxBizMsgCrypt } from '../crypto/wx-biz-msg-crypt.ts';
import { openPglite, postgresDb, type Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { createWechatClient, type TokenSource, type Transport } from '../wechat/client.ts';
import { createJobQueue } from '../jobs/queue.ts';
import { createTokenService, type TokenService } from '../tokens/token-service.ts';
import { createCallbackService, type PassiveReplier } from '../callbacks/callback-service.ts';
import { createStatusService } from '../services/status.ts';
import {
  createWebhookDelivery,
  type WebhookDeliveryOptions,
} from '../services/webhook/delivery.ts';
import { createWebhookService } from '../services/webhook/service.ts';
import { createTargetPolicy } from '../services/webhook/target.ts';
import { buildApp, type ServerTimeouts } from '../http/app.ts';
import { buildEmulator, type Emulator } from '../emulator/emulator.ts';
import { startMetricsListener, type MetricsListener } from '../http/metrics-listener.ts';
import type { MetricsAccess } from '../http/routes/public.ts';
import { createMetrics } from './metrics.ts';
import { createMetricSources } from './metric-sources.ts';
import { createPeriodicWork } from './periodic-work.ts';
import { createRetentionTask } from '../services/retention/task.ts';
import { createDatabaseStartup } from './database-startup.ts';
import { createDomainServices } from './domain-services.ts';
import { createLogger } from './logger.ts';
import { routePlugins } from './route-plugins.ts';

/**
 * The composition root: the only place that opens databases, builds clients and starts timers.
 */
export const VERSION = packageVersion();

export interface OpenwxOptions {
  clock?: Clock;
  /** Use this database instead of opening one from the config (tests). */
  db?: Db;
  transport?: Transport;
  logger?: PinoLogger;
  /** How often due tokens are refreshed (ms). */
  schedulerMs?: number;
  jobPollMs?: number;
  /** Answer WeChat's full-network release checks for its test accounts (default true). */
  releaseResponder?: boolean;
  /** Retries of the database at start (DATABASE_URL): first wait and longest wait (ms). */
  databaseRetry?: { firstDelayMs?: number; maxDelayMs?: number };
  /** Webhook delivery settings (tests shorten the timeout, backoff and retry window). */
  webhooks?: Pick<
    WebhookDeliveryOptions,
    'pollMs' | 'timeoutMs' | 'retryWindowMs' | 'backoffMs' | 'unknownAppidGraceMs'
  >;
  /** Socket limits against slow clients (tests shorten them; default SERVER_TIMEOUTS). */
  serverTimeouts?: Partial<ServerTimeouts>;
  /** Keep the in-process emulator's world in this file across restarts (sandbox `serve`). */
  emulatorStateFile?: string;
}

export interface Openwx {
  config: Readonly<Config>;
  app: FastifyInstance;
  db: Db;
  tokens: TokenService;
  emulator: Emulator | undefined;
  log: PinoLogger;
  /** Whether the database is connected and migrated (at once for PGlite and a given db). */
  ready(): boolean;
  /** Resolves once the database is connected and migrated (after listen() with DATABASE_URL). */
  whenReady(): Promise<void>;
  /**
   * Listens on config.host:config.port (and OPENWX_METRICS_PORT); returns the base URL. With
   * DATABASE_URL the database is connected and migrated afterwards, in the background, and the
   * jobs, the scheduler, webhook delivery and the emulator start once that is done.
   */
  listen(): Promise<string>;
  /** Graceful stop: no new work, in-flight requests and jobs finish, locks released. */
  stop(): Promise<void>;
  /** One round of the periodic work (also run by the scheduler). */
  maintain(): Promise<void>;
  /** Asks WeChat now about every audit still in flight. */
  pollAudits(): Promise<{ polled: number; found: number; failed: number }>;
}

/** Who may read /metrics on the main port. */
function metricsAccess(config: Readonly<Config>): MetricsAccess {
  if (config.metricsPort !== undefined) return { kind: 'separate_port' };
  if (config.metricsToken !== undefined) return { kind: 'token', token: config.metricsToken };
  return { kind: 'off' };
}

/** The setting that names the database and its value without a password (for the log). */
function databaseSetting(config: Readonly<Config>, given: boolean) {
  if (given) return { setting: 'database', value: 'given to openwx' };
  if (config.databaseUrl)
    return { setting: 'DATABASE_URL', value: redactDatabaseUrl(config.databaseUrl) };
  return { setting: 'OPENWX_DATA_DIR', value: config.dataDir };
}

export async function createOpenwx(
  config: Readonly<Config>,
  opts: OpenwxOptions = {},
): Promise<Openwx> {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(config);
  // A PostgreSQL server may be down at start: it is connected and migrated after listen(), with
  // retries. PGlite (and a database handed in) is opened and migrated here, as before.
  const remote = !opts.db && config.databaseUrl !== undefined;
  const db =
    opts.db ??
    (config.databaseUrl
      ? postgresDb(config.databaseUrl, 10, (err) =>
          log.warn({ err }, 'a database connection was lost'),
        )
      : await openPglite(join(config.dataDir, 'pglite')));
  if (!remote) await migrate(db);
  const startup = createDatabaseStartup({
    db,
    ...databaseSetting(config, opts.db !== undefined),
    log,
    ready: !remote,
    ...opts.databaseRetry,
  });

  const sealer = createSealer(parseMasterKey(config.masterKey));
  const crypt = new WxBizMsgCrypt({
    token: config.component.token,
    encodingAesKey: config.component.aesKey,
    appid: config.component.appid,
  });
  const m = createMetrics(() => clock.now(), log);
  const holderId = `${process.pid}-${newId().slice(0, 8)}`;
  const jobs = m.instrumentJobs(
    createJobQueue({
      db,
      clock,
      log,
      workerId: holderId,
      leaseMs: config.workLeaseSeconds * 1000,
      ...(opts.jobPollMs ? { pollMs: opts.jobPollMs } : {}),
    }),
  );

  // The client needs the token service and the token service needs the client.
  const tokenRef: { current?: TokenSource } = {};
  let selfUrl = `http://127.0.0.1:${config.port}`;
  const client = createWechatClient({
    baseUrl: config.embeddedEmulator ? () => `${selfUrl}/emulator` : config.wechatApiBase,
    ...(opts.transport ? { transport: opts.transport } : {}),
    tokens: {
      getToken: (kind, appid) => (tokenRef.current as TokenSource).getToken(kind, appid),
      invalidate: (kind, token, appid) =>
        (tokenRef.current as TokenSource).invalidate(kind, token, appid),
    },
    observe: (e) => m.metrics.wechatCall(e.endpoint, String(e.errcode), e.durationMs / 1000),
  });
  const webhookTargets = createTargetPolicy({ allowPrivate: config.webhookAllowPrivate });
  const webhookDelivery = createWebhookDelivery({
    db,
    targets: webhookTargets,
    sealer,
    clock,
    log,
    workerId: holderId,
    metrics: m.metrics,
    ...opts.webhooks,
  });
  const webhooks = createWebhookService({
    db,
    sealer,
    clock,
    log,
    kick: () => webhookDelivery.kick(),
    targets: webhookTargets,
  });
  const tokens = createTokenService({
    db,
    sealer,
    client,
    clock,
    component: { appid: config.component.appid, appsecret: config.component.appsecret },
    refreshAheadMs: config.tokenRefreshAheadSeconds * 1000,
    metrics: m.metrics,
    log,
    holderId,
    onRefreshed: (e) => webhooks.tokenRefreshed(e),
    onRefreshFailed: (e) => webhooks.tokenRefreshFailed(e),
  });
  tokenRef.current = tokens.source;

  // Passive replies need the authorization service, which is built after the callbacks.
  const replierRef: { current?: PassiveReplier } = {};
  // WeChat's clock, which pushes' timestamps follow: the emulator's own in sandbox mode.
  const emulatorClock = config.embeddedEmulator ? new OffsetClock() : undefined;
  const callbacks = createCallbackService({
    db,
    crypt,
    sealer,
    clock,
    wechatClock: emulatorClock ?? clock,
    jobs,
    tokens,
    replier: (appid, fields, meta) => replierRef.current?.(appid, fields, meta),
    metrics: m.metrics,
    log,
  });
  const services = createDomainServices({
    config,
    db,
    client,
    clock,
    jobs,
    tokens,
    sealer,
    log,
    releaseResponder: opts.releaseResponder,
  });
  const { authorizations, onboarding, directory, profileSync, code, rollouts } = services;
  replierRef.current = services.replier;
  const status = createStatusService({
    db,
    clock,
    tokens,
    jobs,
    mode: config.mode,
    componentAppid: config.component.appid,
  });
  const metricSources = createMetricSources({
    db,
    clock,
    refreshAheadMs: config.tokenRefreshAheadSeconds * 1000,
  });
  m.setSources({
    ready: () => startup.isReady(),
    ticketReceivedAt: () => tokens.latestTicketAt(),
    componentTokenExpiresAt: () => tokens.componentTokenExpiresAt(),
    queuedJobs: () => metricSources.queuedJobs(),
    maintainedCounts: () => metricSources.maintainedCounts(),
  });

  const emulator = config.embeddedEmulator
    ? buildEmulator(
        {
          component: config.component,
          authEventUrl: `${selfUrl}/api/openwx/auth`,
          messageUrl: `${selfUrl}/api/openwx/callback/$APPID$`,
          authDomain: config.authDomain,
          ticketIntervalMs: config.emulator.ticketIntervalSeconds * 1000,
          firstTicketDelayMs: config.emulator.firstTicketDelayMs,
          tokenTtlSeconds: config.emulator.tokenTtlSeconds,
          ...(emulatorClock ? { clock: emulatorClock } : {}),
          ...(opts.emulatorStateFile ? { stateFile: opts.emulatorStateFile } : {}),
          log: (msg, extra) => log.debug({ emulator: true, ...extra }, msg),
        },
        {
          authEventUrl: () => `${selfUrl}/api/openwx/auth`,
          messageUrl: () => `${selfUrl}/api/openwx/callback/$APPID$`,
        },
      )
    : undefined;

  const app = await buildApp({
    db,
    adminToken: config.adminToken,
    clock,
    status,
    tokens,
    log,
    callbacks,
    authorizations,
    metricsText: () => m.text(),
    metricsAccess: metricsAccess(config),
    metrics: m.metrics,
    readiness: startup,
    trustProxy: config.trustProxy,
    logRequests: config.logRequests,
    ...(opts.serverTimeouts ? { serverTimeouts: opts.serverTimeouts } : {}),
    version: VERSION,
    loggerInstance: log,
    onboarding,
    routes: routePlugins({
      config,
      version: VERSION,
      db,
      clock,
      log,
      client,
      jobs,
      tokens,
      webhooks,
      services,
      emulator,
      metrics: m,
    }),
    ...(emulator ? { emulatorPlugin: emulator.plugin } : {}),
  });

  let scheduler: NodeJS.Timeout | undefined;
  const periodic = createPeriodicWork({
    db,
    clock,
    log,
    holderId,
    auditPollSeconds: config.auditPollSeconds,
    tasks: {
      restartTicketPushIfLate: () => tokens.restartTicketPushIfLate(),
      refreshDueTokens: () => tokens.refreshDue(),
      reconcileAuthorizers: () => directory.reconcile(),
      checkDrift: () => profileSync.checkDue(),
      pollAudits: () => code.audits.pollAll(),
      ensureRolloutWorkers: () => rollouts.ensureWorkers(),
      countTokens: async () =>
        m.setAuthorizerTokenHealth(await metricSources.authorizerTokenHealth()),
      pruneExpired: createRetentionTask({
        db,
        clock,
        log,
        settings: config.retention,
        registry: m.registry,
      }),
    },
  });
  const maintain = () => periodic.maintain();
  let stopping: Promise<void> | undefined;
  let metricsListener: MetricsListener | undefined;
  const schedulerMs = opts.schedulerMs ?? 30_000;
  /** The background work, started once the database is ready. */
  const startWork = () => {
    if (stopping) return;
    jobs.start();
    webhookDelivery.start();
    scheduler = setInterval(() => void maintain(), schedulerMs);
    scheduler.unref();
    // Results that came while no instance was running are fetched at start-up.
    setTimeout(() => {
      if (!stopping) void periodic.pollAudits();
    }, 1000).unref();
    void periodic.countTokens();
    emulator?.start();
  };

  return {
    config,
    app,
    db,
    tokens,
    emulator,
    log,
    maintain,
    /** Asks WeChat now about every audit still in flight (the fallback for lost pushes). */
    pollAudits: () => code.audits.pollAll(),
    ready: () => startup.isReady(),
    whenReady: () => startup.whenReady(),
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      selfUrl = `http://127.0.0.1:${port}`;
      if (config.metricsPort !== undefined)
        metricsListener = await startMetricsListener({
          host: config.host,
          port: config.metricsPort,
          text: () => m.text(),
          log,
        });
      startup.start(startWork);
      return selfUrl;
    },
    stop() {
      stopping ??= (async () => {
        await startup.stop();
        if (scheduler) clearInterval(scheduler);
        await emulator?.stop();
        await metricsListener?.close();
        await app.close();
        await jobs.stop();
        await webhookDelivery.stop();
        if (startup.isReady()) await tokens.releaseLocks().catch(() => {});
        await db.close();
      })();
      return stopping;
    },
  };
}
