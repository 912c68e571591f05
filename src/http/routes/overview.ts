import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { OverviewService } from '../../services/overview.ts';
import { callerGuard, type GuardDeps } from '../auth.ts';
import { errorBody } from '../schemas.ts';

/** Admin: the platform's health in numbers, for the console's overview page. */
const security = [{ bearerAuth: [] }];
const nullableString = { type: ['string', 'null'] } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const counts = { type: 'object', additionalProperties: { type: 'number' } } as const;

export const overviewBody = {
  title: 'Overview',
  type: 'object',
  properties: {
    mode: { type: 'string', enum: ['sandbox', 'live'] },
    componentAppid: { type: 'string' },
    ticket: {
      type: 'object',
      properties: { receivedAt: nullableString, ageSeconds: nullableNumber },
    },
    componentToken: {
      type: 'object',
      properties: { expiresAt: nullableString, expiresInSeconds: nullableNumber },
    },
    authorizers: {
      type: 'object',
      required: ['authorized', 'revoked', 'total', 'needsAttention'],
      properties: {
        authorized: { type: 'number' },
        revoked: { type: 'number' },
        total: { type: 'number' },
        needsAttention: {
          type: 'number',
          description: 'Authorizers whose token refreshes stopped (authorization gone)',
        },
      },
    },
    tokenFailures: {
      type: 'object',
      properties: {
        total: { type: 'integer' },
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              kind: { type: 'string' },
              appid: { type: 'string' },
              failures: { type: 'integer' },
              lastError: nullableString,
              lastErrorAt: nullableString,
            },
          },
        },
      },
    },
    webhooks: {
      type: 'object',
      properties: {
        backlog: { type: 'integer' },
        dead: { type: 'integer' },
        oldestPendingAt: nullableString,
      },
    },
    audits: {
      type: 'object',
      properties: {
        inFlight: { type: 'integer' },
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              appid: { type: 'string' },
              state: { type: 'string', enum: ['submitted', 'audit_delayed'] },
              since: { type: 'string' },
            },
          },
        },
      },
    },
    jobs: counts,
    rollouts: {
      type: 'object',
      properties: {
        running: { type: 'integer' },
        paused: { type: 'integer' },
        halted: { type: 'integer' },
      },
    },
    auditQuota: {
      type: ['object', 'null'],
      description: 'The monthly audit quota; null when it could not be read',
      properties: { rest: { type: 'integer' }, limit: { type: 'integer' } },
    },
    warnings: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          params: counts,
        },
      },
    },
  },
} as const;

export function overviewRoutes(deps: GuardDeps & { overview: OverviewService }) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));
    app.get(
      '/api/admin/overview',
      {
        schema: {
          tags: ['Admin'],
          security,
          summary:
            'Overview: ticket age, component token expiry, authorizers, token refresh failures, webhook backlog, audits in flight, warnings',
          response: { 200: overviewBody, 401: errorBody },
        },
      },
      () => deps.overview.overview(),
    );
  };
}
