import type { FastifyInstance, FastifyReply } from 'fastify';
import { escapeHtml } from './auth-page.ts';
import type { EmulatorContext } from './context.ts';
import {
  DEFAULT_USER,
  issueOAuthCode,
  OAUTH_SCOPES,
  requireAccount,
  UserFlowError,
} from './users.ts';

/**
 * WeChat's web OAuth page as a third-party platform uses it on behalf of an official account
 * (`open.weixin.qq.com/connect/oauth2/authorize?...&component_appid=...`). snsapi_base redirects
 * at once; snsapi_userinfo asks the (fake) user first. The redirect carries code, state and appid.
 */
export const OAUTH_PAGE_PATH = '/connect/oauth2/authorize';

type Params = Record<string, string | undefined>;

export interface OAuthRequest {
  appid: string;
  redirectUri: string;
  scope: string;
  state: string;
}

function isHttpUrl(value: string | undefined): value is string {
  try {
    const url = new URL(value ?? '');
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The page's checks; a failure is WeChat's "this link cannot be opened". */
export function readOAuthRequest(ctx: EmulatorContext, q: Params): OAuthRequest {
  const appid = q['appid'] ?? '';
  if (q['component_appid'] !== ctx.state.component.appid) {
    throw new UserFlowError('component_appid 无效 / Invalid component_appid');
  }
  requireAccount(ctx, appid, 'officialaccount');
  if (q['response_type'] !== 'code') throw new UserFlowError('response_type must be code');
  const scope = q['scope'] ?? '';
  const scopes = scope.split(',');
  if (!scopes.every((s) => (OAUTH_SCOPES as readonly string[]).includes(s))) {
    throw new UserFlowError('scope 参数错误 / scope must be snsapi_base or snsapi_userinfo');
  }
  const redirectUri = q['redirect_uri'];
  if (!isHttpUrl(redirectUri)) {
    throw new UserFlowError('redirect_uri 参数错误 / redirect_uri must be an http(s) URL');
  }
  const state = q['state'] ?? '';
  if (state.length > 128) throw new UserFlowError('state is longer than 128 bytes');
  return { appid, redirectUri, scope, state };
}

/** `redirect_uri?code=…&state=…&appid=…`, before any #fragment. */
export function oauthRedirect(req: OAuthRequest, code: string): string {
  const hash = req.redirectUri.indexOf('#');
  const base = hash < 0 ? req.redirectUri : req.redirectUri.slice(0, hash);
  const fragment = hash < 0 ? '' : req.redirectUri.slice(hash);
  const params = new URLSearchParams({ code, state: req.state, appid: req.appid });
  return `${base}${base.includes('?') ? '&' : '?'}${params.toString()}${fragment}`;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem;color:#222}
button{background:#07c160;color:#fff;border:0;border-radius:4px;padding:.6rem 1.4rem;font-size:1rem}
.reason{color:#c00}.muted{color:#888;font-size:.9rem}</style></head>
<body><main>${body}</main>
<p class="muted">WeChat emulator · 微信模拟器（非真实微信 / not the real WeChat）</p></body></html>`;
}

function sendError(reply: FastifyReply, reason: string): FastifyReply {
  const body = `<h1>该链接无法访问 / This link cannot be opened</h1><p class="reason" id="reason">${escapeHtml(reason)}</p>`;
  return reply.code(400).type('text/html; charset=utf-8').send(page('Error', body));
}

function consentPage(ctx: EmulatorContext, req: OAuthRequest): string {
  const nickname = ctx.state.merchants.get(req.appid)?.nickname ?? req.appid;
  const hidden = Object.entries({
    appid: req.appid,
    redirect_uri: req.redirectUri,
    response_type: 'code',
    scope: req.scope,
    state: req.state,
    component_appid: ctx.state.component.appid,
  })
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v)}">`)
    .join('');
  return page(
    '授权 / Authorize',
    `<h1>${escapeHtml(nickname)}</h1>
<p>申请获取你的昵称、头像 / wants your nickname and profile photo</p>
<form method="post" action="authorize/confirm">${hidden}
<label>模拟用户 / Fake user <input name="user" value="${DEFAULT_USER}"></label>
<p><button type="submit">允许 / Allow</button></p></form>`,
  );
}

export function registerOAuthPage(app: FastifyInstance, ctx: EmulatorContext): void {
  const guarded =
    (run: (q: Params) => string | { redirect: string }) =>
    async (q: Params, reply: FastifyReply): Promise<FastifyReply> => {
      try {
        const out = run(q);
        if (typeof out === 'string') return reply.type('text/html; charset=utf-8').send(out);
        return reply.redirect(out.redirect, 302);
      } catch (err) {
        if (err instanceof UserFlowError) return sendError(reply, err.message);
        throw err;
      }
    };

  const show = guarded((q) => {
    const req = readOAuthRequest(ctx, q);
    if (req.scope.split(',').includes('snsapi_userinfo')) return consentPage(ctx, req);
    const { code } = issueOAuthCode(ctx, req.appid, DEFAULT_USER, req.scope);
    return { redirect: oauthRedirect(req, code.value) };
  });
  const confirm = guarded((q) => {
    const req = readOAuthRequest(ctx, q);
    const user = (q['user'] ?? '').trim() || DEFAULT_USER;
    const { code } = issueOAuthCode(ctx, req.appid, user.slice(0, 64), req.scope);
    return { redirect: oauthRedirect(req, code.value) };
  });

  app.get(OAUTH_PAGE_PATH, (req, reply) => show(req.query as Params, reply));
  app.post(`${OAUTH_PAGE_PATH}/confirm`, (req, reply) => {
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    return confirm(Object.fromEntries(form), reply);
  });
}
