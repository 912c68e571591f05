import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { nowMs, nowSeconds, type EmulatorContext } from './context.ts';
import { readControlBody } from './control-body.ts';
import { ICP_FILED, icpApp, icpState } from './icp.ts';
import { defaultFuncIds, insertMerchant } from './merchants.ts';
import { mpConfig } from './mp-config.ts';
import { issueAuthorizerToken } from './tokens.ts';

/**
 * Control hooks for fleet-sized set-ups (benchmarks, demos): `POST /control/merchants/bulk`
 * creates many merchants at once; with `ready_for_audit` each mini program already has an
 * approved category (1/101), a privacy guide and an ICP filing (status 6), as if the merchant
 * had set them up by hand: what a never-released mini program needs before submit_audit.
 * The merchants still authorize the platform the normal way (POST /control/authorize).
 *
 * `POST /control/fleet/authorized` skips that flow for token benchmarks: it creates up to
 * MAX_AUTHORIZED accounts that have authorized the platform already, each with its
 * authorizer_refresh_token and a first authorizer_access_token (what api_query_auth would have
 * answered), optionally issued as if the accounts had authorized one after another over the
 * last `issued_over_seconds`; `ready_for_audit` as for the bulk merchants (rollout benchmarks).
 * `POST /control/token-lifetime` sets the `expires_in` of the tokens
 * issued from then on (WeChat's is 7200 s; shorter ones let a test see several expiries), and
 * `GET /control/fleet/authorizer-tokens` lists when each authorizer's tokens were issued.
 */
export const MAX_AUTHORIZED = 200_000;
const MAX_ISSUED_OVER_SECONDS = 7200;
const countMessage = `count must be a whole number from 1 to ${MAX_AUTHORIZED}`;
const authorizedBulk = z
  .object({
    count: z
      .number({ error: countMessage })
      .int({ error: countMessage })
      .min(1, { error: countMessage })
      .max(MAX_AUTHORIZED, { error: countMessage }),
    type: z.enum(['miniprogram', 'officialaccount']).default('miniprogram'),
    nickname_prefix: z.string().trim().min(1).max(48).default('Fleet app'),
    issued_over_seconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_ISSUED_OVER_SECONDS, {
        error: `issued_over_seconds must be at most ${MAX_ISSUED_OVER_SECONDS}`,
      })
      .default(0),
    ready_for_audit: z.boolean().default(false),
  })
  .strict();
const lifetimeMessage = 'expires_in must be a whole number of seconds from 30 to 7200';
const tokenLifetime = z
  .object({
    expires_in: z
      .number({ error: lifetimeMessage })
      .int({ error: lifetimeMessage })
      .min(30, { error: lifetimeMessage })
      .max(7200, { error: lifetimeMessage }),
  })
  .strict();
const bulk = z.object({
  count: z.number().int().min(1).max(100_000),
  type: z.enum(['miniprogram', 'officialaccount']).default('miniprogram'),
  nickname_prefix: z.string().trim().min(1).max(48).default('Fleet shop'),
  ready_for_audit: z.boolean().default(false),
});

/**
 * A mini program set up for audit by hand: an approved category, a privacy guide, and its ICP
 * filing done (get_icp_entrance_info status 6; no push, the filing predates the platform).
 */
function makeReadyForAudit(ctx: EmulatorContext, appid: string): void {
  const cfg = mpConfig(ctx, appid);
  cfg.categories = [{ first: 1, second: 101, audit_status: 3 }];
  cfg.privacy.dev = {
    owner_setting: { contact_email: 'privacy@example.com', notice_method: 'pop-up' },
    setting_list: [{ privacy_key: 'UserInfo', privacy_text: 'show the member profile' }],
    update_time: nowSeconds(ctx),
  };
  const icp = icpApp(ctx, appid);
  if (icp.status !== ICP_FILED) {
    const s = icpState(ctx);
    s.filed++;
    icp.status = ICP_FILED;
    icp.since = nowSeconds(ctx);
    icp.record_number = `京ICP备${String(20_230_000 + s.filed)}号-1X`;
  }
}

