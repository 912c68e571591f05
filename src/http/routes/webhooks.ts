import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { DeliveryStatus } from '../../store/queries/webhook-deliveries.ts';
import { DELIVERY_ERROR_CODES } from '../../services/webhook/delivery-errors.ts';
import { WEBHOOK_EVENT_TYPES } from '../../services/webhook/event-types.ts';
import {
  DEFAULT_GRACE_SECONDS,
  MAX_GRACE_SECONDS,
  type NewWebhook,
  type WebhookService,
  type WebhookUpdate,
} from '../../services/webhook/service.ts';
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
  title: 'Webhook',
  type: 'object',
  required: [
    'id',
    'url',
    'events',
    'tenant_id',
    'receive_secrets',
    'created_at',
    'secret_format',
    'secret_rotated_at',
    'previous_secret_expires_at',
  ],
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
    secret_format: {
      type: 'string',
      enum: ['standard', 'legacy'],
      description:
        'standard: a Standard Webhooks secret (whsec_ + base64 of the key); legacy: a secret set before those were required, whose webhook-signature uses its UTF-8 bytes as the key (rotate it to get a standard one)',
    },
    secret_rotated_at: dateOrNull,
    previous_secret_expires_at: {
      ...dateOrNull,
      description:
        'While a rotation’s grace period runs: until when the previous secret signs deliveries too',
    },
    secret: {
      type: 'string',
      description:
        'The signing secret, only in the answer to the request that set it (create, update with a secret, rotate-secret)',
    },
  },
} as const;

const secretField = {
  type: 'string',
  description:
    'Signing secret in the Standard Webhooks form: whsec_ followed by the base64 (with padding) of 24 to 64 random bytes (400 webhook_secret_invalid otherwise); generated if absent',
} as const;

const eventsDescription = `Event types to send (400 webhook_event_type_unknown naming an unknown one). Known types: ${WEBHOOK_EVENT_TYPES.join(', ')}`;

const delivery = {
  title: 'WebhookDelivery',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    webhook_id: { type: 'string' },
    event_id: { type: 'integer' },
    event_type: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed', 'dead'] },
    attempts: { type: 'integer' },
    last_status_code: { type: ['integer', 'null'] },
    last_error: {
      type: ['string', 'null'],
      description: 'What the last attempt failed with, as text (for logs and people)',
    },
    last_error_code: {
      type: ['string', 'null'],
      enum: [...DELIVERY_ERROR_CODES, null],
      description:
        "Why the last attempt failed, as a stable code (the text's meaning); null when it did not fail or failed before openwx recorded codes",
    },
    last_error_params: {
      type: ['object', 'null'],
      description: 'The values of last_error_code (those that apply), null with it',
      additionalProperties: false,
      properties: {
        status: { type: 'integer', description: 'http_status: the HTTP status answered' },
        seconds: { type: 'number', description: 'timeout: the time limit of an attempt' },
        host: { type: 'string', description: 'dns, address_forbidden: the URL host' },
        address: {
          type: 'string',
          description: 'connection_refused, unreachable, address_forbidden: the address',
        },
        port: { type: 'integer', description: 'connection_refused: the port' },
        kind: {
          type: 'string',
          enum: [
            'loopback',
            'private',
            'link_local',
            'metadata',
            'unspecified',
            'shared',
            'refused',
          ],
          description: 'address_forbidden: the kind of address refused',
        },
        reason: {
          type: 'string',
          description: 'url_invalid: the params.reason of the URL check (e.g. url_credentials)',
        },
        tls_code: { type: 'string', description: "tls: Node's error code (e.g. CERT_HAS_EXPIRED)" },
        error_code: { type: 'string', description: "network: Node's error code, when given" },
      },
    },
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
  title: 'WebhookDeliveryPage',
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
      description: `Default: all except component_verify_ticket. ${eventsDescription}`,
    },
    tenant_id: {
      type: 'string',
      maxLength: 128,
      description: 'Only events of this tenant’s appids',
    },
    secret: secretField,
    receive_secrets: {
      type: 'boolean',
      default: false,
      description: 'Also send events that carry credentials (token.refreshed)',
    },
  },
} as const;

const updateBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    url: createBody.properties.url,
    events: {
      type: ['array', 'null'],
      maxItems: 100,
      items: { type: 'string', maxLength: 64 },
      description: `null: all except component_verify_ticket. ${eventsDescription}`,
    },
    tenant_id: { type: ['string', 'null'], maxLength: 128, description: 'null: every tenant' },
    secret: {
      ...secretField,
      description: `${secretField.description.replace(/; generated if absent$/, '')}. Replaces the current secret at once, ending any grace period; rotate-secret keeps the old one valid for a while`,
    },
    receive_secrets: {
      type: 'boolean',
      description: createBody.properties.receive_secrets.description,
    },
  },
} as const;

const rotateBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    graceSeconds: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_GRACE_SECONDS,
      default: DEFAULT_GRACE_SECONDS,
      description:
        'How long the previous secret keeps signing deliveries next to the new one (default 24 h, at most 7 days; 0: it stops at once)',
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

    app.patch<{ Params: { id: string }; Body: WebhookUpdate }>(
      '/api/admin/webhooks/:id',
      {
        schema: {
          tags,
          summary:
            'Change a webhook (the fields given); with a secret, the answer shows it this once',
          security,
          params: idParams,
          body: updateBody,
          response: { 200: webhook, 400: errorBody, 401: errorBody, 404: errorBody },
        },
      },
      (req) => webhooks.update(req.params.id, req.body),
    );

    app.post<{ Params: { id: string }; Body: { graceSeconds?: number } | null }>(
      '/api/admin/webhooks/:id/rotate-secret',
      {
        schema: {
          tags,
          summary:
            'Give a webhook a new generated secret, shown only in this answer; the previous one keeps signing deliveries (a second webhook-signature value) during the grace period',
          security,
          params: idParams,
          body: rotateBody,
          response: { 200: webhook, 400: errorBody, 401: errorBody, 404: errorBody },
        },
      },
      (req) => webhooks.rotateSecret(req.params.id, { graceSeconds: req.body?.graceSeconds }),
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
