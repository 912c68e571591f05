import type { OpenAPIV3_1 } from 'openapi-types';
import { WEBHOOK_EVENT_TYPES } from './event-types.ts';
import {
  PAYLOAD_TYPES,
  payloadExample,
  payloadSchema,
  type JsonSchema,
} from './payload-schemas.ts';

/**
 * The OpenAPI 3.1 `webhooks` section: one entry per event type a webhook can subscribe to, with
 * the body openwx POSTs for it, an example and the headers of every delivery (docs/webhooks.md).
 */
const header = (name: string, description: string, schema: JsonSchema = { type: 'string' }) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema,
});

const HEADERS = [
  header(
    'webhook-id',
    'Standard Webhooks message id, msg_<delivery id>: the same on every attempt and redelivery of a delivery (deduplicate on it)',
  ),
  header(
    'webhook-timestamp',
    'Unix seconds of this attempt (refuse ones too far from your clock)',
    {
      type: 'string',
      pattern: '^[0-9]+$',
    },
  ),
  header(
    'webhook-signature',
    'v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>"> keyed with the base64-decoded part of the whsec_ secret; during a secret rotation’s grace period a second, space-separated value signed with the previous secret',
  ),
  header('x-openwx-event', 'The event type'),
  header('x-openwx-delivery', 'The delivery id (one per webhook and event)'),
  header('x-openwx-timestamp', 'Unix seconds of this attempt (the same as webhook-timestamp)'),
  header(
    'x-openwx-signature',
    'sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>"> keyed with the whole secret string; kept for receivers written before webhook-signature (during a grace period: the previous secret)',
  ),
];

export type WebhooksSection = Record<string, OpenAPIV3_1.PathItemObject>;

export function webhookOpenApi(): WebhooksSection {
  const out: Record<string, { post: Record<string, unknown> }> = {};
  const byType = new Map(PAYLOAD_TYPES.map((p) => [p.type, p]));
  for (const type of WEBHOOK_EVENT_TYPES) {
    const p = byType.get(type);
    if (!p) continue;
    out[type] = {
      post: {
        summary: p.summary,
        description: `POSTed to every webhook subscribed to \`${type}\`${p.doc ? `. WeChat’s documentation of the push: ${p.doc}` : ''}.`,
        operationId: `webhook_${type.replace(/[^A-Za-z0-9_]/g, '_')}`,
        tags: ['Webhook deliveries'],
        ...(p.doc ? { externalDocs: { url: p.doc } } : {}),
        parameters: HEADERS,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: payloadSchema(p),
              examples: { [type]: { summary: p.summary, value: payloadExample(p) } },
            },
          },
        },
        responses: {
          '2XX': { description: 'Delivered (any 2xx within 10 s)' },
          default: { description: 'Failed: retried with backoff for 24 h, then dead' },
        },
      },
    };
  }
  // The schemas are JSON Schema 2020-12 (OpenAPI 3.1), checked by test/integration/webhooks-standard-openapi.test.ts.
  return out as WebhooksSection;
}
