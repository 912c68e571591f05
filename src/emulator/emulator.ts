import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { OffsetClock } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { systemRandom, type RandomSource } from '../core/random.ts';
import { WxBizMsgCrypt } from '../crypto/wx-biz-msg-crypt.ts';
import { registerApiRoutes } from './api.ts';
import { registerAuthPage } from './auth-page.ts';
import {
  authorize,
  pushAuthorization,
  unauthorize,
  type AuthorizeInput,
  type AuthorizeResult,
} from './authorize.ts';
import type { EmulatorContext, EmulatorSettings, LogFn, PushTargets } from './context.ts';
import { registerControlRoutes } from './control.ts';
import { registerUserControlRoutes } from './control-users.ts';
import { registerRegistrationControlRoutes } from './control-registrations.ts';
import { registerMpControlRoutes } from './control-mp.ts';
import { registerTemplateControlRoutes } from './control-templates.ts';
import { registerAuditControlRoutes } from './control-audits.ts';
import { registerIcpControlRoutes } from './icp.ts';
import { registerPrivacyControlRoutes } from './privacy-interfaces.ts';
import {
  startAuditPolicyTimer,
  stopAuditPolicyTimer,
  syncAuditPolicyTimer,
} from './audit-policy.ts';
import { createIds } from './ids.ts';
import { insertMerchant, type MerchantInput } from './merchants.ts';
import { registerOAuthPage } from './oauth-page.ts';
import { createWorldSaver, loadWorld, resetWorld, type WorldSaver } from './persistence.ts';
import {
  pushAuthEvent,
  pushMessage,
  pushTicket,
  type MessagePushResult,
  type PushResult,
} from './pushes.ts';
import { createState, type EmulatorState, type Merchant } from './state.ts';
import { errorBody } from './wx-error.ts';

export interface EmulatorOptions {
  component: { appid: string; appsecret: string; token: string; aesKey: string };
  /** Where ticket and authorization events are POSTed. */
  authEventUrl: string;
  /** Message/event URL; `$APPID$` is replaced with the authorizer appid. */
  messageUrl: string;
  /** 授权发起页域名 (hostname; a port is ignored): when set, the page checks Referer and redirect_uri. */
  authDomain?: string;
  /** Ticket push interval; 0 = no timer. */
  ticketIntervalMs: number;
  /** First timer push after start() (default: ticketIntervalMs). */
  firstTicketDelayMs?: number;
  /** Access-token lifetime (default 7200). */
  tokenTtlSeconds?: number;
  /** When true, every api_authorizer_token returns a new refresh token (default false). */
  rotateRefreshTokens?: boolean;
  preAuthCodeTtlSeconds?: number;
  authCodeTtlSeconds?: number;
  /** Timeout of one push attempt (default 5000). */
  pushTimeoutMs?: number;
  /** Daily limit of every API path unless set through the control API (default 100000). */
  defaultDailyLimit?: number;
  /**
   * When true, the registration APIs WeChat retired on 2026-04-30 answer as before (the legacy
   * fastregisterweapp, old versions without new_version); default false: they answer -1.
   */
  legacyEnterpriseRegistration?: boolean;
  /** Accounts that exist from the start (default: one Official Account, one Mini Program). */
  merchants?: MerchantInput[];
  clock?: OffsetClock;
  random?: RandomSource;
  /** Used for pushes (default: global fetch). */
  fetch?: typeof fetch;
  log?: LogFn;
  /**
   * Where the world is kept (persistence.ts): read when the emulator is built, written a moment
   * after each change and when it stops. Without it the world lives in memory only.
   */
  stateFile?: string;
  /** How long after a change the world is written (default 1000 ms). */
  saveDelayMs?: number;
}

