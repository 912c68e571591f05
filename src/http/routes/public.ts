import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { errorMessage } from '../../core/errors.ts';
import type { Db } from '../../store/db.ts';
import type { AuthorizationService } from '../../services/authorizations.ts';

/** Routes without auth: health, metrics, and the page WeChat redirects merchants back to. */
export interface PublicDeps {
  db: Db;
  authorizations: AuthorizationService;
  metricsText: () => Promise<{ contentType: string; body: string }>;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function page(title: string, message: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

export function publicRoutes(deps: PublicDeps) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get(
      '/healthz',
      { schema: { tags: ['Operations'], summary: 'Liveness and database reachability' } },
      async (_req, reply) => {
        try {
          await deps.db.query('SELECT 1');
          return { status: 'ok' };
        } catch (err) {
          return reply
            .status(503)
            .send({ status: 'unavailable', message: `database: ${errorMessage(err)}` });
        }
      },
    );

    app.get(
      '/metrics',
      { schema: { tags: ['Operations'], summary: 'Prometheus metrics' } },
      async (_req, reply) => {
        const m = await deps.metricsText();
        return reply.header('content-type', m.contentType).send(m.body);
      },
    );

    app.get<{ Querystring: { auth_code?: string; expires_in?: string } }>(
      '/api/openwx/authorized',
      {
        schema: {
          tags: ['WeChat pushes'],
          summary:
            'Where WeChat redirects the merchant after authorization (auth_code, expires_in)',
        },
      },
      async (req, reply) => {
        const code = req.query.auth_code;
        reply.type('text/html; charset=utf-8');
        if (!code || code.length > 512) {
          return reply
            .status(400)
            .send(
              page(
                '授权失败 Authorization failed',
                'The link has no auth_code. Please start the authorization again.',
              ),
            );
        }
        try {
          const appid = await deps.authorizations.exchange(undefined, code, 'redirect');
          return page(
            '授权成功 Authorization complete',
            `Account ${appid} is now authorized. You can close this page.`,
          );
        } catch (err) {
          req.log.warn({ err: errorMessage(err) }, 'authorization redirect failed');
          return reply
            .status(400)
            .send(
              page(
                '授权失败 Authorization failed',
                `WeChat did not accept the authorization code: ${errorMessage(err)}`,
              ),
            );
        }
      },
    );
  };
}
