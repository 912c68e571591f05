import { createHmac } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { errorMessage, isAppError } from '../../core/errors.ts';
import { noopMetrics, silentLogger, type Logger, type Metrics } from '../../core/metrics.ts';
import { newId } from '../../core/random.ts';
import type { Sealer } from '../../crypto/seal.ts';
import type { Db } from '../../store/db.ts';
import {
  createDeliveryQueries,
  type ClaimedDelivery,
} from '../../store/queries/webhook-deliveries.ts';
import { createDispatchQueries } from '../../store/queries/webhooks.ts';
import { EXCLUDED_BY_DEFAULT } from './event-types.ts';
import { deliveryFailureOf, timedOut, type DeliveryFailure } from './delivery-errors.ts';
import { postPinned, replyExcerpt } from './post.ts';
import { signingKey, standardSignature } from './secret.ts';
import { eventSecretAad, secretAad } from './service.ts';
import { checkWebhookUrl, createTargetPolicy, redactUrl, type TargetPolicy } from './target.ts';

/**
 * The webhook outbox, run by every instance: a dispatcher turns new stored events into
 * deliveries (one instance at a time holds the cursor), and a sender posts due deliveries (each
 * claimed in the database by one worker). Nothing here runs in the push endpoints' path.
 */
export interface WebhookDeliveryOptions {
  db: Db;
  sealer: Sealer;
  clock: Clock;
  log?: Logger;
  /** Counts each attempt's outcome (openwx_webhook_deliveries_total). */
  metrics?: Pick<Metrics, 'webhookDelivery'>;
  workerId?: string;
  pollMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Failed deliveries are retried until this long after their first attempt (default 24 h). */
  retryWindowMs?: number;
  /** Wait before retry n (1-based); default 30 s · 2^(n-1), at most 1 h, ±20 % jitter. */
  backoffMs?: (attempt: number) => number;
  /** Deliveries sent at once by this instance. */
  concurrency?: number;
  /** How long an event waits for its authorizer and that authorizer's tenant (default 60 s). */
  unknownAppidGraceMs?: number;
  /** Fanned-out events older than this no longer hold the cursor back. */
  settleMs?: number;
  batch?: number;
  /** Which targets may be reached (default: no private ones); each attempt checks its address. */
  targets?: TargetPolicy;
}

export const SIGNATURE_HEADER = 'x-openwx-signature';

/** The Standard Webhooks `webhook-id` of a delivery: the same on every attempt and redelivery. */
export const standardWebhookId = (deliveryId: number | string) => `msg_${deliveryId}`;

/**
 * The Standard Webhooks headers of one attempt: `webhook-signature` carries the current secret's
 * signature, then, while a rotation's grace period runs, the previous secret's.
 */
export function standardHeaders(
  secrets: readonly string[],
  deliveryId: number | string,
  timestamp: number,
  body: string,
): Record<string, string> {
  const id = standardWebhookId(deliveryId);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets
      .map((s) => standardSignature(signingKey(s), id, timestamp, body))
      .join(' '),
  };
}

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the webhook secret (its UTF-8 bytes):
 * the X-Openwx-Signature header that predates Standard Webhooks, kept for existing receivers.
 */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function defaultBackoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

type Outcome =
  | { ok: true; status: number }
  | { ok: false; status: number | null; error: string; failure: DeliveryFailure };

export type WebhookDelivery = ReturnType<typeof createWebhookDelivery>;