export interface Emulator {
  /** All routes; mountable under a prefix (e.g. '/emulator') or at the root. */
  plugin: FastifyPluginAsync;
  /**
   * The 404 answer (`{"errcode":40066,"errmsg":"invalid url …"}`; `{error}` under /control/).
   * The plugin installs it itself under a prefix; a host mounting it at the root sets it.
   */
  notFound: NotFoundHandler;
  /** Starts the ticket timer and the audit-policy timer (neither keeps the process alive). */
  start(): void;
  /** Clears timers and waits for pushes in flight. */
  stop(): Promise<void>;
  pushTicket(): Promise<PushResult>;
  pushAuthEvent(plaintextXml: string): Promise<PushResult>;
  pushMessage(appid: string, plaintextXml: string): Promise<MessagePushResult>;
  createMerchant(input: MerchantInput): Merchant;
  /** Confirms an authorization as the merchant would, then pushes the resulting event. */
  authorize(input: AuthorizeInput): Promise<{ result: AuthorizeResult; push: PushResult | null }>;
  /** Cancels an authorization and pushes `unauthorized`. */
  unauthorize(appid: string): Promise<PushResult>;
  /**
   * A new world: the accounts, authorizations, tokens, tickets, templates and every other area
   * as a newly built emulator has them (the default merchants again); the platform and the clock
   * stay. Written to the state file at once.
   */
  reset(): Promise<void>;
  /** Whether the world was read from the state file when the emulator was built. */
  restored: boolean;
  state: EmulatorState;
}

export type NotFoundHandler = (req: FastifyRequest, reply: FastifyReply) => FastifyReply;

const DEFAULT_MERCHANTS: MerchantInput[] = [
  { type: 'officialaccount', nickname: '演示公众号 Demo OA' },
  { type: 'miniprogram', nickname: '演示小程序 Demo MP' },
];

function authDomainHost(domain: string | undefined): string | undefined {
  if (!domain) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(domain) ? domain : `http://${domain}`;
  return new URL(withScheme).hostname.toLowerCase();
}

function settingsOf(opts: EmulatorOptions): EmulatorSettings {
  const authDomain = authDomainHost(opts.authDomain);
  return {
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 7200,
    overlapMs: 300_000,
    ticketTtlMs: 12 * 3600 * 1000,
    // 600 s as in the doc's sample answers (the text of api_getpreauthcode says 1800 s, and a live
    // redirect in 2024 carried expires_in=3600; the documented samples are kept). Sources: doc
    // openApi/ticket-token/api_getpreauthcode; doc
    // Third-party_Platforms/2.0/api/Before_Develop/Authorization_Process_Technical_Description.
    preAuthCodeTtlSeconds: opts.preAuthCodeTtlSeconds ?? 600,
    authCodeTtlSeconds: opts.authCodeTtlSeconds ?? 600,
    rotateRefreshTokens: opts.rotateRefreshTokens ?? false,
    pushTimeoutMs: opts.pushTimeoutMs ?? 5000,
    pushAttempts: 3,
    defaultDailyLimit: opts.defaultDailyLimit ?? 100_000,
    quotaClearsPerMonth: 10,
    legacyEnterpriseRegistration: opts.legacyEnterpriseRegistration ?? false,
    ...(authDomain === undefined ? {} : { authDomain }),
  };
}

