import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/metrics.ts';
import { newId, systemRandom, type RandomSource } from '../../core/random.ts';
import type { Sealer } from '../../crypto/seal.ts';
import type { Db } from '../../store/db.ts';
import { createTenantQueries } from '../../store/queries/tenants.ts';
import {
  createDeliveryQueries,
  type DeliveryRow,
  type DeliveryStatus,
} from '../../store/queries/webhook-deliveries.ts';
import { createWebhookQueries, type WebhookRow } from '../../store/queries/webhooks.ts';
import type { DeliveryErrorCode, DeliveryErrorParams } from './delivery-errors.ts';
import {
  isKnownEventType,
  TOKEN_REFRESH_FAILED,
  TOKEN_REFRESHED,
  WEBHOOK_EVENT_TYPES,
} from './event-types.ts';
import { checkSecretInput, generateSecret, secretFormat, type SecretFormat } from './secret.ts';
import { createTargetPolicy, redactUrl, type TargetPolicy } from './target.ts';

/**
 * Webhook subscriptions (admin API) and the internal events openwx records for them. The secret
 * is sealed at rest and shown once, in the answer to the request that set it (create, update
 * with a secret, rotate-secret).
 */
export interface WebhookView {
  id: string;
  url: string;
  events: string[] | null;
  tenant_id: string | null;
  receive_secrets: boolean;
  created_at: string;
  /** 'legacy': a secret stored before Standard Webhooks secrets were required (rotate it). */
  secret_format: SecretFormat;
  secret_rotated_at: string | null;
  /** While a rotation's grace period runs: when the previous secret stops signing. */
  previous_secret_expires_at: string | null;
  secret?: string;
}

export interface DeliveryView {
  id: number;
  webhook_id: string;
  event_id: number;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  /** Why the last attempt failed, as a stable code (delivery-errors.ts; null for older rows). */
  last_error_code: DeliveryErrorCode | null;
  /** The values the code's sentence needs (e.g. `{ status: 500 }`). */
  last_error_params: DeliveryErrorParams | null;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
}

export interface NewWebhook {
  url: string;
  events?: string[] | undefined;
  tenant_id?: string | undefined;
  secret?: string | undefined;
  receive_secrets?: boolean | undefined;
}

/** PATCH: the fields given change; `events: null` means all types, `tenant_id: null` all tenants. */
export interface WebhookUpdate {
  url?: string | undefined;
  events?: string[] | null | undefined;
  tenant_id?: string | null | undefined;
  secret?: string | undefined;
  receive_secrets?: boolean | undefined;
}

/** The grace period of a rotation: 24 h unless given, at most 7 days. */
export const DEFAULT_GRACE_SECONDS = 24 * 3600;
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;

export interface WebhookServiceDeps {
  db: Db;
  sealer: Sealer;
  clock: Clock;
  log?: Logger;
  /** Wakes the sender (a redelivery is due now). */
  kick?: () => void;
  /** Which targets a webhook may have (default: no private ones). */
  targets?: TargetPolicy;
  /** Where generated secrets come from. */
  random?: RandomSource;
}

export const secretAad = (webhookId: string) => `webhook_secret:${webhookId}`;
export const eventSecretAad = (eventId: number) => `webhook_token:${eventId}`;

const webhookNotFound = (id: string) =>
  new AppError('not_found', `webhook ${id} not found`, {
    details: { params: { reason: 'webhook', id } },
  });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The admin view of a webhook; `secret` is the current secret in clear, only to tell its format. */
export function webhookView(row: WebhookRow, secret: string, now: Date): WebhookView {
  const graceEnd = row.previous_secret_sealed ? row.previous_secret_expires_at : null;
  return {
    id: row.id,
    url: redactUrl(row.url),
    events: row.event_types,
    tenant_id: row.tenant_id,
    receive_secrets: row.receive_secrets,
    created_at: row.created_at.toISOString(),
    secret_format: secretFormat(secret),
    secret_rotated_at: iso(row.secret_rotated_at),
    previous_secret_expires_at: graceEnd && graceEnd > now ? graceEnd.toISOString() : null,
  };
}

