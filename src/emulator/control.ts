import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { readControlBody } from './control-body.ts';
import { errorMessage } from '../core/errors.ts';
import { parseXml } from '../crypto/xml.ts';
import { endpointList } from '../wechat/endpoints/index.ts';
import { authorize, AuthorizeError, pushAuthorization, unauthorize } from './authorize.ts';
import { nowMs, type EmulatorContext } from './context.ts';
import { sentMessageView } from './customer-service.ts';
import { addFault, clearFaults } from './faults.ts';
import { registerFleetControlRoutes } from './control-fleet.ts';
import { registerVerificationControlRoutes } from './verification.ts';
import { insertMerchant, merchantView } from './merchants.ts';
import { textMessageXml } from './messages.ts';
import { pushAuthEvent, pushMessage, pushTicket, type PushResult } from './pushes.ts';
import { updateDailyLimit } from './quota.ts';
import { rateLimitView, updateRateLimit } from './rate-limit.ts';
import { runReleaseCheck } from './release-check.ts';
import type { Merchant } from './state.ts';
import { resetStats, statsView } from './stats.ts';

/**
 * The control API: test hooks that play the merchant, the user and WeChat's operators.
 * JSON in and out; bad input answers 400 `{error}`.
 */
const appid = z.string().min(1).max(64);
const xml = z
  .string()
  .min(1)
  .max(64 * 1024);

const schemas = {
  merchant: z.object({
    type: z.enum(['miniprogram', 'officialaccount']),
    nickname: z.string().trim().min(1).max(64),
    principal_name: z.string().trim().min(1).max(128).optional(),
  }),
  authorize: z.object({
    pre_auth_code: z.string().min(1),
    appid,
    func_ids: z.array(z.number().int().positive()).max(200).optional(),
    redirect_uri: z.url().optional(),
  }),
  unauthorize: z.object({ appid }),
  message: z.object({
    appid,
    openid: z.string().min(1).max(128),
    content: z.string().min(1).max(4096),
  }),
  event: z.object({ appid, xml }),
  authEvent: z.object({ xml }),
  fault: z
    .object({
      endpoint: z.string().min(1),
      errcode: z.number().int().optional(),
      times: z.number().int().min(1).max(1_000_000).default(1),
      latencyMs: z.number().int().min(0).max(120_000).optional(),
    })
    .refine((f) => f.errcode !== undefined || f.latencyMs !== undefined, {
      message: 'give errcode, latencyMs or both',
    }),
  clock: z.object({ advanceSeconds: z.number().finite().min(0) }),
  quota: z.object({
    path: z.string().startsWith('/'),
    dailyLimit: z.number().int().min(0),
    appid: appid.optional(),
  }),
  rateLimit: z
    .object({
      calls_per_second: z
        .number({ error: 'calls_per_second must be a positive number or null (off)' })
        .positive({ error: 'calls_per_second must be a positive number or null (off)' })
        .max(1_000_000)
        .nullable(),
      burst: z
        .number({ error: 'burst must be a whole number of calls, at least 1' })
        .int({ error: 'burst must be a whole number of calls, at least 1' })
        .min(1, { error: 'burst must be a whole number of calls, at least 1' })
        .max(1_000_000)
        .optional(),
    })
    .strict()
    .refine((r) => r.calls_per_second !== null || r.burst === undefined, {
      message: 'burst needs calls_per_second',
      path: ['burst'],
    }),
  releaseCheck: z.object({
    group: z.number().int().min(1).max(5).optional(),
    api_wait_ms: z.number().int().min(0).max(60_000).optional(),
    permission_sets: z.array(z.number().int().min(1)).max(100).optional(),
  }),
};

class BadRequest extends Error {}

function read<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const body = readControlBody(schema, raw);
  if (!body.ok) throw new BadRequest(body.error);
  return body.value;
}

function checkXml(text: string): void {
  try {
    parseXml(text);
  } catch (err) {
    throw new BadRequest(`xml: ${errorMessage(err)}`);
  }
}

function authorizedMerchant(ctx: EmulatorContext, id: string): Merchant {
  const merchant = ctx.state.merchants.get(id);
  if (!merchant) throw new BadRequest(`unknown merchant ${id}`);
  if (ctx.state.authorizations.get(id)?.status !== 'authorized') {
    throw new BadRequest(`${id} has not authorized the platform`);
  }
  return merchant;
}

const pushView = (p: PushResult | null): Record<string, unknown> | null =>
  p === null ? null : { status: p.status, ok: p.ok, ...(p.error ? { error: p.error } : {}) };

type Handler = (body: unknown) => unknown;

