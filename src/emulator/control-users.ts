import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readControlBody } from './control-body.ts';
import type { EmulatorContext } from './context.ts';
import { oauthRedirect } from './oauth-page.ts';
import {
  currentJsapiTicket,
  DEFAULT_USER,
  issueJsCode,
  issueOAuthCode,
  jsapiTicketWorks,
  OAUTH_SCOPES,
  requireAccount,
  USER_CODE_TTL_MS,
  UserFlowError,
} from './users.ts';

/**
 * Control routes that play the merchants' users: log in to a mini program (`wx.login`), consent
 * on the OAuth page, and check a JS-SDK signature as `wx.config` would.
 */
const appid = z.string().min(1).max(64);
const user = z.string().trim().min(1).max(64).default(DEFAULT_USER);

const schemas = {
  login: z.object({ appid, user }),
  oauth: z.object({
    appid,
    user,
    scope: z.enum(OAUTH_SCOPES).default('snsapi_base'),
    redirect_uri: z.url().optional(),
    state: z.string().max(128).default(''),
  }),
  ticket: z.object({ appid }),
  jssdk: z.object({
    appid,
    url: z.string().min(1),
    timestamp: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
    nonceStr: z.string().min(1),
    signature: z.string().min(1),
  }),
};

function read<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const body = readControlBody(schema, raw);
  if (!body.ok) throw new UserFlowError(body.error);
  return body.value;
}

export function registerUserControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const route = (url: string, run: (raw: unknown) => unknown): void => {
    app.post(`/control/users${url}`, async (req, reply) => {
      try {
        return reply.code(200).send(run(req.body));
      } catch (err) {
        if (err instanceof UserFlowError) return reply.code(400).send({ error: err.message });
        throw err;
      }
    });
  };
  const expiresIn = USER_CODE_TTL_MS / 1000;

  route('/login', (raw) => {
    const body = read(schemas.login, raw);
    requireAccount(ctx, body.appid, 'miniprogram');
    const { code, user: u } = issueJsCode(ctx, body.appid, body.user);
    return { js_code: code.value, openid: u.openid, unionid: u.unionid, expires_in: expiresIn };
  });

  route('/oauth', (raw) => {
    const body = read(schemas.oauth, raw);
    requireAccount(ctx, body.appid, 'officialaccount');
    const { code, user: u } = issueOAuthCode(ctx, body.appid, body.user, body.scope);
    const redirect = body.redirect_uri
      ? oauthRedirect(
          {
            appid: body.appid,
            redirectUri: body.redirect_uri,
            scope: body.scope,
            state: body.state,
          },
          code.value,
        )
      : null;
    return { code: code.value, openid: u.openid, expires_in: expiresIn, redirect_url: redirect };
  });

  route('/jsapi-ticket', (raw) => {
    const body = read(schemas.ticket, raw);
    const ticket = currentJsapiTicket(ctx, body.appid);
    if (!ticket) throw new UserFlowError(`${body.appid} has no valid jsapi_ticket`);
    return { ticket: ticket.value, expires_at: new Date(ticket.expiresAt).toISOString() };
  });

  route('/jssdk-check', (raw) => {
    const body = read(schemas.jssdk, raw);
    const url = body.url.split('#')[0] ?? body.url;
    const value = ctx.state.users.jsapiTickets;
    for (const ticket of value.keys()) {
      if (!jsapiTicketWorks(ctx, body.appid, ticket)) continue;
      const expected = createHash('sha1')
        .update(
          `jsapi_ticket=${ticket}&noncestr=${body.nonceStr}&timestamp=${body.timestamp}&url=${url}`,
        )
        .digest('hex');
      if (expected === body.signature) return { ok: true };
    }
    return { ok: false, reason: 'invalid signature' };
  });
}