export function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    webhook_id: row.webhook_id,
    event_id: row.event_id,
    event_type: row.event_type,
    status: row.status,
    attempts: row.attempts,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    last_error_code: row.last_error_code as DeliveryErrorCode | null,
    last_error_params: row.last_error_code === null ? null : (row.last_error_params ?? {}),
    last_attempt_at: iso(row.last_attempt_at),
    next_attempt_at: iso(row.next_attempt_at),
    delivered_at: iso(row.delivered_at),
    created_at: row.created_at.toISOString(),
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;

export function createWebhookService(deps: WebhookServiceDeps) {
  const { db, sealer, clock } = deps;
  const log = deps.log ?? silentLogger;
  const webhooks = createWebhookQueries(db);
  const deliveries = createDeliveryQueries(db);
  const now = () => new Date(clock.now());
  const targets = deps.targets ?? createTargetPolicy({ allowPrivate: false });
  const random = deps.random ?? systemRandom;
  const view = (row: WebhookRow) =>
    webhookView(row, sealer.open(row.secret_sealed, secretAad(row.id)), now());

  /** Event types of a subscription: null (all) or a non-empty list of known types. */
  function checkEvents(events: string[] | null): string[] | null {
    if (events === null) return null;
    if (events.length === 0)
      throw new AppError(
        'bad_request',
        'events must name at least one event type (leave it out for all)',
        { details: { field: 'events', params: { reason: 'events_empty' } } },
      );
    const unknown = events.find((t) => !isKnownEventType(t));
    if (unknown !== undefined) {
      throw new AppError(
        'webhook_event_type_unknown',
        `unknown event type "${unknown}"; known types: ${WEBHOOK_EVENT_TYPES.join(', ')}`,
        { details: { field: 'events', params: { reason: 'not_in_list', type: unknown } } },
      );
    }
    return [...new Set(events)];
  }

  async function checkTenant(tenantId: string | null | undefined): Promise<void> {
    if (tenantId === undefined || tenantId === null) return;
    const tenant = await createTenantQueries(db).findById(tenantId);
    if (!tenant) {
      throw new AppError('bad_request', `unknown tenant_id ${tenantId}`, {
        details: { field: 'tenant_id', params: { reason: 'tenant_unknown', tenant_id: tenantId } },
      });
    }
  }

  async function requireWebhook(id: string): Promise<WebhookRow> {
    const row = await webhooks.findById(id);
    if (!row) throw webhookNotFound(id);
    return row;
  }

  async function recordInternal(
    type: string,
    appid: string,
    decoded: Record<string, unknown>,
    secret?: Record<string, string>,
  ): Promise<void> {
    try {
      await db.transaction((tx) =>
        createWebhookQueries(tx).insertInternalEvent(
          {
            dedupeKey: `internal:${type}:${newId()}`,
            appid,
            type,
            decoded,
            receivedAt: now(),
          },
          secret ? (id) => sealer.seal(JSON.stringify(secret), eventSecretAad(id)) : undefined,
        ),
      );
    } catch (err) {
      log.warn({ type, appid, err }, 'internal event not stored');
    }
  }

  return {
    async create(input: NewWebhook): Promise<WebhookView & { secret: string }> {
      const url = await targets.checkTarget(input.url);
      const eventTypes = checkEvents(input.events ?? null);
      await checkTenant(input.tenant_id);
      const secret =
        input.secret === undefined ? generateSecret(random) : checkSecretInput(input.secret);
      const id = newId();
      const row = await webhooks.insert({
        id,
        url,
        eventTypes,
        tenantId: input.tenant_id ?? null,
        secretSealed: sealer.seal(secret, secretAad(id)),
        receiveSecrets: input.receive_secrets ?? false,
        at: now(),
      });
      log.info(
        { webhook: id, receiveSecrets: row.receive_secrets, tenant: row.tenant_id },
        'webhook created',
      );
      return { ...view(row), secret };
    },

    list: async (): Promise<WebhookView[]> => (await webhooks.list()).map(view),

    get: async (id: string): Promise<WebhookView> => view(await requireWebhook(id)),

    /**
     * Changes a webhook. A new secret replaces the current one at once (and ends a rotation's
     * grace period); rotateSecret keeps the old one signing for a while.
     */
    async update(id: string, input: WebhookUpdate): Promise<WebhookView & { secret?: string }> {
      await requireWebhook(id);
      const url = input.url === undefined ? undefined : await targets.checkTarget(input.url);
      const eventTypes = input.events === undefined ? undefined : checkEvents(input.events);
      await checkTenant(input.tenant_id);
      const secret = input.secret === undefined ? undefined : checkSecretInput(input.secret);
      const row = await webhooks.update(id, {
        url,
        eventTypes,
        tenantId: input.tenant_id,
        receiveSecrets: input.receive_secrets,
        secretSealed: secret === undefined ? undefined : sealer.seal(secret, secretAad(id)),
        at: now(),
      });
      if (!row) throw webhookNotFound(id);
      log.info({ webhook: id, secretChanged: secret !== undefined }, 'webhook updated');
      return secret === undefined ? view(row) : { ...view(row), secret };
    },

    /**
     * A new generated secret, returned once. The replaced one keeps signing deliveries (a second
     * value in webhook-signature) for `graceSeconds` (default 24 h, 0 to 7 days).
     */
    async rotateSecret(
      id: string,
      opts: { graceSeconds?: number | undefined } = {},
    ): Promise<WebhookView & { secret: string }> {
      const grace = opts.graceSeconds ?? DEFAULT_GRACE_SECONDS;
      if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) {
        throw new AppError(
          'bad_request',
          `graceSeconds must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS} (7 days)`,
          {
            details: {
              field: 'graceSeconds',
              params: { reason: 'grace_out_of_range', max: MAX_GRACE_SECONDS, max_days: 7 },
            },
          },
        );
      }
      await requireWebhook(id);
      const secret = generateSecret(random);
      const at = now();
      const row = await webhooks.rotateSecret(id, {
        secretSealed: sealer.seal(secret, secretAad(id)),
        previousExpiresAt: new Date(at.getTime() + grace * 1000),
        at,
      });
      if (!row) throw webhookNotFound(id);
      log.info({ webhook: id, graceSeconds: grace }, 'webhook secret rotated');
      return { ...view(row), secret };
    },

    async delete(id: string): Promise<void> {
      if (!(await webhooks.deleteById(id))) throw webhookNotFound(id);
      log.info({ webhook: id }, 'webhook deleted');
    },

    async listDeliveries(
      id: string,
      q: { limit: number; before?: number | undefined; status?: DeliveryStatus | undefined },
    ): Promise<{ items: DeliveryView[]; next: number | null }> {
      await requireWebhook(id);
      const rows = await deliveries.list({ webhookId: id, ...q, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      return {
        items: page.map(deliveryView),
        next: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },

    /** Deliveries of every webhook (the console's backlog and dead-letter lists). */
    async listAllDeliveries(q: {
      limit: number;
      before?: number | undefined;
      status?: DeliveryStatus | undefined;
    }): Promise<{ items: DeliveryView[]; next: number | null }> {
      const rows = await deliveries.list({ ...q, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      return {
        items: page.map(deliveryView),
        next: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },

    async redeliver(id: string, deliveryId: string): Promise<DeliveryView> {
      await requireWebhook(id);
      const n = /^\d{1,15}$/.test(deliveryId) ? Number(deliveryId) : undefined;
      const row = n === undefined ? undefined : await deliveries.redeliver(id, n, now());
      if (!row) {
        throw new AppError('not_found', `delivery ${deliveryId} of webhook ${id} not found`, {
          details: { params: { reason: 'delivery', id: deliveryId, webhook_id: id } },
        });
      }
      log.info({ webhook: id, delivery: row.id }, 'redelivery queued');
      deps.kick?.();
      return deliveryView(row);
    },

    /**
     * token.refreshed (component and authorizer access tokens): the token goes sealed into
     * event_secrets, redacted into the event. Recorded only while some webhook would receive it.
     */
    async tokenRefreshed(e: {
      kind: string;
      appid: string;
      access_token: string;
      expires_at: string;
    }): Promise<void> {
      if (e.kind !== 'component' && e.kind !== 'authorizer') return;
      if (!(await webhooks.anyReceivesSecrets(TOKEN_REFRESHED).catch(() => true))) return;
      await recordInternal(
        TOKEN_REFRESHED,
        e.appid,
        { kind: e.kind, appid: e.appid, access_token: '[redacted]', expires_at: e.expires_at },
        { access_token: e.access_token },
      );
    },

    async tokenRefreshFailed(e: { kind: string; appid: string; error: string }): Promise<void> {
      await recordInternal(TOKEN_REFRESH_FAILED, e.appid, {
        kind: e.kind,
        appid: e.appid,
        error: e.error,
      });
    },
  };
}
