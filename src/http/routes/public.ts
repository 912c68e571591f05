import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type {} from '@fastify/swagger';
import { errorMessage, isAppError } from '../../core/errors.ts';
import type { OnboardingService } from '../../services/onboarding.ts';
import type { LinkRow } from '../../store/queries/links.ts';
import type { AuthorizationService } from '../../services/authorizations.ts';
import { bearer } from '../auth.ts';
import { sendError } from '../errors.ts';
import { errorBody } from '../schemas.ts';
import { createAddressLimiter, type AddressLimits } from '../address-limiter.ts';

/** Why openwx is not ready: `database_unreachable`, `migrations_pending`, ... */
export interface NotReady {
  code: string;
  message: string;
  params: Record<string, unknown>;
}

/** The readiness of this process, as the composition root knows it. */
export interface Readiness {
  /** Set while the database is still being connected and migrated at start. */
  starting(): { reason: NotReady; retryAfterSeconds: number } | undefined;
  /** Reachable and migrated now, or why not. */
  check(): Promise<NotReady | undefined>;
}

/**
 * Who may read /metrics on the main port: nobody (off, or served on OPENWX_METRICS_PORT only),
 * or whoever sends the bearer token OPENWX_METRICS_TOKEN.
 */
export type MetricsAccess =
  { kind: 'off' } | { kind: 'separate_port' } | { kind: 'token'; token: string };

/** Routes without the admin guard: probes, metrics, and the pages merchants see. */
export interface PublicDeps {
  authorizations: AuthorizationService;
  onboarding: OnboardingService;
  readiness: Readiness;
  metricsAccess: MetricsAccess;
  metricsText: () => Promise<{ contentType: string; body: string }>;
  /** Refused returns to /api/openwx/authorized per client address (default RETURN_LIMITS). */
  returnLimits?: AddressLimits;
}

/**
 * A merchant comes back from WeChat's page once per authorization; a handful of refusals a
 * minute per address is plenty for a mistyped or reloaded URL and useless for guessing.
 */
export const RETURN_LIMITS: AddressLimits = { burst: 10, perMinute: 10 };

/** Routes that answer while the database is not ready (everything else: 503 not_ready). */
export const OPERATIONS_ROUTES: ReadonlySet<string> = new Set([
  '/livez',
  '/readyz',
  '/healthz',
  '/metrics',
]);

const probeBody = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    reason: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        params: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

async function ready(deps: PublicDeps, reply: FastifyReply) {
  const reason = await deps.readiness.check();
  if (!reason) return { status: 'ok' };
  return reply.status(503).send({ status: 'unavailable', reason });
}

