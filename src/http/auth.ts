import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../crypto/signature.ts';

/** `Authorization: Bearer <token>` against the admin token, compared in constant time. */
export function adminGuard(adminToken: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m?.[1] || !safeEqual(m[1].trim(), adminToken)) {
      await reply.status(401).header('www-authenticate', 'Bearer').send({
        error: 'unauthorized',
        message: 'send the admin token as "Authorization: Bearer <OPENWX_ADMIN_TOKEN>"',
      });
    }
  };
}
