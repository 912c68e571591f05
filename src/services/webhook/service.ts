import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/metrics.ts';
import { newId, randomAlnum } from '../../core/random.ts';
import type { Sealer } from '../../crypto/seal.ts';
import type { Db } from '../../store/db.ts';
import { createTenantQueries } from '../../store/queries/tenants.ts';
import {
  createDeliveryQueries,
  type DeliveryRow,
  type DeliveryStatus,
} from '../../store/queries/webhook-deliveries.ts';
import { createWebhookQueries, type WebhookRow } from '../../store/queries/webhooks.ts';
import {
  isKnownEventType,
  TOKEN_REFRESH_FAILED,
  TOKEN_REFRESHED,
  WEBHOOK_EVENT_TYPES,
} from './event-types.ts';
import { createTargetPolicy, redactUrl, type TargetPolicy } from './target.ts';

/**
 * Webhook subscriptions (admin API) and the internal events openwx records for them. The secret
 * is sealed at rest and shown once, in the answer to the create request.
 */
export interface WebhookView {
  id: string;
  url: string;
  events: string[] | null;
  tenant_id: string | null;
  receive_secrets: boolean;
  created_at: string;
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

export interface WebhookServiceDeps {
  db: Db;
  sealer: Sealer;
  clock: Clock;
  log?: Logger;
  /** Wakes the sender (a redelivery is due now). */
  kick?: () => void;
  /** Which targets a webhook may have (default: no private ones). */
  targets?: TargetPolicy;
}

export const secretAad = (webhookId: string) => `webhook_secret:${webhookId}`;
export const eventSecretAad = (eventId: number) => `webhook_token:${eventId}`;

const bad = (field: string, message: string) =>
  new AppError('bad_request', message, { details: { field } });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function webhookView(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    url: redactUrl(row.url),
    events: row.event_types,
    tenant_id: row.tenant_id,
    receive_secrets: row.receive_secrets,
    created_at: row.created_at.toISOString(),
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

  async function requireWebhook(id: string): Promise<WebhookRow> {
    const row = await webhooks.findById(id);
    if (!row) throw new AppError('not_found', `webhook ${id} not found`);
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
      let eventTypes: string[] | null = null;
      if (input.events !== undefined) {
        if (input.events.length === 0)
          throw bad('events', 'events must name at least one event type (leave it out for all)');
        const unknown = input.events.find((t) => !isKnownEventType(t));
        if (unknown !== undefined) {
          throw bad(
            'events',
            `unknown event type "${unknown}"; known types: ${WEBHOOK_EVENT_TYPES.join(', ')}`,
          );
        }
        eventTypes = [...new Set(input.events)];
      }
      if (input.tenant_id !== undefined) {
        const tenant = await createTenantQueries(db).findById(input.tenant_id);
        if (!tenant) throw bad('tenant_id', `unknown tenant_id ${input.tenant_id}`);
      }
      if (input.secret !== undefined && !/^[\x21-\x7e]{16,256}$/.test(input.secret)) {
        throw bad('secret', 'secret must be 16 to 256 printable ASCII characters without spaces');
      }
      const secret = input.secret ?? `whsec_${randomAlnum(40)}`;
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
      return { ...webhookView(row), secret };
    },

    list: async (): Promise<WebhookView[]> => (await webhooks.list()).map(webhookView),

    get: async (id: string): Promise<WebhookView> => webhookView(await requireWebhook(id)),

    async delete(id: string): Promise<void> {
      if (!(await webhooks.deleteById(id)))
        throw new AppError('not_found', `webhook ${id} not found`);
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
      if (!row)
        throw new AppError('not_found', `delivery ${deliveryId} of webhook ${id} not found`);
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