const readyTypeError = 'ready_for_audit: only mini programs are audited';

export function registerFleetControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/control/merchants/bulk', (req, reply) => {
    const input = readControlBody(bulk, req.body);
    if (!input.ok) return reply.code(400).send({ error: input.error });
    const v = input.value;
    if (v.ready_for_audit && v.type !== 'miniprogram') {
      return reply.code(400).send({ error: readyTypeError });
    }
    const appids: string[] = [];
    for (let i = 1; i <= v.count; i++) {
      const m = insertMerchant(ctx, { type: v.type, nickname: `${v.nickname_prefix} ${i}` });
      if (v.ready_for_audit) makeReadyForAudit(ctx, m.appid);
      appids.push(m.appid);
    }
    return reply.code(200).send({ appids });
  });

  app.post('/control/fleet/authorized', (req, reply) => {
    const input = readControlBody(authorizedBulk, req.body);
    if (!input.ok) return reply.code(400).send({ error: input.error });
    const v = input.value;
    const ttl = ctx.settings.tokenTtlSeconds;
    if (v.issued_over_seconds >= ttl) {
      return reply.code(400).send({
        error: `issued_over_seconds must be less than the token lifetime (${ttl} s): older tokens would have expired`,
      });
    }
    if (v.ready_for_audit && v.type !== 'miniprogram') {
      return reply.code(400).send({ error: readyTypeError });
    }
    const now = nowMs(ctx);
    const funcIds = defaultFuncIds(v.type);
    const out: Array<Record<string, string | number>> = [];
    for (let i = 0; i < v.count; i++) {
      const m = insertMerchant(ctx, { type: v.type, nickname: `${v.nickname_prefix} ${i + 1}` });
      if (v.ready_for_audit) makeReadyForAudit(ctx, m.appid);
      // Spread evenly: the first authorized `issued_over_seconds` ago, the last just now.
      const issuedAt =
        now - Math.floor((v.issued_over_seconds * 1000 * (v.count - 1 - i)) / v.count);
      ctx.state.authorizations.set(m.appid, {
        appid: m.appid,
        status: 'authorized',
        funcIds,
        refreshToken: ctx.ids.refreshToken(),
        authTime: Math.floor(issuedAt / 1000),
        options: {},
      });
      const token = issueAuthorizerToken(ctx, m.appid, issuedAt);
      out.push({
        authorizer_appid: m.appid,
        authorizer_access_token: token.value,
        expires_in: Math.round((token.expiresAt - issuedAt) / 1000),
        authorizer_refresh_token: ctx.state.authorizations.get(m.appid)?.refreshToken ?? '',
        issued_at: Math.floor(issuedAt / 1000),
      });
    }
    return reply.code(200).send({ authorizations: out });
  });

  app.get('/control/token-lifetime', (_req, reply) =>
    reply.code(200).send({ expires_in: ctx.settings.tokenTtlSeconds }),
  );
  app.post('/control/token-lifetime', (req, reply) => {
    const input = readControlBody(tokenLifetime, req.body);
    if (!input.ok) return reply.code(400).send({ error: input.error });
    ctx.settings.tokenTtlSeconds = input.value.expires_in;
    return reply.code(200).send({ expires_in: ctx.settings.tokenTtlSeconds });
  });

  app.get('/control/fleet/authorizer-tokens', (_req, reply) => {
    const issued: Record<string, number[]> = {};
    for (const record of ctx.state.authorizerTokens.values()) {
      if (record.appid === undefined) continue;
      (issued[record.appid] ??= []).push(record.issuedAt);
    }
    return reply
      .code(200)
      .send({ now: nowMs(ctx), expires_in: ctx.settings.tokenTtlSeconds, issued });
  });
}
