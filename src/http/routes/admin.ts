import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/metrics.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../store/db.ts';
import { createEventQueries } from '../../store/queries/events.ts';
import type { StatusService } from '../../services/status.ts';
import type { TokenService } from '../../tokens/token-service.ts';
import { adminGuard } from '../auth.ts';
import { errorBody, eventItem, tokenBody } from '../schemas.ts';

export interface AdminDeps {
  db: Db;
  adminToken: string;
  clock: Clock;
  status: StatusService;
  tokens: TokenService;
  log: Logger;
}

const security = [{ bearerAuth: [] }];

export function adminRoutes(deps: AdminDeps) {
  const events = createEventQueries(deps.db);

  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', adminGuard(deps));

    app.get(
      '/api/admin/status',
      {
        schema: {
          tags: ['Admin'],
          summary: 'Platform status: mode, ticket, component token, authorizers, jobs',
          security,
          response: {
            200: {
              type: 'object',
              properties: {
                mode: { type: 'string', enum: ['sandbox', 'live'] },
                componentAppid: { type: 'string' },
                ticket: {
                  type: 'object',
                  properties: {
                    receivedAt: { type: ['string', 'null'] },
                    ageSeconds: { type: ['number', 'null'] },
                  },
                },
                componentToken: {
                  type: 'object',
                  properties: { expiresAt: { type: ['string', 'null'] } },
                },
                authorizers: { type: 'object', additionalProperties: { type: 'number' } },
                jobs: { type: 'object', additionalProperties: { type: 'number' } },
                warnings: { type: 'array', items: { type: 'string' } },
              },
            },
            401: errorBody,
          },
        },
      },
      () => deps.status.status(),
    );

    app.get<{
      Querystring: {
        limit?: number;
        before?: number;
        appid?: string;
        type?: string;
        source?: string;
        since?: string;
        until?: string;
      };
    }>(
      '/api/admin/events',
      {
        schema: {
          tags: ['Admin'],
          summary:
            'Stored pushes, newest first; page with `before` = the `next` of the previous page',
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
              before: { type: 'integer', minimum: 1 },
              appid: { type: 'string', maxLength: 64 },
              type: { type: 'string', maxLength: 64 },
              source: { type: 'string', enum: ['auth', 'message', 'internal'] },
              since: {
                type: 'string',
                format: 'date-time',
                description: 'Received at or after this time (ISO 8601)',
              },
              until: {
                type: 'string',
                format: 'date-time',
                description: 'Received before this time (ISO 8601)',
              },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                items: { type: 'array', items: eventItem },
                next: { type: ['integer', 'null'] },
              },
            },
            400: errorBody,
            401: errorBody,
          },
        },
      },
      async (req) => {
        const limit = req.query.limit ?? 50;
        const { since, until, ...rest } = req.query;
        const rows = await events.list({
          ...rest,
          since: since === undefined ? undefined : new Date(since),
          until: until === undefined ? undefined : new Date(until),
          limit: limit + 1,
        });
        const page = rows.slice(0, limit);
        return {
          items: page.map((r) => ({
            id: r.id,
            appid: r.appid,
            type: r.type,
            source: r.source,
            receivedAt: r.received_at.toISOString(),
          })),
          next: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
        };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/api/admin/events/:id',
      {
        schema: {
          tags: ['Admin'],
          summary: 'One stored push with its decoded fields (credentials redacted)',
          security,
          params: {
            type: 'object',
            properties: { id: { type: 'string', pattern: '^[0-9]{1,15}$' } },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                ...eventItem.properties,
                createTime: { type: ['string', 'null'] },
                decoded: { type: 'object', additionalProperties: true },
              },
            },
            400: errorBody,
            401: errorBody,
            404: errorBody,
          },
        },
      },
      async (req) => {
        const row = await events.findById(Number(req.params.id));
        if (!row)
          throw new AppError('not_found', `event ${req.params.id} not found`, {
            details: { params: { reason: 'event', id: req.params.id } },
          });
        return {
          id: row.id,
          appid: row.appid,
          type: row.type,
          source: row.source,
          receivedAt: row.received_at.toISOString(),
          createTime: row.create_time?.toISOString() ?? null,
          decoded: row.decoded,
        };
      },
    );

    // The token broker: other systems never refresh tokens themselves.
    app.get(
      '/api/tokens/component',
      {
        schema: {
          tags: ['Tokens'],
          summary: 'The current component_access_token (refreshed if due)',
          security,
          response: { 200: tokenBody, 401: errorBody, 503: errorBody },
        },
      },
      async (req) => {
        const t = await deps.tokens.getComponentToken();
        req.log.info({ kind: 'component' }, 'token handed out');
        return t;
      },
    );

    app.get<{ Params: { appid: string } }>(
      '/api/tokens/authorizers/:appid',
      {
        schema: {
          tags: ['Tokens'],
          summary: 'The current authorizer_access_token of one authorizer (refreshed if due)',
          security,
          params: {
            type: 'object',
            properties: { appid: { type: 'string', pattern: '^wx[0-9a-zA-Z]{16}$' } },
          },
          response: {
            200: tokenBody,
            400: errorBody,
            401: errorBody,
            404: errorBody,
            409: errorBody,
          },
        },
      },
      async (req) => {
        const t = await deps.tokens.getAuthorizerToken(req.params.appid);
        req.log.info({ kind: 'authorizer', appid: req.params.appid }, 'token handed out');
        return t;
      },
    );
  };
}
