import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { DeliveryStatus } from '../../store/queries/webhook-deliveries.ts';
import { WEBHOOK_EVENT_TYPES } from '../../services/webhook/event-types.ts';
import type { NewWebhook, WebhookService } from '../../services/webhook/service.ts';
import { callerGuard, type GuardDeps } from '../auth.ts';
import { errorBody } from '../schemas.ts';

/** Webhook subscriptions and their deliveries (admin only). Format: docs/webhooks.md. */
export interface WebhookRouteDeps extends GuardDeps {
  webhooks: WebhookService;
}

const tags = ['Admin: webhooks'];
const security = [{ bearerAuth: [] }];
const dateOrNull = { type: ['string', 'null'], format: 'date-time' } as const;

const webhook = {
  type: 'object',
  required: ['id', 'url', 'events', 'tenant_id', 'receive_secrets', 'created_at'],
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    events: {
      type: ['array', 'null'],
      items: { type: 'string' },
      description: 'Event types sent; null: all (except component_verify_ticket)',
    },
    tenant_id: { type: ['string', 'null'] },
    receive_secrets: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' },
    secret: { type: 'string', description: 'Only in the answer to the create request' },
  },
} as const;

const delivery = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    webhook_id: { type: 'string' },
    event_id: { type: 'integer' },
    event_type: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed', 'dead'] },
    attempts: { type: 'integer' },
    last_status_code: { type: ['integer', 'null'] },
    last_error: { type: ['string', 'null'] },
    last_attempt_at: dateOrNull,
    next_attempt_at: dateOrNull,
    delivered_at: dateOrNull,
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

const deliveriesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    before: { type: 'integer', minimum: 1 },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed', 'dead'] },
  },
} as const;

const deliveryPage = {
  type: 'object',
  properties: {
    items: { type: 'array', items: delivery },
    next: { type: ['integer', 'null'] },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;

const createBody = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: {
      type: 'string',
      minLength: 1,
      maxLength: 2048,
      description:
        'Where events are POSTed: an absolute http:// or https:// URL without credentials; loopback, private, link-local and metadata addresses only with OPENWX_WEBHOOK_ALLOW_PRIVATE (docs/webhooks.md)',
    },
    events: {
      type: 'array',
      maxItems: 100,
      items: { type: 'string', maxLength: 64 },
      description: `Event types to send (default: all except component_verify_ticket). Known types: ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    },
    tenant_id: {
      type: 'string',
      maxLength: 128,
      description: 'Only events of this tenant’s appids',
    },
    secret: {
      type: 'string',
      maxLength: 256,
      description: 'Signing secret (16 to 256 printable characters); generated if absent',
    },
    receive_secrets: {
      type: 'boolean',
      default: false,
      description: 'Also send events that carry credentials (token.refreshed)',
    },
  },
} as const;

export function webhookRoutes(deps: WebhookRouteDeps) {
  const { webhooks } = deps;

  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));

    app.post<{ Body: NewWebhook }>(
      '/api/admin/webhooks',
      {
        schema: {
          tags,
          summary: 'Create a webhook; the answer holds its signing secret (shown only once)',
          security,
          body: createBody,
          response: { 201: webhook, 400: errorBody, 401: errorBody },
        },
      },
      async (req, reply) => reply.code(201).send(await webhooks.create(req.body)),
    );

    app.get(
      '/api/admin/webhooks',
      {
        schema: {
          tags,
          summary: 'List webhooks (never their secrets)',
          security,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: webhook } } },
            401: errorBody,
          },
        },
      },
      async () => ({ items: await webhooks.list() }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/admin/webhooks/:id',
      {
        schema: {
          tags,
          summary: 'One webhook',
          security,
          params: idParams,
          response: { 200: webhook, 400: errorBody, 401: errorBody, 404: errorBody },
        },
      },
      (req) => webhooks.get(req.params.id),
    );

    app.delete<{ Params: { id: string } }>(
      '/api/admin/webhooks/:id',
      {
        schema: {
          tags,
          summary: 'Delete a webhook and its deliveries (pending ones are not sent)',
          security,
          params: idParams,
          response: {
            204: { type: 'null', description: 'Deleted' },
            400: errorBody,
            401: errorBody,
            404: errorBody,
          },
        },
      },
      async (req, reply) => {
        await webhooks.delete(req.params.id);
        return reply.code(204).send();
      },
    );

    app.get<{
      Params: { id: string };
      Querystring: { limit?: number; before?: number; status?: DeliveryStatus };
    }>(
      '/api/admin/webhooks/:id/deliveries',
      {
        schema: {
          tags,
          summary:
            'Deliveries of a webhook, newest first; page with `before` = the `next` of the previous page',
          security,
          params: idParams,
          querystring: deliveriesQuery,
          response: {
            200: deliveryPage,
            400: errorBody,
            401: errorBody,
            404: errorBody,
          },
        },
      },
      (req) =>
        webhooks.listDeliveries(req.params.id, {
          limit: req.query.limit ?? 50,
          before: req.query.before,
          status: req.query.status,
        }),
    );

    app.get<{
      Querystring: { limit?: number; before?: number; status?: DeliveryStatus };
    }>(
      '/api/admin/webhook-deliveries',
      {
        schema: {
          tags,
          summary:
            'Deliveries of every webhook, newest first (e.g. the backlog: status=pending); page with `before`',
          security,
          querystring: deliveriesQuery,
          response: { 200: deliveryPage, 400: errorBody, 401: errorBody },
        },
      },
      (req) =>
        webhooks.listAllDeliveries({
          limit: req.query.limit ?? 50,
          before: req.query.before,
          status: req.query.status,
        }),
    );

    app.post<{ Params: { id: string; deliveryId: string } }>(
      '/api/admin/webhooks/:id/deliveries/:deliveryId/redeliver',
      {
        schema: {
          tags,
          summary:
            'Queue a new attempt now, with a fresh retry window (also for a dead or delivered one)',
          security,
          params: {
            type: 'object',
            required: ['id', 'deliveryId'],
            properties: {
              id: { type: 'string', maxLength: 64 },
              deliveryId: { type: 'string', maxLength: 32 },
            },
          },
          response: { 202: delivery, 400: errorBody, 401: errorBody, 404: errorBody },
        },
      },
      async (req, reply) =>
        reply.code(202).send(await webhooks.redeliver(req.params.id, req.params.deliveryId)),
    );
  };
}