/** Builds an emulator whose push URLs are chosen per attempt by `targets`. */
export function buildEmulator(opts: EmulatorOptions, targets: PushTargets): Emulator {
  const clock = opts.clock ?? new OffsetClock();
  const random = opts.random ?? systemRandom;
  const log: LogFn = opts.log ?? (() => undefined);
  const inflight = new Set<Promise<unknown>>();
  let saver: WorldSaver | undefined;
  const c = opts.component;
  const ctx: EmulatorContext = {
    state: createState({ ...c }, clock),
    settings: settingsOf(opts),
    clock,
    random,
    ids: createIds(random),
    crypt: new WxBizMsgCrypt({ token: c.token, encodingAesKey: c.aesKey, appid: c.appid, random }),
    targets,
    fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
    log,
    track(p) {
      const settled = p.then(
        () => undefined,
        (err: unknown) => log('emulator: background push failed', { error: errorMessage(err) }),
      );
      inflight.add(settled);
      void settled.finally(() => {
        inflight.delete(settled);
        saver?.changed();
      });
    },
  };
  const seed = (on: EmulatorContext): void => {
    for (const m of opts.merchants ?? DEFAULT_MERCHANTS) insertMerchant(on, m);
  };
  const restored = opts.stateFile ? loadWorld(ctx, opts.stateFile) : false;
  if (!restored) seed(ctx);
  if (opts.stateFile) saver = createWorldSaver(ctx, opts.stateFile, opts.saveDelayMs);
  // A new world is written at once, so that the file exists from the start.
  if (saver && !restored) saver.flush();
  const changed = <T>(value: T): T => {
    saver?.changed();
    return value;
  };

  const notFound: NotFoundHandler = (req, reply) => {
    if (req.url.includes('/control/')) {
      return reply.code(404).send({ error: `no control route ${req.method} ${req.url}` });
    }
    return reply.code(404).send(errorBody(40066, ctx.ids.rid()));
  };

  const plugin: FastifyPluginAsync = async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    // File uploads byte for byte (latin1), up to the largest file WeChat takes (ICP videos).
    // Any call may change the world (a token issued, a quota counted): the saver decides.
    if (saver) app.addHook('onResponse', async () => saver?.changed());
    app.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 },
      (_req, body, done) => done(null, body.toString('latin1')),
    );
    registerApiRoutes(app, ctx);
    registerAuthPage(app, ctx);
    registerControlRoutes(app, ctx);
    registerOAuthPage(app, ctx);
    registerUserControlRoutes(app, ctx);
    registerRegistrationControlRoutes(app, ctx);
    registerMpControlRoutes(app, ctx);
    registerTemplateControlRoutes(app, ctx);
    registerAuditControlRoutes(app, ctx);
    registerIcpControlRoutes(app, ctx);
    registerPrivacyControlRoutes(app, ctx);
    // A new world without a restart (openwx's own data is not touched: the sandbox's reset in
    // openwx, POST /api/admin/sandbox/reset, clears both).
    app.post('/control/reset', async () => {
      await reset();
      return { reset: true, merchants: [...ctx.state.merchants.values()] };
    });
    // Fastify allows one not-found handler per prefix: at the root it belongs to the host.
    if (app.prefix) app.setNotFoundHandler(notFound);
  };

  const reset = async (): Promise<void> => {
    // Pushes of the old world finish first, so that none of them lands in the new one.
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
    resetWorld(ctx, seed);
    syncAuditPolicyTimer(ctx);
    saver?.flush();
  };

  let firstTimer: NodeJS.Timeout | undefined;
  let interval: NodeJS.Timeout | undefined;
  const tick = (): void => ctx.track(pushTicket(ctx));

  return {
    plugin,
    notFound,
    state: ctx.state,
    restored,
    start() {
      startAuditPolicyTimer(ctx);
      const every = opts.ticketIntervalMs;
      if (every <= 0 || firstTimer || interval) return;
      firstTimer = setTimeout(() => {
        firstTimer = undefined;
        tick();
        interval = setInterval(tick, every);
        interval.unref();
      }, opts.firstTicketDelayMs ?? every);
      firstTimer.unref();
    },
    async stop() {
      stopAuditPolicyTimer(ctx);
      if (firstTimer) clearTimeout(firstTimer);
      if (interval) clearInterval(interval);
      firstTimer = interval = undefined;
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
      saver?.flush();
      saver?.close();
    },
    pushTicket: () => pushTicket(ctx).then(changed),
    pushAuthEvent: (xml) => pushAuthEvent(ctx, xml).then(changed),
    pushMessage: (appid, xml) => pushMessage(ctx, appid, xml).then(changed),
    createMerchant: (input) => changed(insertMerchant(ctx, input)),
    async authorize(input) {
      const result = changed(authorize(ctx, input));
      return { result, push: changed(await pushAuthorization(ctx, result)) };
    },
    unauthorize: (appid) => pushAuthEvent(ctx, changed(unauthorize(ctx, appid))).then(changed),
    reset,
  };
}