export function registerControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { state } = ctx;
  const route = (method: 'GET' | 'POST' | 'DELETE', url: string, run: Handler): void => {
    app.route({
      method,
      url: `/control${url}`,
      handler: async (req, reply: FastifyReply) => {
        try {
          return reply.code(200).send(await run(req.body));
        } catch (err) {
          if (err instanceof BadRequest || err instanceof AuthorizeError) {
            return reply.code(400).send({ error: err.message });
          }
          throw err;
        }
      },
    });
  };

  route('POST', '/push-ticket', async () => {
    const r = await pushTicket(ctx);
    return { status: r.status, body: r.body, ok: r.ok, ...(r.error ? { error: r.error } : {}) };
  });

  route('GET', '/stats', () => statsView(ctx));
  route('POST', '/stats/reset', () => {
    resetStats(ctx);
    return { ok: true };
  });

  route('GET', '/rate-limit', () => rateLimitView(ctx));
  route('POST', '/rate-limit', (raw) => {
    const body = read(schemas.rateLimit, raw);
    updateRateLimit(ctx, {
      callsPerSecond: body.calls_per_second,
      ...(body.burst === undefined ? {} : { burst: body.burst }),
    });
    return rateLimitView(ctx);
  });

  route('POST', '/merchants', (raw) => {
    const m = insertMerchant(ctx, read(schemas.merchant, raw));
    return merchantView(m);
  });
  registerFleetControlRoutes(app, ctx);
  registerVerificationControlRoutes(app, ctx);
  route('GET', '/merchants', () => ({
    merchants: [...state.merchants.values()].map(merchantView),
  }));

  route('GET', '/authorizations', () => ({
    authorizations: [...state.authorizations.values()].map((a) => ({
      appid: a.appid,
      status: a.status,
      func_ids: a.funcIds,
      auth_time: a.authTime,
    })),
  }));

  route('POST', '/authorize', async (raw) => {
    const body = read(schemas.authorize, raw);
    const result = authorize(ctx, {
      preAuthCode: body.pre_auth_code,
      appid: body.appid,
      ...(body.func_ids ? { funcIds: body.func_ids } : {}),
      ...(body.redirect_uri ? { redirectUri: body.redirect_uri } : {}),
    });
    const push = await pushAuthorization(ctx, result);
    return {
      auth_code: result.authCode,
      expires_in: result.expiresIn,
      redirect_url: result.redirectUrl,
      info_type: result.infoType,
      push: pushView(push),
    };
  });

  route('POST', '/unauthorize', async (raw) => {
    const body = read(schemas.unauthorize, raw);
    const push = await pushAuthEvent(ctx, unauthorize(ctx, body.appid));
    return { ok: true, push: pushView(push) };
  });

  route('POST', '/messages', async (raw) => {
    const body = read(schemas.message, raw);
    const merchant = authorizedMerchant(ctx, body.appid);
    const msg = textMessageXml(ctx, merchant, body.openid, body.content);
    const r = await pushMessage(ctx, merchant.appid, msg.xml);
    return { ...r, msg_id: msg.msgId };
  });

  route('POST', '/events', async (raw) => {
    const body = read(schemas.event, raw);
    checkXml(body.xml);
    authorizedMerchant(ctx, body.appid);
    return pushMessage(ctx, body.appid, body.xml);
  });

  route('POST', '/auth-events', async (raw) => {
    const body = read(schemas.authEvent, raw);
    checkXml(body.xml);
    return pushAuthEvent(ctx, body.xml);
  });

  route('POST', '/faults', (raw) => {
    const body = read(schemas.fault, raw);
    const known = endpointList.some((e) => e.name === body.endpoint || e.path === body.endpoint);
    if (!known) throw new BadRequest(`unknown endpoint ${body.endpoint}`);
    addFault(state, body);
    return { faults: state.faults };
  });
  route('DELETE', '/faults', () => ({ cleared: clearFaults(state) }));

  route('POST', '/clock', (raw) => {
    const body = read(schemas.clock, raw);
    ctx.clock.advance(Math.round(body.advanceSeconds * 1000));
    const now = nowMs(ctx);
    return { now, unix: Math.floor(now / 1000), offsetMs: ctx.clock.offsetMs };
  });

  route('POST', '/quota', (raw) => {
    const body = read(schemas.quota, raw);
    const owner = body.appid ?? state.component.appid;
    const quota = updateDailyLimit(ctx, owner, body.path, body.dailyLimit);
    return { path: body.path, appid: owner, dailyLimit: quota.dailyLimit, used: quota.used };
  });

  route('POST', '/release-check', async (raw) => {
    const body = read(schemas.releaseCheck, raw);
    return runReleaseCheck(ctx, {
      ...(body.group === undefined ? {} : { group: body.group }),
      ...(body.api_wait_ms === undefined ? {} : { apiWaitMs: body.api_wait_ms }),
      ...(body.permission_sets === undefined ? {} : { permissionSets: body.permission_sets }),
    });
  });

  route('GET', '/sent-messages', () => ({ messages: state.sentMessages.map(sentMessageView) }));
  route('DELETE', '/sent-messages', () => {
    const cleared = state.sentMessages.length;
    state.sentMessages.length = 0;
    return { cleared };
  });

  route('GET', '/pushes', () => ({
    ticket: state.ticketPush,
    authEvent: state.authEventPush,
    message: state.messagePush,
  }));
}