export function createWebhookDelivery(opts: WebhookDeliveryOptions) {
  const { db, sealer, clock } = opts;
  const log = opts.log ?? silentLogger;
  const metrics = opts.metrics ?? noopMetrics;
  const workerId = opts.workerId ?? newId();
  const pollMs = opts.pollMs ?? 500;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const retryWindowMs = opts.retryWindowMs ?? 24 * 3600_000;
  const backoff = opts.backoffMs ?? ((n: number) => defaultBackoffMs(n));
  const concurrency = opts.concurrency ?? 16;
  const graceMs = opts.unknownAppidGraceMs ?? 60_000;
  const settleMs = opts.settleMs ?? 5 * 60_000;
  const batch = opts.batch ?? 200;
  const targets = opts.targets ?? createTargetPolicy({ allowPrivate: false });
  const deliveries = createDeliveryQueries(db);
  const inflight = new Map<number, { done: Promise<void>; abort: AbortController }>();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let stopped = true;

  /** Fans out the next events; returns how many events were handled (0: nothing, or not ours). */
  async function dispatchOnce(): Promise<number> {
    return db.transaction(async (tx) => {
      const q = createDispatchQueries(tx);
      const cursor = await q.lockCursor();
      if (cursor === undefined) return 0;
      const at = clock.now();
      const pending = await q.findPending(cursor, batch, new Date(at - graceMs));
      const ready = pending.filter((p) => p.ready).map((p) => p.id);
      const waiting = pending.find((p) => !p.ready)?.id;
      await q.fanOut(ready, new Date(at), EXCLUDED_BY_DEFAULT);
      await q.advance(
        new Date(at - settleMs),
        waiting === undefined ? Number.MAX_SAFE_INTEGER : waiting - 1,
      );
      return ready.length;
    });
  }

  async function post(d: ClaimedDelivery, signal: AbortSignal): Promise<Outcome> {
    const secretData = d.secret_data
      ? (JSON.parse(sealer.open(d.secret_data, eventSecretAad(d.event_id))) as object)
      : {};
    const body = JSON.stringify({
      id: d.event_id,
      type: d.type,
      appid: d.appid,
      tenant_id: d.tenant_id,
      received_at: d.received_at.toISOString(),
      data: { ...d.decoded, ...secretData },
    });
    const timestamp = Math.floor(clock.now() / 1000);
    const secret = sealer.open(d.secret_sealed, secretAad(d.webhook_id));
    // During a rotation's grace period the replaced secret signs too; X-Openwx-Signature (one
    // value only) keeps using it until the period ends, so receivers of that header switch then.
    const previous =
      d.previous_secret_sealed &&
      d.previous_secret_expires_at &&
      d.previous_secret_expires_at.getTime() > clock.now()
        ? sealer.open(d.previous_secret_sealed, secretAad(d.webhook_id))
        : undefined;
    const timeout = AbortSignal.timeout(timeoutMs);
    let host = '';
    try {
      host = new URL(d.url).hostname;
    } catch {
      // checkWebhookUrl below refuses it
    }
    try {
      // The URL's form and the address connected to are checked on every attempt: a name may
      // resolve elsewhere than when the webhook was created.
      const url = new URL(checkWebhookUrl(d.url));
      const pinned = await targets.pin(url);
      const res = await postPinned(
        url,
        pinned,
        body,
        {
          'content-type': 'application/json',
          'user-agent': 'openwx-webhooks',
          'x-openwx-event': d.type,
          'x-openwx-delivery': String(d.id),
          'x-openwx-timestamp': String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(previous ?? secret, timestamp, body),
          ...standardHeaders(
            previous === undefined ? [secret] : [secret, previous],
            d.id,
            timestamp,
            body,
          ),
        },
        AbortSignal.any([signal, timeout]),
      );
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      const text = replyExcerpt(res.head);
      return {
        ok: false,
        status: res.status,
        error: `HTTP ${res.status}${text ? `: ${text}` : ''}`,
        failure: { code: 'http_status', params: { status: res.status } },
      };
    } catch (err) {
      const failure = deliveryFailureOf(err, host, timeoutMs);
      if (isAppError(err))
        return { ok: false, status: null, error: `refused: ${err.message}`, failure };
      if (timeout.aborted)
        return {
          ok: false,
          status: null,
          error: `timed out after ${timeoutMs} ms`,
          failure: timedOut(timeoutMs),
        };
      const cause = (err as { cause?: unknown }).cause;
      return { ok: false, status: null, error: errorMessage(cause ?? err), failure };
    }
  }

  async function send(d: ClaimedDelivery, abort: AbortController): Promise<void> {
    const outcome = await post(d, abort.signal).catch((err: unknown): Outcome => ({
      ok: false,
      status: null,
      error: errorMessage(err),
      failure: { code: 'internal', params: {} },
    }));
    if (abort.signal.aborted) {
      await deliveries.release(d.id, workerId);
      return;
    }
    const at = new Date(clock.now());
    if (outcome.ok) {
      await deliveries.markDelivered(d.id, workerId, { at, statusCode: outcome.status });
      metrics.webhookDelivery('delivered');
      log.debug({ delivery: d.id, webhook: d.webhook_id }, 'webhook delivered');
      return;
    }
    const first = d.first_attempt_at ?? at;
    const attempt = d.attempts + 1;
    const dead = at.getTime() - first.getTime() >= retryWindowMs;
    await deliveries.markFailed(d.id, workerId, {
      at,
      firstAttemptAt: first,
      statusCode: outcome.status,
      error: outcome.error,
      errorCode: outcome.failure.code,
      errorParams: outcome.failure.params,
      nextAttemptAt: dead ? null : new Date(at.getTime() + backoff(attempt)),
    });
    metrics.webhookDelivery(dead ? 'dead' : 'failed');
    log.warn(
      {
        delivery: d.id,
        webhook: d.webhook_id,
        url: redactUrl(d.url),
        attempt,
        dead,
        err: outcome.error,
        errorCode: outcome.failure.code,
      },
      dead ? 'webhook delivery dead' : 'webhook delivery failed',
    );
  }

  /** Claims what this instance can send now and starts sending; returns how many started. */
  async function sendDue(): Promise<number> {
    const now = clock.now();
    const claimed = await deliveries.claimDue(
      workerId,
      new Date(now),
      new Date(now + timeoutMs + 60_000),
      concurrency - inflight.size,
    );
    for (const d of claimed) {
      const abort = new AbortController();
      const done = send(d, abort)
        .catch((err: unknown) => log.error({ delivery: d.id, err }, 'webhook send failed'))
        .finally(() => {
          inflight.delete(d.id);
          if (!stopped) kick();
        });
      inflight.set(d.id, { done, abort });
    }
    return claimed.length;
  }

  async function tick(): Promise<void> {
    let busy = false;
    try {
      busy = (await dispatchOnce()) > 0;
      busy = (await sendDue()) > 0 || busy;
    } catch (err) {
      log.error({ err }, 'webhook loop failed');
    }
    if (!stopped) timer = setTimeout(loop, busy ? 0 : pollMs);
  }

  function loop(): void {
    timer = undefined;
    if (stopped || ticking) return;
    ticking = tick().finally(() => {
      ticking = undefined;
    });
  }

  function kick(): void {
    if (stopped || ticking) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(loop, 0);
  }

  return {
    workerId,
    dispatchOnce,
    sendDue,
    kick,
    start(): void {
      if (!stopped) return;
      stopped = false;
      timer = setTimeout(loop, 0);
    },
    /** Stops the loop; attempts in flight are cut off and given back uncounted. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ticking;
      for (const f of inflight.values()) f.abort.abort();
      await Promise.all([...inflight.values()].map((f) => f.done));
    },
    /** Waits until the sends in flight are done (tests). */
    async idle(): Promise<void> {
      await Promise.all([...inflight.values()].map((f) => f.done));
    },
  };
}
