import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { noopMetrics, silentLogger, type Logger, type Metrics } from '../core/metrics.ts';
import type { Sealer } from '../crypto/seal.ts';
import { buildEncryptedReplyXml, type WxBizMsgCrypt } from '../crypto/wx-biz-msg-crypt.ts';
import { xmlText, xmlToJson, type XmlObject } from '../crypto/xml.ts';
import { randomDigits } from '../core/random.ts';
import type { Db, Queryable } from '../store/db.ts';
import { createAuthorizerQueries } from '../store/queries/authorizers.ts';
import {
  createEventInsertBatcher,
  createEventQueries,
  type NewEvent,
} from '../store/queries/events.ts';
import type { JobQueue } from '../jobs/queue.ts';
import {
  checkQuery,
  createTimeOf,
  decodedForStorage,
  dedupeKey,
  openPush,
  PushRejected,
  type PushInput,
} from './envelope.ts';
import { verifySignature } from '../crypto/signature.ts';

/**
 * The two push endpoints: authorization events (授权事件接收URL) and per-authorizer messages and
 * events (消息与事件接收URL). Durable before acknowledged: the push is stored (deduplicated) in the
 * reply's transaction together with what it must cause (a ticket, a job); WeChat API calls happen
 * later, in jobs. Reference: ../shared/wechat/01 §5, §6.
 */
export interface CallbackReply {
  status: number;
  body: string;
  contentType: string;
  /** Stored event id, or null when the push was a replay. */
  eventId?: number | null;
}

/**
 * A passive reply to a user message, decided from the decrypted fields (plaintext XML).
 * `eventId` is null when the push was a replay of one already stored.
 */
export type PassiveReplier = (
  appid: string,
  fields: XmlObject,
  meta: { eventId: number | null },
) => Promise<string | undefined> | string | undefined;

export interface CallbackDeps {
  db: Db;
  crypt: WxBizMsgCrypt;
  sealer: Sealer;
  clock: Clock;
  jobs: JobQueue;
  tokens: {
    storeTicketPush(event: NewEvent, ticket: string, createTime: Date): Promise<number | null>;
    getComponentToken(): Promise<unknown>;
  };
  metrics?: Metrics;
  log?: Logger;
  replier?: PassiveReplier;
  /**
   * WeChat's clock, which a push's `timestamp` must be near (PUSH_WINDOW_SECONDS): the system
   * clock in live mode, the emulator's in sandbox mode (its control API moves it). Default: clock.
   */
  wechatClock?: Clock;
  /** Overrides PUSH_WINDOW_SECONDS. */
  pushWindowSeconds?: number;
}

export const JOB_EXCHANGE_AUTH_CODE = 'authorization.exchange';
/** Matches a registration push to its task (services/registrations.ts). */
export const JOB_REGISTRATION_RESULT = 'registration.result';
/** Applies a weapp_audit_* push to a mini program's code pipeline (services/code/). */
export const JOB_CODE_AUDIT_RESULT = 'code.audit_result';
/** Applies an ICP filing push to the mini program's filing (services/icp/). */
export const JOB_ICP_RESULT = 'icp.result';
/** Applies a notify_3rd_wxa_auth push to the mini program's verification (services/verification/). */
export const JOB_VERIFICATION_RESULT = 'verification.result';
/** Applies a wxa_nickname_audit / wxa_category_audit push to its review (services/verification/). */
export const JOB_REVIEW_RESULT = 'review.result';
const REVIEW_EVENTS = new Set(['wxa_nickname_audit', 'wxa_category_audit']);

/** Lets the job find the authorization link (and its tenant) without storing the code. */
const hashOf = (v: string | undefined) =>
  v ? createHash('sha256').update(v).digest('hex') : undefined;

/** Original ids (gh_…) remembered per authorizer appid; they never change for an account. */
const MAX_REMEMBERED_USER_NAMES = 10_000;

const text = (body: string, status = 200): CallbackReply => ({
  status,
  body,
  contentType: 'text/plain; charset=utf-8',
});

export type CallbackService = ReturnType<typeof createCallbackService>;

