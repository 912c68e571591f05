import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger as PinoLogger } from 'pino';
import { systemClock, type Clock } from '../core/clock.ts';
import { newId } from '../core/random.ts';
import type { Config } from '../config/config.ts';
import { createSealer, parseMasterKey } from '../crypto/seal.ts';
import { WxBizMsgCrypt } from '../crypto/wx-biz-msg-crypt.ts';
import { openPglite, postgresDb, type Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { createTokenQueries } from '../store/queries/tokens.ts';
import { createWechatClient, type TokenSource, type Transport } from '../wechat/client.ts';
import { createJobQueue } from '../jobs/queue.ts';
import { createTokenService, type TokenService } from '../tokens/token-service.ts';
import { createCallbackService, type PassiveReplier } from '../callbacks/callback-service.ts';
import { createAuthorizationService } from '../services/authorizations.ts';
import { createStatusService } from '../services/status.ts';
import { createAutoReplyService } from '../services/auto-replies.ts';
import { createReleaseResponder } from '../services/release-responder.ts';
import {
  createWebhookDelivery,
  type WebhookDeliveryOptions,
} from '../services/webhook-delivery.ts';
import { createWebhookService } from '../services/webhooks.ts';
import { buildApp } from '../http/app.ts';
import { autoReplyRoutes } from '../http/routes/auto-replies.ts';
import { webhookRoutes } from '../http/routes/webhooks.ts';
import { buildEmulator, type Emulator } from '../emulator/emulator.ts';
import { createMetrics } from './metrics.ts';

/**
 * The composition root: the only place that opens databases, builds clients and starts timers.
 */
export const VERSION = '0.1.0';

/** Log fields that may never be written in clear, wherever they appear. */
const REDACT_PATHS = [
  'access_token',
  'token',
  'secret',
  'appsecret',
  'refresh_token',
  'ticket',
  '*.access_token',
  '*.authorizer_refresh_token',
  '*.component_appsecret',
  'req.headers.authorization',
];

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
  /** Webhook delivery settings (tests shorten the timeout, backoff and retry window). */
  webhooks?: Pick<
    WebhookDeliveryOptions,
    'pollMs' | 'timeoutMs' | 'retryWindowMs' | 'backoffMs' | 'unknownAppidGraceMs'
  >;
}

export interface Openwx {
  config: Readonly<Config>;
  app: FastifyInstance;
  db: Db;
  tokens: TokenService;
  emulator: Emulator | undefined;
  log: PinoLogger;
  /** Listens on config.host:config.port; returns the base URL. */
  listen(): Promise<string>;
  /** Graceful stop: no new work, in-flight requests and jobs finish, locks released. */
  stop(): Promise<void>;
}

export async function createOpenwx(
  config: Readonly<Config>,
  opts: OpenwxOptions = {},
): Promise<Openwx> {
  const clock = opts.clock ?? systemClock;
  const log =
    opts.logger ??
    pino({
      level: config.logLevel,
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    });
  const db =
    opts.db ??
    (config.databaseUrl
      ? postgresDb(config.databaseUrl)
      : await openPglite(join(config.dataDir, 'pglite')));
  await migrate(db);

  const sealer = createSealer(parseMasterKey(config.masterKey));
  const crypt = new WxBizMsgCrypt({
    token: config.component.token,
    encodingAesKey: config.component.aesKey,
    appid: config.component.appid,
  });
  const m = createMetrics(() => clock.now());
  const holderId = `${process.pid}-${newId().slice(0, 8)}`;
  const jobs = createJobQueue({
    db,
    clock,
    log,
    workerId: holderId,
    ...(opts.jobPollMs ? { pollMs: opts.jobPollMs } : {}),
  });

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
  const webhookDelivery = createWebhookDelivery({
    db,
    sealer,
    clock,
    log,
    workerId: holderId,
    ...opts.webhooks,
  });
  const webhooks = createWebhookService({
    db,
    sealer,
    clock,
    log,
    kick: () => webhookDelivery.kick(),
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
  const callbacks = createCallbackService({
    db,
    crypt,
    sealer,
    clock,
    jobs,
    tokens,
    replier: (appid, fields, meta) => replierRef.current?.(appid, fields, meta),
    metrics: m.metrics,
    log,
  });
  const authorizations = createAuthorizationService({
    db,
    client,
    tokens,
    sealer,
    clock,
    jobs,
    componentAppid: config.component.appid,
    log,
  });
  const releaseResponder =
    opts.releaseResponder === false
      ? undefined
      : createReleaseResponder({
          jobs,
          sealer,
          client,
          clock,
          exchange: authorizations.exchange,
          log,
        });
  const autoReplies = createAutoReplyService({ db, clock });
  replierRef.current = async (appid, fields, meta) =>
    (await releaseResponder?.reply(appid, fields, meta)) ?? autoReplies.reply(appid, fields);
  const status = createStatusService({
    db,
    clock,
    tokens,
    jobs,
    mode: config.mode,
    componentAppid: config.component.appid,
  });
  const tokenRows = createTokenQueries(db);
  m.setSources({
    ticketReceivedAt: () => tokens.latestTicketAt(),
    tokenExpiries: async () =>
      (await tokenRows.listAll()).map((t) => ({
        kind: t.kind,
        appid: t.appid,
        expiresAt: t.expires_at,
      })),
    jobDepth: () => jobs.depth(),
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
    status,
    tokens,
    log,
    callbacks,
    authorizations,
    metricsText: () => m.text(),
    version: VERSION,
    loggerInstance: log,
    routes: [
      autoReplyRoutes({ db, adminToken: config.adminToken, clock, autoReplies }),
      webhookRoutes({ db, adminToken: config.adminToken, clock, webhooks }),
    ],
    ...(emulator ? { emulatorPlugin: emulator.plugin } : {}),
  });

  let scheduler: NodeJS.Timeout | undefined;
  /** The periodic work: revive a silent ticket push, refresh tokens that are due. */
  const maintain = async () => {
    await tokens
      .restartTicketPushIfLate()
      .catch((err: unknown) => log.warn({ err: String(err) }, 'api_start_push_ticket failed'));
    await tokens
      .refreshDue()
      .catch((err: unknown) => log.warn({ err: String(err) }, 'scheduled token refresh failed'));
  };
  let stopping: Promise<void> | undefined;
  const schedulerMs = opts.schedulerMs ?? 30_000;

  return {
    config,
    app,
    db,
    tokens,
    emulator,
    log,
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      selfUrl = `http://127.0.0.1:${port}`;
      jobs.start();
      webhookDelivery.start();
      scheduler = setInterval(() => void maintain(), schedulerMs);
      scheduler.unref();
      emulator?.start();
      return selfUrl;
    },
    stop() {
      stopping ??= (async () => {
        if (scheduler) clearInterval(scheduler);
        await emulator?.stop();
        await app.close();
        await jobs.stop();
        await webhookDelivery.stop();
        await tokens.releaseLocks().catch(() => {});
        await db.close();
      })();
      return stopping;
    },
  };
}
