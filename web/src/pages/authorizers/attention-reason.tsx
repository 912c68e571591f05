import type { ReactNode } from 'react';
import { defineMessages, useT } from '../../i18n.ts';

/**
 * Why an authorizer needs attention, in the operator's language. openwx stores WeChat's answer
 * to the refresh that gave up as "<errcode> <errmsg>" (src/tokens/token-service.ts); the errcode
 * is worded here (WeChat's English errmsg is not shown).
 *
 * Errcodes: api_authorizer_token (getAuthorizerAccessToken) answers 61003 "component is not
 * authorized by this account" when the authorization was cancelled, and 61023 "refresh_token is
 * invalid" when the refresh token is wrong, empty or superseded — ../shared/wechat/01 §4.2 and
 * its errcode table; src/tokens/refresh-policy.ts AUTHORIZATION_GONE_ERRCODES.
 */
const messages = defineMessages({
  zh: {
    attention_61003:
      '微信返回 61003：该账号已取消对平台的授权（或平台已不再持有其授权），需要商家重新授权',
    attention_61023:
      '微信返回 61023：授权方的刷新令牌（authorizer_refresh_token）已失效，需要商家重新授权或手动刷新',
    attention_errcode: '令牌刷新失败（微信错误码 {errcode}），openwx 已停止自动刷新',
    attention_other: '令牌刷新多次失败，openwx 已停止自动刷新',
    failing_errcode: '最近一次令牌刷新失败：微信返回错误码 {errcode}，openwx 会退避后重试',
    failing_unanswered: '最近一次令牌刷新失败：没有收到微信的回答，openwx 会退避后重试',
  },
  en: {
    attention_61003:
      'WeChat answered 61003: the account cancelled its authorization of the platform (or the platform no longer holds it); the merchant must authorize again',
    attention_61023:
      "WeChat answered 61023: the authorizer's refresh token (authorizer_refresh_token) is no longer valid; the merchant must authorize again, or refresh by hand",
    attention_errcode:
      'token refreshes failed (WeChat errcode {errcode}); openwx stopped refreshing',
    attention_other: 'token refreshes failed repeatedly; openwx stopped refreshing',
    failing_errcode:
      'the last token refresh failed: WeChat answered errcode {errcode}; openwx retries after a back-off',
    failing_unanswered:
      'the last token refresh failed: WeChat did not answer; openwx retries after a back-off',
  },
});

/** The stored reason in words: its leading errcode through the catalogue, else a general one. */
export function useAttentionText(): (reason: string | null | undefined) => string {
  const t = useT(messages);
  return (reason) => {
    const errcode = /^(-?\d+)\b/.exec(reason ?? '')?.[1];
    if (errcode === '61003') return t('attention_61003');
    if (errcode === '61023') return t('attention_61023');
    if (errcode !== undefined) return t('attention_errcode', { errcode });
    return t('attention_other');
  };
}

/**
 * A failing token's last error in words: the stored text is the WeChat client's English
 * ("<endpoint> failed with errcode <n>: …", src/wechat/errors.ts), of which the errcode is worded
 * and the rest left out; without an errcode WeChat did not answer.
 */
export function useTokenFailureText(): (lastError: string | null | undefined) => string {
  const t = useT(messages);
  return (lastError) => {
    const errcode = /errcode (-?\d+)/.exec(lastError ?? '')?.[1];
    return errcode === undefined ? t('failing_unanswered') : t('failing_errcode', { errcode });
  };
}

/** The "needs attention" badge, its reason in the operator's language as the tooltip. */
export function NeedsAttentionBadge(props: { reason: string | null; children: ReactNode }) {
  const text = useAttentionText();
  return (
    <span
      className="badge authz-bad"
      title={text(props.reason)}
      data-token="needs_attention"
      data-errcode={/^(-?\d+)\b/.exec(props.reason ?? '')?.[1] ?? ''}
    >
      {props.children}
    </span>
  );
}
