import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import { mpConfig, platformDomains, setPlatformDomains } from './mp-config.ts';

/**
 * Control hooks for mini program configuration: the platform's registered server and business
 * domains (bare hosts; `null` accepts any valid domain), and a look at one mini program's state.
 */
const host = z
  .string()
  .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, 'a bare host name (no scheme, no path)');
const body = z.object({
  server: z.array(host).max(1000).nullable().optional(),
  webview: z.array(host).max(200).nullable().optional(),
});

export function registerMpControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/control/platform-domains', async (req, reply) => {
    let raw: unknown;
    try {
      raw = typeof req.body === 'string' && req.body.trim() !== '' ? JSON.parse(req.body) : {};
    } catch {
      return reply.code(400).send({ error: 'body is not valid JSON' });
    }
    const parsed = body.safeParse(raw);
    if (!parsed.success) {
      const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return reply.code(400).send({ error: msg });
    }
    setPlatformDomains(ctx, {
      ...(parsed.data.server !== undefined ? { server: parsed.data.server } : {}),
      ...(parsed.data.webview !== undefined ? { webview: parsed.data.webview } : {}),
    });
    return platformDomains(ctx);
  });
  app.get('/control/platform-domains', async () => platformDomains(ctx));
  app.get<{ Params: { appid: string } }>('/control/mini-programs/:appid/config', async (req) => {
    const c = mpConfig(ctx, req.params.appid);
    return {
      server: c.server,
      webview: c.webview,
      categories: c.categories,
      privacy: c.privacy,
      head_image: c.headImage,
    };
  });
}
