import { defineMessages } from './i18n.ts';
import { accountErrors } from './error-messages/accounts.ts';
import { pipelineErrors } from './error-messages/pipeline.ts';

/**
 * Reasons the API returns, by their stable `code` (and `params.reason` where one code has
 * several), in the operator's language. `{name}` takes the error's params, `{field}` the field and
 * `{errcode}` WeChat's errcode when the error names them. A reason without its own entry gets its
 * code's general words; `bad_request` has none, so that the rule a field broke (the server's
 * message, under the field) is not lost.
 */
export const errorMessages = defineMessages({
  zh: {
    ...pipelineErrors.zh,
    ...accountErrors.zh,
    forbidden_role: '当前角色（{role}）无权执行此操作，需要 {required} 角色',
    sign_in_failed: '用户名或密码不正确',
    sign_in_throttled: '登录失败次数过多，请 {retryAfterSeconds} 秒后再试',
    totp_required: '请输入身份验证器中的动态码',
    totp_invalid: '动态码不正确或已使用过',
    password_rejected: '密码不符合要求',
    password_rejected_too_short: '密码至少 {min} 个字符',
    password_rejected_too_long: '密码最多 {max} 个字符',
    password_rejected_same_as_username: '密码不能与用户名相同',
    password_rejected_current_wrong: '当前密码不正确',
    username_invalid: '用户名为 2–64 个字符：字母、数字、“.”、“_”或“-”，以字母或数字开头',
    username_taken: '用户名 {username} 已被使用',
    bad_request_target_empty: '发布范围内没有已授权的小程序',
    webhook_url_credentials: '回调地址中不能包含用户名或密码',
    webhook_url_forbidden: '不允许使用这个回调地址（内网或本机地址）',
    webhook_secret_invalid: '签名密钥格式不正确',
    webhook_event_type_unknown: '未知的事件类型',
    unauthorized: '登录已失效，请重新登录',
    forbidden: '无权执行此操作',
    token_access_off: '已关闭通过接口读取原始令牌',
    not_found: '找不到要操作的对象，可能已被删除',
    conflict: '当前状态不允许这个操作，请刷新后再试',
    conflict_rollout_state: '发布 #{id} 当前为“{status}”状态，不能执行这个操作',
    conflict_rollout_cancelled: '发布 #{id} 已取消，请新建一次发布',
    conflict_nothing_to_retry: '没有可重试的失败小程序',
    conflict_nothing_to_release: '这次发布中没有等待发布的小程序',
    conflict_in_active_rollout:
      '其中 {count} 个小程序已在进行中的发布 #{rollout_id} 里；请先取消它或等它结束',
    preflight_failed: '提审前检查未通过',
    quota_exhausted: '审核额度不足',
    payload_too_large: '提交的内容太大',
    config_invalid: '服务配置有误，请联系管理员',
    crypto_error: '消息签名或加解密失败',
    wechat_error: '微信返回错误码 {errcode}',
    wechat_outcome_unknown: '没有收到微信的回答，操作可能已生效：请先查看最新状态再重试',
    upstream_unavailable: '暂时无法连接微信，请稍后再试',
    internal: 'openwx 内部错误，请稍后再试或查看日志',
    error: '操作失败（HTTP {status}）',
    sandbox_only: '只能在沙箱模式下重置：在正式模式（{mode}）下这会删除真实平台的数据',
  },
  en: {
    ...pipelineErrors.en,
    ...accountErrors.en,
    forbidden_role: 'your role ({role}) may not do this; it needs the {required} role',
    sign_in_failed: 'the username or the password is not right',
    sign_in_throttled: 'too many failed sign-ins; try again in {retryAfterSeconds} s',
    totp_required: 'enter the code from your authenticator app',
    totp_invalid: 'the code is not right or was used already',
    password_rejected: 'the password does not meet the rules',
    password_rejected_too_short: 'a password has at least {min} characters',
    password_rejected_too_long: 'a password has at most {max} characters',
    password_rejected_same_as_username: 'the password may not be the username',
    password_rejected_current_wrong: 'the current password is not right',
    username_invalid:
      'a username is 2–64 characters: letters, digits, ".", "_" or "-", starting with a letter or digit',
    username_taken: 'the username {username} is taken',
    bad_request_target_empty: 'the target matches no authorized mini program',
    webhook_url_credentials: 'a webhook URL may not hold a username or password',
    webhook_url_forbidden: 'this webhook URL is not allowed (a private or local address)',
    webhook_secret_invalid: 'the signing secret is not in the right form',
    webhook_event_type_unknown: 'unknown event type',
    unauthorized: 'your session ended or the token is invalid: sign in again',
    forbidden: 'you may not do this',
    token_access_off: 'reading raw tokens through the API is turned off',
    not_found: 'not found; it may have been deleted',
    conflict: 'this is not possible in the current state; refresh and try again',
    conflict_rollout_state: 'rollout #{id} is {status}; this is not possible now',
    conflict_rollout_cancelled: 'rollout #{id} is cancelled; start a new one',
    conflict_nothing_to_retry: 'no failed mini programs to retry',
    conflict_nothing_to_release: 'no mini program of this rollout is waiting for a release',
    conflict_in_active_rollout:
      '{count} of these mini programs are in active rollout #{rollout_id}; cancel it or wait for it to finish',
    preflight_failed: 'the pre-flight checks fail',
    quota_exhausted: 'not enough audit quota',
    payload_too_large: 'what was sent is too large',
    config_invalid: 'the server configuration is not valid; ask the administrator',
    crypto_error: 'a message signature or its encryption is not right',
    wechat_error: 'WeChat answered errcode {errcode}',
    wechat_outcome_unknown:
      'WeChat did not answer and may have applied the call: look at the current state before trying again',
    upstream_unavailable: 'WeChat cannot be reached now; try again later',
    internal: 'internal error in openwx; try again later or read the logs',
    error: 'the action failed (HTTP {status})',
    sandbox_only:
      'a reset is for the sandbox only: in {mode} mode it would delete the data of a real platform',
  },
});