/** Constant-time, whatever the lengths: both sides are compared as SHA-256 digests. */
function tokenMatches(given: string, expected: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** /metrics on the main port: off, elsewhere, or behind the metrics token. */
function metricsRefusal(access: MetricsAccess, header: string | undefined) {
  switch (access.kind) {
    case 'off':
      return {
        status: 404,
        code: 'metrics_disabled',
        message:
          'metrics are off: set OPENWX_METRICS_TOKEN (then send Authorization: Bearer <token>) or OPENWX_METRICS_PORT (a separate port without auth)',
        params: { settings: ['OPENWX_METRICS_TOKEN', 'OPENWX_METRICS_PORT'] },
      };
    case 'separate_port':
      return {
        status: 404,
        code: 'metrics_disabled',
        message: 'metrics are served on OPENWX_METRICS_PORT only, not on this port',
        params: { settings: ['OPENWX_METRICS_PORT'] },
      };
    case 'token':
      if (header !== undefined && tokenMatches(header, access.token)) return undefined;
      return {
        status: 401,
        code: 'unauthorized',
        message: '/metrics needs Authorization: Bearer <OPENWX_METRICS_TOKEN>',
        params: { settings: ['OPENWX_METRICS_TOKEN'] },
      };
  }
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function page(title: string, message: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

function startPage(pcUrl: string, mobileUrl: string): string {
  const a = (href: string, label: string) =>
    `<p><a class="btn" href="${escapeHtml(href)}">${label}</a></p>`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>授权 Authorize</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}.btn{display:inline-block;background:#07c160;color:#fff;padding:.7rem 1.4rem;border-radius:4px;text-decoration:none}</style></head>
<body><h1>授权公众号或小程序 Authorize your account</h1><p>点击按钮，在微信页面上用管理员微信扫码确认授权。Click the button and confirm with the administrator's WeChat.</p>
${a(pcUrl, '电脑上授权 Authorize (PC)')}${a(mobileUrl, '手机微信内授权 Authorize in WeChat (mobile)')}</body></html>`;
}

/** Why a return to /api/openwx/authorized was refused without asking WeChat. */
function returnRefusal(
  token: string | undefined,
  link: LinkRow | undefined,
  onboarding: OnboardingService,
): string {
  const again = 'Please start again from the authorization link you were given.';
  if (!token)
    return `This auth_code is invalid here: the address names no authorization link of this platform and WeChat never sent the code. ${again}`;
  if (!link) return `This authorization link does not exist. ${again}`;
  if (link.used_at) return `This authorization link was already used. ${again}`;
  if (onboarding.isExpired(link)) return `This authorization link has expired. ${again}`;
  return `This auth_code is invalid here. ${again}`;
}

export function publicRoutes(deps: PublicDeps) {
  const returns = createAddressLimiter(deps.returnLimits ?? RETURN_LIMITS);
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get(
      '/livez',
      {
        schema: {
          tags: ['Operations'],
          summary: 'Liveness: the process answers (never reads the database)',
          response: { 200: probeBody },
        },
      },
      async () => ({ status: 'ok' }),
    );

    const readySchema = {
      tags: ['Operations'],
      response: { 200: probeBody, 503: probeBody },
    };
    app.get(
      '/readyz',
      {
        schema: {
          ...readySchema,
          summary:
            'Readiness: the database is reachable and migrated (503 with the reason otherwise)',
        },
      },
      async (_req, reply) => ready(deps, reply),
    );
    app.get(
      '/healthz',
      { schema: { ...readySchema, summary: 'The same as /readyz' } },
      async (_req, reply) => ready(deps, reply),
    );

    app.get(
      '/metrics',
      {
        schema: {
          tags: ['Operations'],
          summary:
            'Prometheus metrics (with OPENWX_METRICS_TOKEN; off by default, or on OPENWX_METRICS_PORT)',
          security: [{ bearerAuth: [] }],
          response: { 401: errorBody, 404: errorBody },
        },
      },
      async (req, reply) => {
        const refused = metricsRefusal(deps.metricsAccess, bearer(req));
        if (refused) {
          if (refused.status === 401) reply.header('www-authenticate', 'Bearer');
          return sendError(reply, refused.status, refused.code, refused.message, {
            params: refused.params,
          });
        }
        const m = await deps.metricsText();
        return reply.header('content-type', m.contentType).send(m.body);
      },
    );

    app.get<{ Querystring: { auth_code?: string; expires_in?: string; link?: string } }>(
      '/api/openwx/authorized',
      {
        schema: {
          tags: ['WeChat pushes'],
          summary:
            'Where WeChat redirects the merchant after authorization (auth_code, expires_in)',
        },
      },
      async (req, reply) => {
        reply.type('text/html; charset=utf-8');
        const wait = returns.retryAfter(req.ip);
        if (wait !== undefined) {
          return reply
            .status(429)
            .header('retry-after', String(wait))
            .send(
              page(
                '请稍后再试 Too many attempts',
                `Too many authorization returns from this address were refused. Try again in ${wait} s.`,
              ),
            );
        }
        const refuse = (status: number, message: string) => {
          returns.spend(req.ip);
          return reply.status(status).send(page('授权失败 Authorization failed', message));
        };
        const code = req.query.auth_code;
        if (!code || code.length > 512)
          return refuse(400, 'The link has no auth_code. Please start the authorization again.');
        const linkToken =
          req.query.link && /^[A-Za-z0-9]{1,64}$/.test(req.query.link) ? req.query.link : undefined;
        const link = linkToken ? await deps.onboarding.findLink(linkToken) : undefined;
        // Only a code that can be genuine reaches WeChat: one returned through a link openwx
        // issued that still awaits its merchant, or one WeChat already pushed to openwx.
        const genuine =
          (link !== undefined && deps.onboarding.awaitsReturn(link)) ||
          (await deps.authorizations.codeReceived(code));
        if (!genuine) {
          req.log.warn(
            { link: linkToken ? (link ? 'closed' : 'unknown') : 'none' },
            'authorization return refused without asking WeChat',
          );
          return refuse(400, returnRefusal(linkToken, link, deps.onboarding));
        }
        try {
          const appid = await deps.authorizations.exchange(
            undefined,
            code,
            'redirect',
            linkToken ? { token: linkToken } : undefined,
          );
          const used = linkToken ? await deps.onboarding.findLink(linkToken) : undefined;
          if (used?.redirect) {
            const target = new URL(used.redirect);
            target.searchParams.set('appid', appid);
            return reply.redirect(target.toString());
          }
          return page(
            '授权成功 Authorization complete',
            `Account ${appid} is now authorized. You can close this page.`,
          );
        } catch (err) {
          req.log.warn({ err }, 'authorization redirect failed');
          const status = isAppError(err) && err.code === 'conflict' ? 409 : 400;
          return refuse(status, `The authorization was not accepted: ${errorMessage(err)}`);
        }
      },
    );

    // The start page: WeChat opens its authorization page only when reached from the platform's
    // own domain (Referer), so merchants start here and follow the link.
    app.get<{ Params: { token: string } }>(
      '/authorize/:token',
      {
        schema: {
          tags: ['Onboarding'],
          summary: 'Authorization start page for merchants (links to WeChat’s page)',
        },
      },
      async (req, reply) => {
        reply.type('text/html; charset=utf-8');
        const link = /^[A-Za-z0-9]{1,64}$/.test(req.params.token)
          ? await deps.onboarding.findLink(req.params.token)
          : undefined;
        if (!link)
          return reply
            .status(404)
            .send(
              page(
                '链接无效 Link not found',
                'This authorization link does not exist. Ask for a new one.',
              ),
            );
        if (link.used_at)
          return reply
            .status(410)
            .send(
              page(
                '链接已使用 Link already used',
                'This link was already used. Ask for a new one to authorize again.',
              ),
            );
        if (deps.onboarding.isExpired(link)) {
          return reply
            .status(410)
            .send(
              page(
                '链接已过期 Link expired',
                'This authorization link has expired. Ask for a new one.',
              ),
            );
        }
        return startPage(link.pc_url, link.mobile_url);
      },
    );
  };
}
