import {
  AUTH_EVENT_TYPES,
  INTERNAL_EVENT_TYPES,
  TOKEN_REFRESH_FAILED,
  TOKEN_REFRESHED,
} from './event-types.ts';

import { AUTH_PAYLOADS } from './payload-auth.ts';
import { APPID, str, type JsonSchema, type PayloadType } from './payload-kit.ts';
import { MESSAGE_PAYLOADS } from './payload-messages.ts';
import { PLATFORM_EVENT_PAYLOADS } from './payload-platform-events.ts';

export type { JsonSchema, PayloadType } from './payload-kit.ts';

/**
 * The JSON body of a delivery, per event type, as delivery.ts builds it: `{ id, type, appid,
 * tenant_id, received_at, data }`. `data` is the decrypted push as callbacks/envelope.ts stores it
 * (every XML value a string, nested elements objects, credentials "[redacted]") or an internal
 * event's fields (service.ts). WeChat adds fields without notice, so `data` allows more than the
 * fields listed; each type names the fields its documentation promises.
 */
const INTERNAL: PayloadType[] = [
  {
    type: TOKEN_REFRESHED,
    summary:
      'openwx refreshed or first obtained an access token (only to webhooks with receive_secrets; carries the token in clear)',
    data: {
      type: 'object',
      required: ['kind', 'appid', 'access_token', 'expires_at'],
      additionalProperties: false,
      properties: {
        kind: { type: 'string', enum: ['component', 'authorizer'] },
        appid: str,
        access_token: str,
        expires_at: { type: 'string', format: 'date-time' },
      },
    },
    example: {
      kind: 'authorizer',
      appid: APPID,
      access_token: 'ACCESS_TOKEN_EXAMPLE',
      expires_at: '2026-01-01T10:00:00.000Z',
    },
  },
  {
    type: TOKEN_REFRESH_FAILED,
    summary: 'openwx could not refresh an access token',
    data: {
      type: 'object',
      required: ['kind', 'appid', 'error'],
      additionalProperties: false,
      properties: { kind: str, appid: str, error: str },
    },
    example: { kind: 'authorizer', appid: APPID, error: 'errcode 61023: refresh_token is invalid' },
  },
];

export const PAYLOAD_TYPES: readonly PayloadType[] = [
  ...INTERNAL,
  ...AUTH_PAYLOADS,
  ...MESSAGE_PAYLOADS,
  ...PLATFORM_EVENT_PAYLOADS,
];

/** The whole body of a delivery of `p.type`. */
export function payloadSchema(p: PayloadType): JsonSchema {
  const internal = (INTERNAL_EVENT_TYPES as readonly string[]).includes(p.type);
  return {
    type: 'object',
    required: ['id', 'type', 'appid', 'tenant_id', 'received_at', 'data'],
    additionalProperties: false,
    properties: {
      id: {
        type: 'integer',
        description: 'The stored event (the same for every webhook and attempt)',
      },
      type: { type: 'string', const: p.type },
      appid: {
        type: ['string', 'null'],
        description: internal
          ? 'The appid of the token'
          : 'The authorizer (AuthorizerAppid or appid of an authorization event, the URL’s appid for a message)',
      },
      tenant_id: {
        type: ['string', 'null'],
        description: 'The tenant owning the appid, else null',
      },
      received_at: { type: 'string', format: 'date-time' },
      data: p.data,
    },
  };
}

export function payloadExample(p: PayloadType): Record<string, unknown> {
  const authLike = (AUTH_EVENT_TYPES as readonly string[]).includes(p.type);
  return {
    id: 1234,
    type: p.type,
    appid: p.type === 'component_verify_ticket' ? null : APPID,
    tenant_id: authLike ? null : 'shop-42',
    received_at: '2026-01-01T08:00:00.000Z',
    data: p.example,
  };
}
