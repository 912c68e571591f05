import type { FastifyPluginAsync } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../config/config.ts';
import type { Emulator } from '../emulator/emulator.ts';
import { adminAuthorizerRoutes, tenantAuthorizerRoutes } from '../http/routes/authorizers.ts';
import { auditRoutes } from '../http/routes/audit.ts';
import { autoReplyRoutes } from '../http/routes/auto-replies.ts';
import { codeRoutes } from '../http/routes/code.ts';
import { consoleRoutes } from '../http/routes/console.ts';
import { overviewRoutes } from '../http/routes/overview.ts';
import { platformSettingsRoutes } from '../http/routes/platform-settings.ts';
import { profileRoutes } from '../http/routes/profiles.ts';
import { proxyRoutes } from '../http/routes/proxy.ts';
import { registrationRoutes } from '../http/routes/registrations.ts';
import { rolloutRoutes } from '../http/routes/rollouts.ts';
import { templateRoutes } from '../http/routes/templates.ts';
import { tenantRoutes } from '../http/routes/tenants.ts';
import { userRoutes } from '../http/routes/users.ts';
import { webhookRoutes } from '../http/routes/webhooks.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { icpRoutes } from '../services/icp/routes.ts';
import { operatorRoutes } from '../services/operators/routes.ts';
import { createOverviewService } from '../services/overview.ts';
import { createPlatformSettings } from '../services/platform-settings.ts';
import { privacyRoutes } from '../services/privacy/routes.ts';
import { sandboxRoutes } from '../services/sandbox/routes.ts';
import { createSandboxService } from '../services/sandbox/service.ts';
import { statsPlugin } from '../services/stats/routes.ts';
import { testerRoutes } from '../services/testers/routes.ts';
import { verificationRoutes } from '../services/verification/routes.ts';
import type { WebhookService } from '../services/webhook/service.ts';
import type { Db } from '../store/db.ts';
import type { TokenService } from '../tokens/token-service.ts';
import type { WechatClient } from '../wechat/client.ts';
import type { DomainServices } from './domain-services.ts';
import type { createMetrics } from './metrics.ts';

/**
 * The admin, tenant and console routes, one plugin per capability, in the order they are
 * registered. Part of the composition root (create.ts): a new capability's plugin is one line
 * here.
 */
export interface RouteWiring {
  config: Readonly<Config>;
  version: string;
  db: Db;
  clock: Clock;
  log: PinoLogger;
  client: WechatClient;
  jobs: JobQueue;
  tokens: TokenService;
  webhooks: WebhookService;
  services: DomainServices;
  emulator: Emulator | undefined;
  metrics: ReturnType<typeof createMetrics>;
}

export function routePlugins(w: RouteWiring): FastifyPluginAsync[] {
  const { config, db, clock, log, client, jobs, tokens, webhooks, emulator } = w;
  const { tenants, profiles, profileSync, mpSettings, directory, authorizations } = w.services;
  const { onboarding, registrations, templates, code, rollouts, operators } = w.services;
  const guard = { db, adminToken: config.adminToken, clock };
  const authorizerRoutes = { ...guard, directory, authorizations, onboarding, tokens };
  return [
    // First: its hooks record the changes made through the route plugins after it.
    auditRoutes({ ...guard, tenants, profiles }),
    tenantRoutes({ ...guard, tenants }),
    adminAuthorizerRoutes(authorizerRoutes),
    tenantAuthorizerRoutes(authorizerRoutes),
    proxyRoutes({ ...guard, client }),
    autoReplyRoutes({ ...guard, autoReplies: w.services.autoReplies }),
    userRoutes({ ...guard, users: w.services.users }),
    webhookRoutes({ ...guard, webhooks }),
    profileRoutes({ ...guard, profiles, sync: profileSync, settings: mpSettings }),
    registrationRoutes({ ...guard, registrations }),
    testerRoutes({ ...guard, client }),
    templateRoutes({ ...guard, templates }),
    codeRoutes({ ...guard, code }),
    rolloutRoutes({ ...guard, rollouts }),
    icpRoutes({ ...guard, client, jobs, log }),
    verificationRoutes({ ...guard, client, jobs, log }),
    privacyRoutes({ ...guard, client }),
    overviewRoutes({
      ...guard,
      overview: createOverviewService({
        db,
        clock,
        tokens,
        jobs,
        mode: config.mode,
        componentAppid: config.component.appid,
        auditQuota: () => code.preflight.recentAuditQuota(),
      }),
    }),
    platformSettingsRoutes({
      ...guard,
      platformSettings: createPlatformSettings({ config, tokens, clock, log }),
    }),
    operatorRoutes({ ...guard, operators }),
    sandboxRoutes({
      ...guard,
      sandbox: createSandboxService({ mode: config.mode, db, emulator, tokens, log }),
    }),
    statsPlugin({ ...guard, log, events: w.metrics }),
    consoleRoutes({ mode: config.mode, version: w.version, hasAccounts: operators.hasAccounts }),
  ];
}