export function createCallbackService(deps: CallbackDeps) {
  const { db, crypt, clock, jobs, sealer } = deps;
  const metrics = deps.metrics ?? noopMetrics;
  const log = deps.log ?? silentLogger;
  const messageEvents = createEventInsertBatcher(db);
  const wechatClock = deps.wechatClock ?? clock;
  const open = (input: PushInput) =>
    openPush(crypt, input, {
      nowMs: wechatClock.now(),
      ...(deps.pushWindowSeconds === undefined ? {} : { seconds: deps.pushWindowSeconds }),
    });
  const userNames = new Map<string, string>();

  /** The authorizer's original id (user_name from api_get_authorizer_info), when known. */
  async function userNameOf(appid: string): Promise<string | null> {
    const known = userNames.get(appid);
    if (known !== undefined) return known;
    const found = await createAuthorizerQueries(db).findUserName(appid);
    if (found) {
      if (userNames.size >= MAX_REMEMBERED_USER_NAMES) userNames.clear();
      userNames.set(appid, found);
    }
    return found;
  }

  /**
   * A message push belongs to its URL's authorizer: a captured push replayed to another
   * merchant's URL, or an authorization event replayed to a message URL, is refused (403). WeChat
   * itself never sends one, so nothing is lost and it has nothing to retry.
   */
  async function checkRecipient(appid: string, fields: XmlObject): Promise<void> {
    const infoType = xmlText(fields, 'InfoType');
    if (infoType !== undefined)
      throw new PushRejected(
        403,
        'push_wrong_recipient',
        `an authorization event (${infoType}) is not a message for ${appid}`,
        { appid, infoType },
      );
    const expected = await userNameOf(appid);
    const to = xmlText(fields, 'ToUserName');
    if (expected !== null && to !== expected)
      throw new PushRejected(
        403,
        'push_wrong_recipient',
        `the push is addressed to ${to ?? 'nobody'}, not to ${appid} (${expected})`,
        { appid, toUserName: to ?? null, expected },
      );
  }

  async function timed(kind: string, run: () => Promise<CallbackReply>): Promise<CallbackReply> {
    const started = performance.now();
    try {
      const reply = await run();
      metrics.callback(
        kind,
        reply.eventId === null ? 'duplicate' : 'stored',
        (performance.now() - started) / 1000,
      );
      return reply;
    } catch (err) {
      if (err instanceof PushRejected) {
        metrics.callback(kind, 'rejected', (performance.now() - started) / 1000);
        log.warn(
          { kind, code: err.reason, reason: err.message, params: err.params },
          'push rejected',
        );
        return text(`${err.reason}: ${err.message}`, err.status);
      }
      metrics.callback(kind, 'error', (performance.now() - started) / 1000);
      log.error({ err, kind }, 'push failed');
      throw err;
    }
  }

  /** What an authorization-event push causes, inside the storing transaction; true if it queued a job. */
  async function applyAuthEvent(
    tx: Queryable,
    infoType: string,
    fields: XmlObject,
    eventId: number,
  ): Promise<boolean> {
    const at = new Date(clock.now());
    const authorizerAppid = xmlText(fields, 'AuthorizerAppid');
    switch (infoType) {
      case 'authorized':
      case 'updateauthorized': {
        const code = xmlText(fields, 'AuthorizationCode');
        if (!authorizerAppid || !code)
          throw new PushRejected(
            400,
            'field_invalid',
            `${infoType} push without AuthorizerAppid or AuthorizationCode`,
            { field: authorizerAppid ? 'AuthorizationCode' : 'AuthorizerAppid' },
          );
        await jobs.enqueue(
          JOB_EXCHANGE_AUTH_CODE,
          {
            appid: authorizerAppid,
            code: sealer.seal(code, 'authorization_code'),
            source: infoType,
            eventId,
            preAuthCodeHash: hashOf(xmlText(fields, 'PreAuthCode')),
          },
          { tx, singletonKey: `exchange:${authorizerAppid}:${eventId}` },
        );
        return true;
      }
      case 'unauthorized': {
        if (!authorizerAppid)
          throw new PushRejected(
            400,
            'field_invalid',
            'unauthorized push without AuthorizerAppid',
            {
              field: 'AuthorizerAppid',
            },
          );
        const q = createAuthorizerQueries(tx);
        if (await q.markRevoked(authorizerAppid, at))
          await q.addHistory(authorizerAppid, 'unauthorized', { eventId }, at);
        return false;
      }
      // Registration results are stored; a successful one carries an auth_code that makes the
      // new mini program an authorizer without a separate authorization.
      case 'notify_third_fasteregister':
      case 'notify_third_fastregisterbetaapp':
      case 'notify_third_fastverifybetaapp': {
        const code = xmlText(fields, 'auth_code');
        const appid = xmlText(fields, 'appid');
        const status = xmlText(fields, 'status');
        if (code && appid && status === '0') {
          await jobs.enqueue(
            JOB_EXCHANGE_AUTH_CODE,
            { appid, code: sealer.seal(code, 'authorization_code'), source: infoType, eventId },
            { tx, singletonKey: `exchange:${appid}:${eventId}` },
          );
        }
        const info = fields['info'];
        await jobs.enqueue(
          JOB_REGISTRATION_RESULT,
          {
            eventId,
            infoType,
            appid: appid ?? null,
            status: status ?? null,
            msg: xmlText(fields, 'msg') ?? null,
            info: info && typeof info === 'object' && !Array.isArray(info) ? xmlToJson(info) : {},
          },
          { tx, singletonKey: `registration:${eventId}` },
        );
        return true;
      }
      // ICP filing results (../shared/wechat/02 §5.7; SKIT NotifyApplyICPFilingResultEvent):
      // the administrator's face verification (task_id, verify_appid, result 2 failed / 3 passed)
      // and the filing decision (authorizer_appid, beian_status).
      case 'notify_icpfiling_verify_result':
      case 'notify_apply_icpfiling_result': {
        const verify = infoType === 'notify_icpfiling_verify_result';
        const field = verify ? 'verify_appid' : 'authorizer_appid';
        const appid = xmlText(fields, field);
        if (!appid)
          throw new PushRejected(400, 'field_invalid', `${infoType} push without ${field}`, {
            field,
          });
        const payload = verify
          ? {
              task_id: xmlText(fields, 'task_id') ?? null,
              result: xmlText(fields, 'result') ?? null,
            }
          : { beian_status: xmlText(fields, 'beian_status') ?? null };
        await jobs.enqueue(
          JOB_ICP_RESULT,
          { eventId, infoType, appid, ...payload },
          { tx, singletonKey: `icp:${eventId}` },
        );
        return true;
      }
      // Verification on behalf (代认证) results: appid, taskid, task_status, apply_status, message
      // (SKIT NotifyThirdPartyWxaAuthEvent; WxJava WxOpenXmlMessage, infoType notify_3rd_wxa_auth).
      case 'notify_3rd_wxa_auth': {
        const appid = xmlText(fields, 'appid');
        const taskid = xmlText(fields, 'taskid');
        if (!appid || !taskid)
          throw new PushRejected(400, 'field_invalid', `${infoType} push without appid or taskid`, {
            field: appid ? 'taskid' : 'appid',
          });
        await jobs.enqueue(
          JOB_VERIFICATION_RESULT,
          {
            eventId,
            appid,
            taskid,
            task_status: xmlText(fields, 'task_status') ?? null,
            apply_status: xmlText(fields, 'apply_status') ?? null,
            message: xmlText(fields, 'message') ?? null,
          },
          { tx, singletonKey: `verification:${eventId}` },
        );
        return true;
      }
      default:
        return false; // stored and acknowledged; nothing else to do
    }
  }

  /** The ticket of a component_verify_ticket push; a push without one is refused, not stored. */
  function ticketOf(fields: XmlObject): string {
    const ticket = xmlText(fields, 'ComponentVerifyTicket');
    if (!ticket)
      throw new PushRejected(
        400,
        'field_invalid',
        'component_verify_ticket push without ComponentVerifyTicket',
        { field: 'ComponentVerifyTicket' },
      );
    return ticket;
  }

  type EventInsert = Parameters<ReturnType<typeof createEventQueries>['insert']>[0];

  /**
   * A push stored with the job that acts on it, in one transaction (a retried push is stored
   * once and queues nothing); the job runner is woken once it is committed.
   */
  async function storeWithJob(
    event: EventInsert,
    job: string,
    payload: (eventId: number) => Record<string, unknown>,
    singletonKey: (eventId: number) => string,
  ): Promise<number | null> {
    const id = await db.transaction(async (tx) => {
      const stored = await createEventQueries(tx).insert(event);
      if (stored !== null)
        await jobs.enqueue(job, payload(stored), { tx, singletonKey: singletonKey(stored) });
      return stored;
    });
    if (id !== null) jobs.kick();
    return id;
  }

  /** An audit result push, with the job that updates the code pipeline. */
  function storeAuditResult(appid: string, type: string, fields: XmlObject, event: EventInsert) {
    return storeWithJob(
      event,
      JOB_CODE_AUDIT_RESULT,
      (stored) => ({
        appid,
        event_id: stored,
        result: type.slice('weapp_audit_'.length),
        reason: xmlText(fields, 'Reason') ?? '',
        screenshot: xmlText(fields, 'ScreenShot') ?? '',
      }),
      (stored) => `code_audit:${stored}`,
    );
  }

  /**
   * A name or category review result (wxa_nickname_audit: ret 2 rejected / 3 approved, nickname,
   * reason; wxa_category_audit: first, second, ret, reason — doc wxa_nickname_audit, SKIT
   * WxaCategoryAuditEvent), with the job that records it.
   */
  function storeReviewResult(appid: string, type: string, fields: XmlObject, event: EventInsert) {
    return storeWithJob(
      event,
      JOB_REVIEW_RESULT,
      (stored) => ({
        appid,
        eventId: stored,
        kind: type === 'wxa_nickname_audit' ? 'nickname' : 'category',
        ret: xmlText(fields, 'ret') ?? null,
        nickname: xmlText(fields, 'nickname') ?? null,
        first: xmlText(fields, 'first') ?? null,
        second: xmlText(fields, 'second') ?? null,
        reason: xmlText(fields, 'reason') ?? null,
      }),
      (stored) => `review:${stored}`,
    );
  }

  return {
    /** POST /api/openwx/auth */
    handleAuthEvent(input: PushInput): Promise<CallbackReply> {
      return timed('auth', async () => {
        const push = open(input);
        const infoType = xmlText(push.fields, 'InfoType');
        if (infoType === undefined)
          throw new PushRejected(
            403,
            'push_wrong_recipient',
            'a push without InfoType (a message) is not an authorization event',
            { toUserName: xmlText(push.fields, 'ToUserName') ?? null },
          );
        const appid =
          xmlText(push.fields, 'AuthorizerAppid') ?? xmlText(push.fields, 'appid') ?? null;
        let queuedJob = false;
        const event: NewEvent = {
          dedupeKey: dedupeKey('auth', appid, push.fields, push.plaintext),
          source: 'auth',
          appid,
          type: infoType,
          raw: push.raw,
          query: push.query,
          decoded: decodedForStorage(push.fields),
          createTime: createTimeOf(push.fields),
          receivedAt: new Date(clock.now()),
        };
        // The ticket, every 10 minutes: stored with its event in one statement.
        const eventId =
          infoType === 'component_verify_ticket'
            ? await deps.tokens.storeTicketPush(
                event,
                ticketOf(push.fields),
                event.createTime ?? event.receivedAt,
              )
            : await db.transaction(async (tx) => {
                const id = await createEventQueries(tx).insert(event);
                if (id !== null) queuedJob = await applyAuthEvent(tx, infoType, push.fields, id);
                return id;
              });
        if (eventId !== null && infoType === 'component_verify_ticket') {
          // Obtain a component token if there is none yet; never inside the reply.
          void Promise.resolve()
            .then(() => deps.tokens.getComponentToken())
            .catch((err: unknown) => log.warn({ err }, 'component token after ticket failed'));
        }
        if (queuedJob) jobs.kick();
        if (eventId !== null) {
          log.info({ infoType, appid, eventId }, 'authorization event stored');
        }
        return { ...text('success'), eventId };
      });
    },

    /** POST /api/openwx/callback/:appid */
    handleMessage(appid: string, input: PushInput): Promise<CallbackReply> {
      return timed('message', async () => {
        const push = open(input);
        await checkRecipient(appid, push.fields);
        const msgType = xmlText(push.fields, 'MsgType') ?? 'unknown';
        const type = msgType === 'event' ? (xmlText(push.fields, 'Event') ?? 'event') : msgType;
        const event = {
          dedupeKey: dedupeKey('message', appid, push.fields, push.plaintext),
          source: 'message' as const,
          appid,
          type,
          raw: push.raw,
          query: push.query,
          decoded: decodedForStorage(push.fields),
          createTime: createTimeOf(push.fields),
          receivedAt: new Date(clock.now()),
        };
        const eventId = type.startsWith('weapp_audit_')
          ? await storeAuditResult(appid, type, push.fields, event)
          : REVIEW_EVENTS.has(type)
            ? await storeReviewResult(appid, type, push.fields, event)
            : await messageEvents.insert(event);
        const reply = deps.replier
          ? await deps.replier(appid, push.fields, { eventId })
          : undefined;
        if (reply === undefined || reply === '') return { ...text(reply ?? 'success'), eventId };
        const sealed = crypt.seal(
          reply,
          String(Math.floor(clock.now() / 1000)),
          push.query['nonce'] ?? randomDigits(10),
        );
        return {
          status: 200,
          body: buildEncryptedReplyXml(sealed),
          contentType: 'application/xml',
          eventId,
        };
      });
    },

    /** GET on either URL: WeChat's URL check (signature over token, timestamp, nonce; echo echostr). */
    verifyUrl(query: PushInput['query']): CallbackReply {
      let checked: Record<string, string>;
      try {
        checked = checkQuery(query);
      } catch (err) {
        if (err instanceof PushRejected) return text(`${err.reason}: ${err.message}`, err.status);
        throw err;
      }
      const { signature, timestamp, nonce, echostr } = checked;
      if (!signature || !timestamp || !nonce || echostr === undefined)
        return text('missing signature, timestamp, nonce or echostr', 400);
      if (!verifySignature(crypt.token, timestamp, nonce, signature))
        return text('signature does not match', 401);
      return text(echostr);
    },
  };
}
