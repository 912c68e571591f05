import type { Clock } from '../core/clock.ts';
import type { Config } from '../config/config.ts';
import type { Sealer } from '../crypto/seal.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { createRateLimiter } from '../jobs/rate-limiter.ts';
import type { Logger as PinoLogger } from 'pino';
import type { PassiveReplier } from '../callbacks/callback-service.ts';
import { createAuthorizationService } from '../services/authorizations.ts';
import { createAuthorizerDirectory } from '../services/authorizer-directory.ts';
import { createAutoReplyService } from '../services/auto-replies.ts';
import { createCodePipeline } from '../services/code/code-pipeline.ts';
import { createMpSettings } from '../services/mp-settings.ts';
import { createOnboardingService, officialAuthPages } from '../services/onboarding.ts';
import { createOperatorService } from '../services/operators/service.ts';
import { createProfileService } from '../services/profile/profiles.ts';
import { createProfileSync } from '../services/profile/sync.ts';
import { createRegistrationService } from '../services/registration/registrations.ts';
import { createReleaseResponder } from '../services/release-responder.ts';
import { createRollouts } from '../services/rollout/rollouts.ts';
import { createRolloutWorker } from '../services/rollout/rollout-worker.ts';
import { createTemplateService } from '../services/templates.ts';
import { createTenantService } from '../services/tenants.ts';
import { createUserService } from '../services/users.ts';
import type { Db } from '../store/db.ts';
import type { TokenService } from '../tokens/token-service.ts';
import type { WechatClient } from '../wechat/client.ts';

/**
 * The platform's domain services, built on the core (database, WeChat client, token service,
 * job queue): onboarding and authorizations, tenants, profiles, registrations, templates, the
 * code pipeline and rollouts, merchants' users, operators. Part of the composition root
 * (create.ts): nothing here opens a database or starts a timer.
 */
export interface CoreServices {
  config: Readonly<Config>;
  db: Db;
  client: WechatClient;
  clock: Clock;
  jobs: JobQueue;
  tokens: TokenService;
  sealer: Sealer;
  log: PinoLogger;
  /** Answer WeChat's full-network release checks for its test accounts (default true). */
  releaseResponder?: boolean | undefined;
}

/** WeChat's authorization pages: the official hosts, or the emulator standing in for WeChat. */
function authPages(config: Readonly<Config>) {
  if (config.embeddedEmulator) {
    return {
      pc: `${config.publicUrl}/emulator/cgi-bin/componentloginpage`,
      mobile: `${config.publicUrl}/emulator/safe/bindcomponent`,
    };
  }
  if (config.wechatApiBase === 'https://api.weixin.qq.com') return officialAuthPages();
  return {
    pc: `${config.wechatApiBase}/cgi-bin/componentloginpage`,
    mobile: `${config.wechatApiBase}/safe/bindcomponent`,
  };
}

export type DomainServices = ReturnType<typeof createDomainServices>;

export function createDomainServices(core: CoreServices) {
  const { config, db, client, clock, jobs, tokens, sealer, log } = core;
  const componentAppid = config.component.appid;
  const onboarding = createOnboardingService({
    db,
    client,
    clock,
    componentAppid,
    publicUrl: config.publicUrl,
    pages: authPages(config),
  });
  const platformDomains = { server: config.serverDomains, webview: config.webviewDomains };
  const profiles = createProfileService({ db, clock, platform: platformDomains });
  const profileSync = createProfileSync({ db, client, jobs, profiles, clock, log });
  const mpSettings = createMpSettings({ client, platform: platformDomains, db, clock });
  const authorizations = createAuthorizationService({
    db,
    client,
    tokens,
    sealer,
    clock,
    jobs,
    componentAppid,
    onboarding,
    log,
    onAuthorized: (appid) => profileSync.authorized(appid),
  });
  const tenants = createTenantService({ db, clock });
  const directory = createAuthorizerDirectory({
    db,
    clock,
    client,
    sealer,
    authorizations,
    componentAppid,
    refreshAheadMs: config.tokenRefreshAheadSeconds * 1000,
    log,
  });
  const operators = createOperatorService({ db, clock, sealer, log });
  const releaseResponder =
    core.releaseResponder === false
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
  const registrations = createRegistrationService({
    db,
    client,
    clock,
    jobs,
    staleHours: config.registrationStaleHours,
    log,
  });
  const templates = createTemplateService({
    db,
    client,
    clock,
    libraryLimit: config.templateLibraryLimit,
    warnWithin: config.templateLibraryWarnWithin,
  });
  const code = createCodePipeline({
    db,
    client,
    clock,
    jobs,
    log,
    // The audit item of a submission uses a category of the tenant's profile when it has one;
    // the ext_json declares the privacy interfaces the profile lists.
    preferredCategories: async (appid) => (await profiles.forAuthorizer(appid))?.categories ?? [],
    privacyInterfaces: async (appid) =>
      ((await profiles.forAuthorizer(appid))?.privacy_interfaces ?? []).map((p) => p.api_name),
  });
  const rollouts = createRollouts({
    db,
    clock,
    jobs,
    code,
    workers: config.rollouts.workers,
    failureThreshold: config.rollouts.failureThreshold,
    tenantSelfUpgrade: config.tenantSelfUpgrade,
    log,
  });
  createRolloutWorker({
    db,
    clock,
    jobs,
    code,
    client,
    limiter: createRateLimiter({
      db,
      clock,
      name: 'wechat.rollouts',
      perSecond: config.rollouts.callsPerSecond,
    }),
    leaseMs: config.workLeaseSeconds * 1000,
    log,
  });
  /** What a push gets as its passive reply: WeChat's release check first, then auto-replies. */
  const replier: PassiveReplier = async (appid, fields, meta) =>
    (await releaseResponder?.reply(appid, fields, meta)) ?? autoReplies.reply(appid, fields);
  const users = createUserService({
    db,
    client,
    tokens,
    clock,
    componentAppid,
    // WeChat's user-facing pages: open.weixin.qq.com, or the emulator standing in for WeChat.
    oauthPageBase: () =>
      config.embeddedEmulator
        ? `${config.publicUrl}/emulator`
        : config.wechatApiBase === 'https://api.weixin.qq.com'
          ? 'https://open.weixin.qq.com'
          : config.wechatApiBase,
    log,
  });
  return {
    onboarding,
    profiles,
    profileSync,
    mpSettings,
    authorizations,
    tenants,
    directory,
    operators,
    autoReplies,
    registrations,
    templates,
    code,
    rollouts,
    replier,
    users,
  };
}
