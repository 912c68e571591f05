import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import { safeEqual } from '../crypto/signature.ts';
import type { Db } from '../store/db.ts';
import { createAuthorizerQueries, type AuthorizerRow } from '../store/queries/authorizers.ts';
import { createTenantQueries } from '../store/queries/tenants.ts';
import { sendError } from './errors.ts';

/**
 * Who is calling: the operator (admin token) or a tenant system (one of its API keys). A tenant
 * sees only its own appids; anything else is "not found", never "forbidden".
 */
export type Caller = { kind: 'admin' } | { kind: 'tenant'; tenantId: string; keyId: string };

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

export { hashApiKey as hashKey } from '../services/tenants.ts';
import { hashApiKey as hashKey } from '../services/tenants.ts';

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

/** An onRequest hook admitting the admin token, tenant keys, or both. */
export function callerGuard(deps: GuardDeps, allow: 'admin' | 'tenant' | 'both') {
  const tenants = createTenantQueries(deps.db);
  const what =
    allow === 'admin'
      ? 'the admin token'
      : allow === 'tenant'
        ? 'a tenant API key'
        : 'the admin token or a tenant API key';
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearer(req);
    if (token && allow !== 'tenant' && safeEqual(token, deps.adminToken)) {
      req.caller = { kind: 'admin' };
      return;
    }
    if (token && allow !== 'admin') {
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
      `send ${what} as "Authorization: Bearer <token>" (a revoked key no longer works)`,
    );
  };
}

/** `Authorization: Bearer <token>` against the admin token, compared in constant time. */
export function adminGuard(adminToken: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearer(req);
    if (!token || !safeEqual(token, adminToken)) {
      await sendError(
        reply.header('www-authenticate', 'Bearer'),
        401,
        'unauthorized',
        'send the admin token as "Authorization: Bearer <OPENWX_ADMIN_TOKEN>"',
      );
    } else {
      req.caller = { kind: 'admin' };
    }
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
    throw new AppError('not_found', `authorizer ${appid} not found`);
  }
  return row;
}
