import type { Clock } from '../core/clock.ts';
import { silentLogger, type Logger } from '../core/metrics.ts';
import type { Sealer } from '../crypto/seal.ts';
import { xmlText, type XmlObject } from '../crypto/xml.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { WechatClient } from '../wechat/client.ts';
import {
  findReleaseTestAccount,
  RELEASE_QUERY_AUTH_CODE_PREFIX,
  RELEASE_TEST_TEXT,
  RELEASE_TEST_TEXT_REPLY,
  releaseApiReplyContent,
  releaseEventReplyContent,
} from '../wechat/release-test-accounts.ts';
import { textReplyXml } from './passive-reply.ts';

/**
 * Answers WeChat's full-network release (全网发布) checks for the published test accounts:
 * `TESTCOMPONENT_MSG_TYPE_TEXT` gets a passive text reply; `QUERY_AUTH_CODE:<code>` gets an empty
 * answer at once, then a job exchanges the code and sends `<code>_from_api` through
 * `message/custom/send`; an event gets `<Event>from_callback`. Every other push is not its
 * business (undefined). Reference: ../shared/wechat/01 §7.
 */
export const JOB_RELEASE_QUERY_AUTH_CODE = 'release.query_auth_code';

export interface ReleaseResponderDeps {
  jobs: JobQueue;
  sealer: Sealer;
  client: WechatClient;
  clock: Clock;
  /** `api_query_auth` and storing the authorizer (the authorization service). */
  exchange(appid: string | undefined, code: string, source: string): Promise<string>;
  log?: Logger;
}

export type ReleaseResponder = ReturnType<typeof createReleaseResponder>;

export function createReleaseResponder(deps: ReleaseResponderDeps) {
  const { jobs, sealer, client, clock } = deps;
  const log = deps.log ?? silentLogger;

  jobs.register(JOB_RELEASE_QUERY_AUTH_CODE, async (payload) => {
    const code = sealer.open(String(payload['code']), 'authorization_code');
    const openid = String(payload['openid']);
    const appid = await deps.exchange(String(payload['appid']), code, 'release_test');
    await client.call(
      'message_custom_send',
      { touser: openid, msgtype: 'text', text: { content: releaseApiReplyContent(code) } },
      { appid },
    );
    log.info({ appid }, 'release test: customer-service message sent');
  });

  async function queueApiReply(
    appid: string,
    fields: XmlObject,
    code: string,
    eventId: number | null,
  ): Promise<void> {
    const openid = xmlText(fields, 'FromUserName');
    // A replayed push already queued its job; the reply stays the same.
    if (!openid || eventId === null) return;
    await jobs.enqueue(
      JOB_RELEASE_QUERY_AUTH_CODE,
      { appid, openid, code: sealer.seal(code, 'authorization_code') },
      { singletonKey: `release:${appid}:${eventId}`, maxAttempts: 4 },
    );
  }

  return {
    /** The passive reply for a push to a test account; undefined for anything else. */
    async reply(
      appid: string,
      fields: XmlObject,
      meta: { eventId: number | null },
    ): Promise<string | undefined> {
      const account = findReleaseTestAccount({
        userName: xmlText(fields, 'ToUserName'),
        appid,
      });
      if (!account) return undefined;
      const msgType = xmlText(fields, 'MsgType');
      if (msgType === 'text') {
        const content = xmlText(fields, 'Content') ?? '';
        if (content === RELEASE_TEST_TEXT) {
          return textReplyXml(fields, RELEASE_TEST_TEXT_REPLY, clock.now());
        }
        if (content.startsWith(RELEASE_QUERY_AUTH_CODE_PREFIX)) {
          const code = content.slice(RELEASE_QUERY_AUTH_CODE_PREFIX.length).trim();
          if (!code) return undefined;
          await queueApiReply(account.appid, fields, code, meta.eventId);
          return '';
        }
        return undefined;
      }
      const event = xmlText(fields, 'Event');
      if (msgType === 'event' && event && account.type === 'officialaccount') {
        return textReplyXml(fields, releaseEventReplyContent(event), clock.now());
      }
      return undefined;
    },
  };
}
