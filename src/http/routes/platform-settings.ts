import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { PlatformSettingsService } from '../../services/platform-settings.ts';
import { callerGuard, type GuardDeps } from '../auth.ts';
import { errorBody } from '../schemas.ts';

/** Admin: the values to enter in the WeChat Open Platform console (开发配置). */
const security = [{ bearerAuth: [] }];
const tags = ['Admin'];
const strings = { type: 'array', items: { type: 'string' } } as const;

export function platformSettingsRoutes(
  deps: GuardDeps & { platformSettings: PlatformSettingsService },
) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));
    app.get(
      '/api/admin/platform-settings',
      {
        schema: {
          tags,
          security,
          summary:
            'The values for the WeChat Open Platform console (start-page domain, event and message URLs, token, masked key, domains) and whether a ticket arrived',
          response: {
            200: {
              type: 'object',
              properties: {
                mode: { type: 'string', enum: ['sandbox', 'live'] },
                componentAppid: { type: 'string' },
                authDomain: { type: 'string' },
                authEventUrl: { type: 'string' },
                messageUrl: { type: 'string' },
                token: { type: 'string' },
                aesKeyMasked: { type: 'string' },
                serverDomains: strings,
                webviewDomains: strings,
                ticket: {
                  type: 'object',
                  properties: {
                    seen: { type: 'boolean' },
                    receivedAt: { type: ['string', 'null'] },
                    ageSeconds: { type: ['number', 'null'] },
                  },
                },
              },
            },
            401: errorBody,
          },
        },
      },
      () => deps.platformSettings.view(),
    );
    app.post(
      '/api/admin/platform-settings/reveal-aes-key',
      {
        schema: {
          tags,
          security,
          summary: 'The message encryption key in clear (the request is logged)',
          response: {
            200: { type: 'object', properties: { aesKey: { type: 'string' } } },
            401: errorBody,
          },
        },
      },
      (req) =>
        deps.platformSettings.revealAesKey({ ip: req.ip, userAgent: req.headers['user-agent'] }),
    );
  };
}
