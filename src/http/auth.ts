import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import { safeEqual } from '../crypto/signature.ts';
import type { Db } from '../store/db.ts';
import { createAuthorizerQueries, type AuthorizerRow } from '../store/queries/authorizers.ts';
import { createTenantQueries } from '../store/queries/tenants.ts';
import { sendError } from './errors.ts';

/**
 * Who is calling: the platform's side (the admin token, with every right, or an operator's
 * console session, with its role's) or a tenant system (one of its API keys). A tenant sees only
 * its own appids; anything else is "not found", never "forbidden".
 */
export type Caller =
  | {
      kind: 'admin';
      role: OperatorRole;
      operator?: { id: string; username: string; sessionId: string };
    }
  | { kind: 'tenant'; tenantId: string; keyId: string };

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

export { hashApiKey as hashKey } from '../services/tenants.ts';
import { hashApiKey as hashKey } from '../services/tenants.ts';
import { createSessionAuthenticator, SESSION_PREFIX } from '../services/operators/service.ts';
import { permits, requiredRole, type OperatorRole } from '../services/operators/roles.ts';

/** The bearer token of a request, or undefined. */
export function bearer(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1]?.trim();
}

export interface GuardDeps {
  adminToken: string;
  db: Db;
  clock: Clock;
}

/**
 * The platform-side caller a bearer token names: the admin token, or a live operator session.
 * An operator whose role does not cover `method route` is answered 403 `forbidden_role`.
 */
function platformCaller(deps: GuardDeps) {
  const authenticate = createSessionAuthenticator(deps);
  return async (
    token: string,
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<'admitted' | 'refused' | 'unknown'> => {
    if (safeEqual(token, deps.adminToken)) {
      req.caller = { kind: 'admin', role: 'admin' };
      return 'admitted';
    }
    if (!token.startsWith(SESSION_PREFIX)) return 'unknown';
    const s = await authenticate(token);
    if (!s) return 'unknown';
    req.caller = {
      kind: 'admin',
      role: s.role,
      operator: { id: s.operator_id, username: s.username, sessionId: s.id },
    };
    const route = req.routeOptions.url ?? req.url.split('?')[0] ?? '';
    if (permits(s.role, req.method, route)) return 'admitted';
    const required = requiredRole(req.method, route);
    await sendError(
      reply,
      403,
      'forbidden_role',
      `the ${s.role} role may not ${req.method} ${route}; it needs the ${required} role`,
      { params: { role: s.role, required } },
    );
    return 'refused';
  };
}

/** An onRequest hook admitting the platform side (admin token, sessions), tenant keys, or both. */
export function callerGuard(deps: GuardDeps, allow: 'admin' | 'tenant' | 'both') {
  const tenants = createTenantQueries(deps.db);
  const platform = platformCaller(deps);
  const what =
    allow === 'admin'
      ? 'the admin token or a console session'
      : allow === 'tenant'
        ? 'a tenant API key'
        : 'the admin token, a console session or a tenant API key';
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearer(req);
    if (token && allow !== 'tenant') {
      const outcome = await platform(token, req, reply);
      if (outcome !== 'unknown') return;
    }
    if (token && allow !== 'admin' && !token.startsWith(SESSION_PREFIX)) {
      const found = await tenants.findTenantByKeyHash(hashKey(token), new Date(deps.clock.now()));
      if (found) {
        req.caller = { kind: 'tenant', ...found };
        return;
      }
    }
    await sendError(
      reply.header('www-authenticate', 'Bearer'),
      401,
      'unauthorized',
      `send ${what} as "Authorization: Bearer <token>" (a revoked key or an ended session no longer works)`,
    );
  };
}

/** `Authorization: Bearer <token>`: the admin token (constant-time compare) or a console session. */
export function adminGuard(deps: GuardDeps) {
  const platform = platformCaller(deps);
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearer(req);
    if (token && (await platform(token, req, reply)) !== 'unknown') return;
    await sendError(
      reply.header('www-authenticate', 'Bearer'),
      401,
      'unauthorized',
      'send the admin token as "Authorization: Bearer <OPENWX_ADMIN_TOKEN>" or sign in to the console',
    );
  };
}

/** The tenant id of a tenant caller (undefined for the admin). */
export function tenantOf(req: FastifyRequest): string | undefined {
  return req.caller?.kind === 'tenant' ? req.caller.tenantId : undefined;
}

/** The authorizer, if this caller may see it; otherwise a 404 (also for another tenant's appid). */
export async function requireAppidAccess(
  db: Db,
  req: FastifyRequest,
  appid: string,
): Promise<AuthorizerRow> {
  const row = await createAuthorizerQueries(db).findByAppid(appid);
  const tenantId = tenantOf(req);
  if (!row || (tenantId !== undefined && row.tenant_id !== tenantId)) {
    throw new AppError('not_found', `authorizer ${appid} not found`, {
      details: { params: { reason: 'authorizer', appid } },
    });
  }
  return row;
}
