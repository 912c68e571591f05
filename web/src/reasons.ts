import { defineMessages } from './i18n.ts';

/**
 * Reasons the API gives inside its answers (not as errors), by their stable `code`: pre-flight
 * results, why a rollout halted or one of its mini programs failed, the rollout preview's quota
 * line and warnings. `{name}` takes the reason's params. A code with a more specific variant is
 * looked up as `<code>_<params.status>` first (the ICP filing status).
 */
export const reasonMessages = defineMessages({
  zh: {
    // pre-flight results (GET …/code/preflight)
    authorizer_unknown: 'openwx 不认识这个 appid',
    authorization_revoked: '商家已取消授权',
    not_mini_program: '这是公众号，不是小程序',
    authorized_mini_program: '已授权的小程序',
    audit_in_flight: '审核单 {auditid} 正在进行中：请等待结果或撤回审核',
    no_audit_in_flight: '没有进行中的审核',
    privacy_guide_missing: '未设置隐私保护指引，微信会驳回审核（应用带隐私设置的配置方案即可）',
    privacy_code_scanning: '隐私保护指引已设置（{items} 项）；微信仍在扫描代码中的隐私接口',
    privacy_guide_set: '隐私保护指引已设置（{items} 项）',
    privacy_interfaces_declared: '隐私保护指引已设置（{items} 项），代码用到的隐私接口均已声明',
    privacy_interfaces_missing:
      '代码用到的隐私接口不齐全：未在 ext_json 的 requiredPrivateInfos 中声明的：{without_conf_list}；未获批准的：{without_auth_list}',
    category_missing: '小程序没有已通过的类目，请先添加类目',
    categories_approved: '{count} 个已通过的类目；送审类目：{item}',
    icp_not_required: '已发布过，这里不要求 ICP 备案',
    icp_filed: '已完成 ICP 备案',
    icp_not_filed: '从未发布且未完成 ICP 备案（微信状态 {status}），请先备案',
    icp_not_filed_2: '从未发布且未完成 ICP 备案：备案已提交，平台审核中',
    icp_not_filed_3: '从未发布且未完成 ICP 备案：备案被平台驳回',
    icp_not_filed_4: '从未发布且未完成 ICP 备案：备案管局审核中',
    icp_not_filed_5: '从未发布且未完成 ICP 备案：备案被管局驳回',
    wechat_refused: '微信拒绝了这项检查（错误码 {errcode}）',
    audit_quota_unknown: '无法读取审核额度',
    audit_quota_left: '本月还剩 {rest} / {limit} 次审核',
    audit_quota_used_up: '本月审核额度已用完（剩余 {rest} / {limit}）',
    // rollout preview
    audit_quota_enough: '本次发布需要 {needed} 次审核，本月还剩 {remaining} 次',
    audit_quota_short: '审核额度不足：本次发布需要 {needed} 次审核，本月只剩 {remaining} 次',
    in_active_rollout: '其中 {count} 个小程序正在进行中的发布 #{rollout_id} 里',
    // a rollout's halts and its mini programs' failures
    preflight_failed: '预检未通过：{check}',
    audit_rejected: '审核被驳回：{reason}',
    audit_rejected_no_reason: '审核被驳回（微信未给出原因）',
    audit_withdrawn: '审核已被撤回',
    foreign_audit_in_flight: '有一个不是本次发布提交的审核正在进行中',
    rollout_cancelled: '发布已取消',
    gave_up: '尝试 {attempts} 次后放弃：无法连接微信或没有得到回答',
    retrying: '稍后重试（微信繁忙或暂时无法连接）',
    waiting_daily_quota: '今日接口调用次数已用完，明天继续',
    waiting_privacy_scan: '等待微信扫描代码中的隐私接口',
    wave_failures_above_threshold:
      '第 {wave} 批：{total} 个小程序中有 {failed} 个失败（{percent}%），超过了 {threshold}% 的阈值',
    paused_audit_quota: '本月审核额度已用完，已暂停；额度恢复后请继续',
    refused: 'openwx 拒绝了这一步（{error}）',
    wechat_errcode: '微信返回错误码 {errcode}',
    unknown: '未知原因',
    // the pre-flight checks, by name (a reason's {check})
    check_authorized: '授权状态',
    check_no_audit_in_flight: '没有进行中的审核',
    check_privacy: '隐私保护指引',
    check_categories: '类目',
    check_icp: 'ICP 备案',
    check_audit_quota: '本月审核额度',
    none: '无',
  },
  en: {
    authorizer_unknown: 'openwx does not know this appid',
    authorization_revoked: 'the merchant revoked the authorization',
    not_mini_program: 'an official account, not a mini program',
    authorized_mini_program: 'authorized mini program',
    audit_in_flight: 'audit {auditid} is in flight: wait for it or withdraw it',
    no_audit_in_flight: 'no audit in flight',
    privacy_guide_missing:
      'no privacy protection guide is set; WeChat rejects audits without one (apply a profile with privacy settings)',
    privacy_code_scanning:
      'privacy guide set ({items} items); WeChat is still scanning the code for privacy interfaces',
    privacy_guide_set: 'privacy guide set ({items} items)',
    privacy_interfaces_declared:
      'privacy guide set ({items} items); no privacy interface is missing',
    privacy_interfaces_missing:
      "the code's privacy interfaces are missing: not declared in ext_json requiredPrivateInfos: {without_conf_list}; not approved: {without_auth_list}",
    category_missing: 'the mini program has no approved category; add one first',
    categories_approved: '{count} approved categories; audit item: {item}',
    icp_not_required: 'released before; ICP filing not required here',
    icp_filed: 'ICP filed',
    icp_not_filed: 'never released and not ICP-filed (WeChat status {status}); file it first',
    icp_not_filed_2: 'never released and not ICP-filed: the filing is under platform review',
    icp_not_filed_3: 'never released and not ICP-filed: the platform rejected the filing',
    icp_not_filed_4: 'never released and not ICP-filed: the filing is under review by the bureau',
    icp_not_filed_5: 'never released and not ICP-filed: the bureau rejected the filing',
    wechat_refused: 'WeChat refused this check (errcode {errcode})',
    audit_quota_unknown: 'the audit quota could not be read',
    audit_quota_left: '{rest} of {limit} audits left this month',
    audit_quota_used_up: "the platform's monthly audit quota is used up ({rest} of {limit} left)",
    audit_quota_enough: 'this rollout needs {needed} audits, {remaining} remain this month',
    audit_quota_short:
      'not enough audit quota: this rollout needs {needed} audits, {remaining} remain this month',
    in_active_rollout: '{count} of these mini programs are in active rollout #{rollout_id}',
    preflight_failed: 'pre-flight failed: {check}',
    audit_rejected: 'audit rejected: {reason}',
    audit_rejected_no_reason: 'audit rejected (WeChat gave no reason)',
    audit_withdrawn: 'the audit was withdrawn',
    foreign_audit_in_flight: 'an audit not started by this rollout is in flight',
    rollout_cancelled: 'rollout cancelled',
    gave_up: 'gave up after {attempts} attempts: WeChat unreachable or no answer',
    retrying: 'retrying later (WeChat busy or unreachable)',
    waiting_daily_quota: "today's API quota is used up; going on tomorrow",
    waiting_privacy_scan: 'waiting for WeChat to scan the code for privacy interfaces',
    wave_failures_above_threshold:
      'wave {wave}: {failed} of {total} mini programs failed ({percent} %), above the {threshold} % threshold',
    paused_audit_quota: 'paused: the monthly audit quota is used up; resume when it allows',
    refused: 'openwx refused the step ({error})',
    wechat_errcode: 'WeChat answered errcode {errcode}',
    unknown: 'unknown reason',
    check_authorized: 'authorization',
    check_no_audit_in_flight: 'no audit in flight',
    check_privacy: 'privacy guide',
    check_categories: 'categories',
    check_icp: 'ICP filing',
    check_audit_quota: 'audit quota this month',
    none: 'none',
  },
});
