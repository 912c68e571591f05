import { defineMessages } from '../i18n.ts';

/**
 * Reasons (`<code>_<params.reason>`) of accounts and settings: operators, users, tenants, webhooks, templates, tokens and the platform's other services, in the operator's language. Merged into
 * the one catalogue in ../error-messages.ts.
 */
export const accountErrors = defineMessages({
  zh: {
    // Operators and sign-in (src/services/operators/)
    username_invalid_format:
      '用户名为 {min}–{max} 个字符：字母、数字、“.”、“_”或“-”，以字母或数字开头',
    username_taken_operator_exists: '用户名 {username} 已被使用',
    bad_request_role_unknown: '角色只能是以下之一：{roles}',
    bad_request_display_name_empty: '显示名称不能为空',
    bad_request_not_an_operator_session: '此操作需要用操作员账号登录控制台；管理令牌没有对应的账号',
    not_found_operator: '找不到操作员 {id}，可能已被删除',
    sign_in_failed_credentials: '用户名或密码不正确',
    sign_in_throttled_too_many_failures: '登录失败次数过多，请 {retryAfterSeconds} 秒后再试',
    totp_required_code_missing: '请输入身份验证器中的动态码',
    totp_invalid_code_wrong_or_used: '动态码不正确或已使用过',
    totp_invalid_code_wrong: '动态码不正确',
    conflict_totp_enabled: '两步验证已开启；如需重新设置，请先关闭',
    conflict_totp_not_started: '请先开始设置两步验证',
    unauthorized_not_signed_in: '尚未登录，请先登录',

    // Webhooks (src/services/webhook/)
    not_found_webhook: '找不到回调 {id}，可能已被删除',
    not_found_delivery: '找不到回调 {webhook_id} 的投递记录 #{id}',
    bad_request_events_empty: '请至少选择一种事件类型（不填则接收全部）',
    bad_request_tenant_unknown: '找不到租户 {tenant_id}',
    bad_request_grace_out_of_range: '宽限期须为 0 到 {max} 秒（{max_days} 天）之间的整数秒',
    bad_request_url_not_absolute: '{field} 必须是以 http:// 或 https:// 开头的完整地址',
    bad_request_url_scheme: '地址只能使用 http 或 https，不能使用 {scheme}',
    bad_request_url_no_host: '地址中缺少主机名',
    webhook_event_type_unknown_not_in_list: '未知的事件类型“{type}”',
    webhook_url_credentials_url_credentials:
      '回调地址（{host}）中不能包含用户名或密码；请用签名头校验请求',
    webhook_url_forbidden_address_loopback:
      '回调地址 {host} 指向本机地址 {address}；只有设置 OPENWX_WEBHOOK_ALLOW_PRIVATE=1 才允许',
    webhook_url_forbidden_address_private:
      '回调地址 {host} 指向内网地址 {address}；只有设置 OPENWX_WEBHOOK_ALLOW_PRIVATE=1 才允许',
    webhook_url_forbidden_address_link_local:
      '回调地址 {host} 指向链路本地地址 {address}；只有设置 OPENWX_WEBHOOK_ALLOW_PRIVATE=1 才允许',
    webhook_url_forbidden_address_metadata:
      '回调地址 {host} 指向云主机元数据地址 {address}；只有设置 OPENWX_WEBHOOK_ALLOW_PRIVATE=1 才允许',
    webhook_url_forbidden_address_unspecified:
      '回调地址 {host} 指向未指定地址 {address}；只有设置 OPENWX_WEBHOOK_ALLOW_PRIVATE=1 才允许',
    webhook_url_forbidden_address_shared:
      '回调地址 {host} 指向运营商共享地址（CGNAT）{address}；只有设置 OPENWX_WEBHOOK_ALLOW_PRIVATE=1 才允许',
    webhook_url_forbidden_address_refused:
      '不允许使用回调地址 {host}（{address}）；只有设置 OPENWX_WEBHOOK_ALLOW_PRIVATE=1 才允许',
    webhook_secret_invalid_format:
      '签名密钥须为“{prefix}”加上 {min_bytes}–{max_bytes} 个随机字节的 base64（含补位）；不填则自动生成',

    // Templates (src/services/templates.ts)
    wechat_error_template_library_unauthorized:
      '微信拒绝了此账号的模板库操作（错误码 {errcode}，接口未授权）：请在微信开放平台网页后台（管理中心 → 第三方平台 → 小程序模板库）管理模板',
    upstream_unavailable_template_not_listed_yet:
      '微信已接受草稿 {draft_id}，但模板库中还没有对应的模板；请稍后刷新模板列表',
    conflict_template_is_default: '模板 {template_id} 是默认模板；请先把其他模板设为默认',
    conflict_template_left_library: '模板 {template_id} 已不在微信模板库中，不能设为默认模板',
    not_found_template: '模板库中没有模板 {template_id}',
    not_found_default_template_unset: '尚未设置默认模板',

    // Tenants (src/services/tenants.ts)
    not_found_tenant: '找不到租户 {id}，可能已被删除',
    not_found_api_key: '找不到 API 密钥 {id}，可能已被撤销',

    // Users of the merchants' accounts (src/services/users.ts)
    bad_request_code_invalid:
      '微信不认这个 code（错误码 {errcode}）：code 无效、已过期或属于其他应用',
    bad_request_code_used: '这个 code 已经使用过（错误码 {errcode}）',
    bad_request_code_missing: '缺少 code（错误码 {errcode}）',
    bad_request_not_mini_program: '{appid} 不是小程序：请使用公众号的接口',
    bad_request_not_official_account: '{appid} 不是公众号：请使用小程序的接口',
    conflict_authorizer_revoked: '{appid} 已取消对平台的授权',

    // Auto-replies (src/services/auto-replies.ts)
    bad_request_rules_field_missing: '请填写 {field}',
    bad_request_rules_field_type: '{field} 的格式不正确',
    bad_request_rules_match_unknown: '{field} 只能是“完全匹配”“包含”或“任意消息”',
    bad_request_rules_value_empty: '{field} 不能为空',
    bad_request_rules_value_too_long: '{field} 最多 {max} 个字符',
    bad_request_rules_too_many: '最多 {max} 条规则',
    bad_request_rules_keyword_required: '“完全匹配”和“包含”规则需要填写关键词（{field}）',
    bad_request_rules_unknown_field: '规则中有未知的字段 {field}',
    bad_request_rules_invalid: '自动回复规则不正确（{field}）',

    // Sandbox and statistics (src/services/sandbox/, src/services/stats/)
    sandbox_only_live_mode: '只能在沙箱模式下重置：在正式模式（{mode}）下这会删除真实平台的数据',
    bad_request_time_zone_unknown: '未知的时区“{tz}”：请使用 IANA 名称，例如 Asia/Shanghai',

    // Tokens (src/tokens/)
    upstream_unavailable_no_verify_ticket:
      '最近 {hours} 小时没有收到 component_verify_ticket：请检查微信能否访问授权事件接收地址',
    not_found_authorizer_unknown: 'openwx 不认识授权方 {appid}',
    conflict_authorizer_needs_attention:
      '{appid} 需要处理：openwx 已停止刷新它的令牌，直到它重新授权平台或手动刷新成功',
    conflict_no_refresh_token: '{appid} 还没有 authorizer_refresh_token',
    upstream_unavailable_refresh_wait_timeout: '等待其他实例刷新令牌超时，请稍后再试',

    // Sealed values and the master key (src/crypto/seal.ts)
    config_invalid_master_key_format: '主密钥须为 64 个十六进制字符（32 字节）',
    config_invalid_master_key_length: '主密钥须为 32 字节',
    internal_sealed_value_format: '加密保存的数据格式无法识别，请查看日志',
    internal_sealed_value_key: '加密保存的数据无法用当前主密钥解开：主密钥可能已更换',
  },
  en: {
    username_invalid_format:
      'a username is {min}–{max} characters: letters, digits, ".", "_" or "-", starting with a letter or digit',
    username_taken_operator_exists: 'the username {username} is taken',
    bad_request_role_unknown: 'the role must be one of: {roles}',
    bad_request_display_name_empty: 'the display name may not be empty',
    bad_request_not_an_operator_session:
      'this needs an operator account signed in to the console; the admin token has no account',
    not_found_operator: 'operator {id} not found; it may have been deleted',
    sign_in_failed_credentials: 'the username or the password is not right',
    sign_in_throttled_too_many_failures:
      'too many failed sign-ins; try again in {retryAfterSeconds} s',
    totp_required_code_missing: 'enter the code from your authenticator app',
    totp_invalid_code_wrong_or_used: 'the code is not right or was used already',
    totp_invalid_code_wrong: 'the code is not right',
    conflict_totp_enabled: 'two-step sign-in is on already; turn it off first',
    conflict_totp_not_started: 'start two-step sign-in first',
    unauthorized_not_signed_in: 'not signed in: sign in first',

    not_found_webhook: 'webhook {id} not found; it may have been deleted',
    not_found_delivery: 'delivery #{id} of webhook {webhook_id} not found',
    bad_request_events_empty: 'name at least one event type (leave it out for all)',
    bad_request_tenant_unknown: 'unknown tenant {tenant_id}',
    bad_request_grace_out_of_range:
      'the grace period is a whole number of seconds from 0 to {max} ({max_days} days)',
    bad_request_url_not_absolute: '{field} must be an absolute http:// or https:// URL',
    bad_request_url_scheme: 'the URL must use http or https, not {scheme}',
    bad_request_url_no_host: 'the URL must name a host',
    webhook_event_type_unknown_not_in_list: 'unknown event type "{type}"',
    webhook_url_credentials_url_credentials:
      'the webhook URL ({host}) may not hold a username or password; receivers check the signature header instead',
    webhook_url_forbidden_address_loopback:
      'the webhook host {host} is the loopback address {address}; allowed only with OPENWX_WEBHOOK_ALLOW_PRIVATE=1',
    webhook_url_forbidden_address_private:
      'the webhook host {host} is the private address {address}; allowed only with OPENWX_WEBHOOK_ALLOW_PRIVATE=1',
    webhook_url_forbidden_address_link_local:
      'the webhook host {host} is the link-local address {address}; allowed only with OPENWX_WEBHOOK_ALLOW_PRIVATE=1',
    webhook_url_forbidden_address_metadata:
      'the webhook host {host} is the cloud metadata address {address}; allowed only with OPENWX_WEBHOOK_ALLOW_PRIVATE=1',
    webhook_url_forbidden_address_unspecified:
      'the webhook host {host} is the unspecified address {address}; allowed only with OPENWX_WEBHOOK_ALLOW_PRIVATE=1',
    webhook_url_forbidden_address_shared:
      'the webhook host {host} is the shared (CGNAT) address {address}; allowed only with OPENWX_WEBHOOK_ALLOW_PRIVATE=1',
    webhook_url_forbidden_address_refused:
      'the webhook host {host} ({address}) is not allowed; only with OPENWX_WEBHOOK_ALLOW_PRIVATE=1',
    webhook_secret_invalid_format:
      'the signing secret is "{prefix}" followed by the base64 (with padding) of {min_bytes} to {max_bytes} random bytes; leave it out to have one generated',

    wechat_error_template_library_unauthorized:
      'WeChat refused the template library for this account (errcode {errcode}, api unauthorized): manage its templates in the WeChat Open Platform web console (管理中心 → 第三方平台 → 小程序模板库)',
    upstream_unavailable_template_not_listed_yet:
      'WeChat accepted draft {draft_id} but its template is not in the library yet; list the templates again',
    conflict_template_is_default:
      'template {template_id} is the default template; set another default first',
    conflict_template_left_library:
      "template {template_id} is no longer in WeChat's template library; it cannot be the default",
    not_found_template: 'no template {template_id} in the template library',
    not_found_default_template_unset: 'no default template is set',

    not_found_tenant: 'tenant {id} not found; it may have been deleted',
    not_found_api_key: 'API key {id} not found; it may have been revoked',

    bad_request_code_invalid:
      'WeChat refused the code (errcode {errcode}): it is unknown, expired or for another app',
    bad_request_code_used: 'the code was used already (errcode {errcode})',
    bad_request_code_missing: 'the code is missing (errcode {errcode})',
    bad_request_not_mini_program: '{appid} is not a mini program: use the official account routes',
    bad_request_not_official_account:
      '{appid} is not an official account: use the mini program routes',
    conflict_authorizer_revoked: '{appid} has revoked its authorization',

    bad_request_rules_field_missing: '{field} is required',
    bad_request_rules_field_type: '{field} has the wrong type',
    bad_request_rules_match_unknown: '{field} must be "exact", "contains" or "any"',
    bad_request_rules_value_empty: '{field} may not be empty',
    bad_request_rules_value_too_long: '{field} has at most {max} characters',
    bad_request_rules_too_many: 'at most {max} rules',
    bad_request_rules_keyword_required: '"exact" and "contains" rules need a keyword ({field})',
    bad_request_rules_unknown_field: 'unknown field {field} in the rules',
    bad_request_rules_invalid: 'the auto-reply rules are not valid ({field})',

    sandbox_only_live_mode:
      'a reset is for the sandbox only: in live mode ({mode}) it would delete the data of a real platform',
    bad_request_time_zone_unknown:
      'unknown time zone "{tz}": use an IANA name such as Asia/Shanghai',

    upstream_unavailable_no_verify_ticket:
      'no component_verify_ticket received in the last {hours} hours: check that WeChat reaches the authorization event URL',
    not_found_authorizer_unknown: 'authorizer {appid} is not known to openwx',
    conflict_authorizer_needs_attention:
      '{appid} needs attention: openwx stopped refreshing its token until it authorizes the platform again or a manual refresh succeeds',
    conflict_no_refresh_token: '{appid} has no authorizer_refresh_token yet',
    upstream_unavailable_refresh_wait_timeout:
      'timed out waiting for another instance to refresh the token; try again later',

    config_invalid_master_key_format: 'the master key must be 64 hex characters (32 bytes)',
    config_invalid_master_key_length: 'the master key must be 32 bytes',
    internal_sealed_value_format: 'a sealed value has an unknown format; see the log',
    internal_sealed_value_key:
      'a sealed value does not open with this master key: the master key may have changed',
  },
});
