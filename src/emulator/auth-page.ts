import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  authorize,
  AuthorizeError,
  checkPreAuthCode,
  pushAuthorization,
  type AuthorizeResult,
} from './authorize.ts';
import type { EmulatorContext } from './context.ts';
import { allowedMerchants, PERMISSION_SETS, type PermissionSet } from './merchants.ts';
import type { Merchant } from './state.ts';

/**
 * The merchant-facing authorization page (PC `componentloginpage`, H5 `safe/bindcomponent`).
 * The confirm form posts to `<page>/confirm`, a link relative to the page, so the emulator works
 * under any mount prefix. Reference: ../shared/wechat/01 §3.2–3.4, §9.
 */
export const AUTH_PAGE_PATHS = [
  '/cgi-bin/componentloginpage',
  '/safe/bindcomponent',
  '/wxaopen/safe/bindcomponent',
] as const;

const AUTH_TYPES = new Set([1, 2, 3, 4, 5, 6, 8]);

const DOMAIN_RULE =
  '请确认授权入口页所在域名，与授权后回调页所在域名相同，并且，此两者都必须与申请第三方平台时填写的授权发起页域名相同。';

type Params = Record<string, string | undefined>;

class PageError extends Error {}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
fieldset{margin:1rem 0;border:1px solid #ccc;border-radius:6px}label{display:block;margin:.4rem 0}
button{background:#07c160;color:#fff;border:0;border-radius:4px;padding:.6rem 1.4rem;font-size:1rem}
.reason{color:#c00}.muted{color:#888;font-size:.9rem}</style></head>
<body><main>${body}</main>
<p class="muted">WeChat emulator · 微信模拟器（非真实微信 / not the real WeChat）</p></body></html>`;
}

function sendError(reply: FastifyReply, reason: string): FastifyReply {
  const body = `<h1>授权失败 / Authorization failed</h1><p class="reason" id="reason">${escapeHtml(reason)}</p>`;
  return reply.code(400).type('text/html; charset=utf-8').send(layout('授权失败 / Error', body));
}

function checkRedirectDomain(ctx: EmulatorContext, redirectUri: string): void {
  const domain = ctx.settings.authDomain;
  const redirectHost = hostOf(redirectUri);
  if (domain !== undefined && redirectHost !== domain) {
    throw new PageError(`${DOMAIN_RULE}授权后回调页所在域名：${redirectHost ?? '空'}`);
  }
}

/** 授权发起页域名: the page must be reached from that domain and must return to it. */
function checkDomains(
  ctx: EmulatorContext,
  redirectUri: string,
  referer: string | undefined,
): void {
  const domain = ctx.settings.authDomain;
  if (domain === undefined) return;
  const refererHost = hostOf(referer);
  if (refererHost !== domain) {
    throw new PageError(`${DOMAIN_RULE}授权入口页所在域名：${refererHost ?? '空'}`);
  }
  checkRedirectDomain(ctx, redirectUri);
}

interface PageRequest {
  redirectUri: string;
  authType: number;
  bizAppid?: string;
  offered: PermissionSet[];
}

function readParams(ctx: EmulatorContext, q: Params): PageRequest {
  if (q['component_appid'] !== ctx.state.component.appid) {
    throw new PageError('component_appid 无效 / Invalid component_appid');
  }
  const redirectUri = q['redirect_uri'];
  if (!redirectUri || hostOf(redirectUri) === undefined) {
    throw new PageError('redirect_uri 参数错误 / redirect_uri is missing or not a URL');
  }
  const bizAppid = q['biz_appid'] || undefined;
  // auth_type is optional: "如果为未指定，则默认小程序和公众号都展示" (3). A value that is given
  // must be a known type. Source: doc
  // Third-party_Platforms/2.0/api/Before_Develop/Authorization_Process_Technical_Description.
  const rawType = q['auth_type'];
  const authType = rawType === undefined || rawType === '' ? 3 : Number(rawType);
  if (!bizAppid && !AUTH_TYPES.has(authType)) {
    throw new PageError('auth_type 参数错误 / auth_type must be 1, 2, 3, 4, 5, 6 or 8');
  }
  if (bizAppid && !ctx.state.merchants.has(bizAppid)) {
    throw new PageError('biz_appid 无效 / biz_appid is not a known account');
  }
  const ids = (q['category_id_list'] ?? '').split('|').filter(Boolean).map(Number);
  const offered = ids.length
    ? PERMISSION_SETS.filter((p) => ids.includes(p.id))
    : [...PERMISSION_SETS];
  return { redirectUri, authType, ...(bizAppid ? { bizAppid } : {}), offered };
}

const TYPE_LABEL: Record<Merchant['type'], string> = {
  officialaccount: '公众号 / Official Account',
  miniprogram: '小程序 / Mini Program',
};

function renderPage(ctx: EmulatorContext, page: string, q: Params, req: PageRequest): string {
  const merchants = allowedMerchants(ctx, req.authType, req.bizAppid);
  const hidden = [
    'component_appid',
    'pre_auth_code',
    'redirect_uri',
    'auth_type',
    'biz_appid',
    'category_id_list',
  ]
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(q[k] ?? '')}">`)
    .join('');
  const accounts = merchants.length
    ? merchants
        .map(
          (m, i) =>
            `<label><input type="radio" name="appid" value="${escapeHtml(m.appid)}"${i === 0 ? ' checked' : ''}> ` +
            `<span class="nickname">${escapeHtml(m.nickname)}</span> · ${TYPE_LABEL[m.type]} · <code>${escapeHtml(m.appid)}</code></label>`,
        )
        .join('')
    : '<p id="no-accounts">没有可授权的帐号 / No account can authorize this platform</p>';
  const sets = req.offered
    .map(
      (p) =>
        `<label><input type="checkbox" name="func_id" value="${p.id}" checked> ${escapeHtml(p.zh)} / ${escapeHtml(p.en)} ` +
        `<span class="muted">(${TYPE_LABEL[p.type]}, id ${p.id})</span></label>`,
    )
    .join('');
  const action = `${page.slice(page.lastIndexOf('/') + 1)}/confirm`;
  const body = `<h1>授权给第三方平台 / Authorize a third-party platform</h1>
<p>第三方平台 / Platform: <code>${escapeHtml(ctx.state.component.appid)}</code></p>
<form method="post" action="${escapeHtml(action)}">${hidden}
<fieldset><legend>选择要授权的帐号 / Choose the account to authorize</legend>${accounts}</fieldset>
<fieldset><legend>授权权限集 / Permission sets to grant</legend>${sets}</fieldset>
<button type="submit"${merchants.length ? '' : ' disabled'}>确认授权 / Authorize</button>
</form>`;
  return layout('授权 / Authorize', body);
}

function parseForm(raw: unknown): { fields: Params; funcIds: number[] } {
  const form = new URLSearchParams(typeof raw === 'string' ? raw : '');
  const fields: Params = {};
  for (const [k, v] of form) if (k !== 'func_id') fields[k] = v;
  const funcIds = form
    .getAll('func_id')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  return { fields, funcIds };
}

type PageHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** Renders PageError and AuthorizeError as the 400 error page. */
function guarded(run: PageHandler): PageHandler {
  return async (req, reply) => {
    try {
      return await run(req, reply);
    } catch (err) {
      if (err instanceof PageError || err instanceof AuthorizeError) {
        return sendError(reply, err.message);
      }
      throw err;
    }
  };
}

export function registerAuthPage(
  app: FastifyInstance,
  ctx: EmulatorContext,
  onAuthorized: (result: AuthorizeResult) => void = (result) => {
    ctx.track(pushAuthorization(ctx, result));
  },
): void {
  for (const page of AUTH_PAGE_PATHS) {
    app.get(
      page,
      guarded(async (req, reply) => {
        const q = req.query as Params;
        const params = readParams(ctx, q);
        checkDomains(ctx, params.redirectUri, req.headers.referer);
        const code = checkPreAuthCode(ctx, q['pre_auth_code'] ?? '');
        code.redirectUri = params.redirectUri;
        code.authType = params.authType;
        if (params.bizAppid) code.bizAppid = params.bizAppid;
        return reply.type('text/html; charset=utf-8').send(renderPage(ctx, page, q, params));
      }),
    );

    app.post(
      `${page}/confirm`,
      guarded(async (req, reply) => {
        const { fields, funcIds } = parseForm(req.body);
        const params = readParams(ctx, fields);
        checkRedirectDomain(ctx, params.redirectUri);
        const code = checkPreAuthCode(ctx, fields['pre_auth_code'] ?? '');
        code.authType ??= params.authType;
        if (params.bizAppid) code.bizAppid ??= params.bizAppid;
        const appid = fields['appid'];
        if (!appid) throw new PageError('请选择帐号 / Choose an account');
        const merchant = ctx.state.merchants.get(appid);
        const offered = params.offered.filter((p) => p.type === merchant?.type).map((p) => p.id);
        const granted = funcIds.filter((id) => offered.includes(id));
        if (merchant && granted.length === 0) {
          throw new PageError('请至少选择一个权限集 / Choose at least one permission set');
        }
        const result = authorize(ctx, {
          preAuthCode: code.value,
          appid,
          funcIds: granted,
          redirectUri: params.redirectUri,
        });
        onAuthorized(result);
        return reply.redirect(result.redirectUrl ?? params.redirectUri, 302);
      }),
    );
  }
}
