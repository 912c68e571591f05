import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../crypto/signature.ts';
import { sendError } from './errors.ts';

/** The bearer token of a request, or undefined. */
export function bearer(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1]?.trim();
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
    }
  };
}
