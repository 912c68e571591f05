import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { nowSeconds, type EmulatorContext } from './context.ts';
import { readControlBody } from './control-body.ts';
import { insertMerchant } from './merchants.ts';
import { mpConfig } from './mp-config.ts';

/**
 * Control hooks for fleet-sized set-ups (benchmarks, demos): `POST /control/merchants/bulk`
 * creates many merchants at once; with `ready_for_audit` each mini program already has an
 * approved category (1/101) and a privacy guide, as if the merchant had set them up by hand.
 * The merchants still authorize the platform the normal way (POST /control/authorize).
 */
const bulk = z.object({
  count: z.number().int().min(1).max(100_000),
  type: z.enum(['miniprogram', 'officialaccount']).default('miniprogram'),
  nickname_prefix: z.string().trim().min(1).max(48).default('Fleet shop'),
  ready_for_audit: z.boolean().default(false),
});

export function registerFleetControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/control/merchants/bulk', (req, reply) => {
    const input = readControlBody(bulk, req.body);
    if (!input.ok) return reply.code(400).send({ error: input.error });
    const v = input.value;
    if (v.ready_for_audit && v.type !== 'miniprogram') {
      return reply.code(400).send({ error: 'ready_for_audit: only mini programs are audited' });
    }
    const appids: string[] = [];
    for (let i = 1; i <= v.count; i++) {
      const m = insertMerchant(ctx, { type: v.type, nickname: `${v.nickname_prefix} ${i}` });
      if (v.ready_for_audit) {
        const cfg = mpConfig(ctx, m.appid);
        cfg.categories = [{ first: 1, second: 101, audit_status: 3 }];
        cfg.privacy.dev = {
          owner_setting: { contact_email: 'privacy@example.com', notice_method: 'pop-up' },
          setting_list: [{ privacy_key: 'UserInfo', privacy_text: 'show the member profile' }],
          update_time: nowSeconds(ctx),
        };
      }
      appids.push(m.appid);
    }
    return reply.code(200).send({ appids });
  });
}
