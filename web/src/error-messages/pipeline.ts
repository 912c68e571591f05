import { defineMessages } from '../i18n.ts';

/**
 * Reasons (`<code>_<params.reason>`) of the code pipeline, rollouts, profiles, privacy, ICP
 * filing, registration, verification and testers (and the rest of the API's own lookups), in the
 * operator's language. Merged into the one catalogue in ../error-messages.ts.
 */
export const pipelineErrors = defineMessages({
  zh: {
    // things that are not there
    not_found_authorizer: '找不到授权账号 {appid}',
    not_found_mini_program: '找不到已授权的小程序 {appid}',
    not_found_tenant: '找不到租户 {tenant_id}',
    not_found_profile: '找不到配置模板 {id}',
    not_found_rollout: '找不到发布 #{id}',
    not_found_deployment: '找不到部署 #{id}',
    not_found_event: '找不到事件 #{id}',
    conflict_authorized_to_another_tenant: '账号 {appid} 已授权给另一个租户',
    conflict_stale_lock: '无法接管过期的锁文件 {path}，请手动删除',
    not_found_registration: '找不到注册申请 {id}',
    not_found_tester: '{userstr} 不是这个小程序的体验成员',
    not_found_component_proxy: '只有平台管理员可以通过代理调用第三方平台接口',
    not_found_no_default_template: '没有指定模板，也没有设置默认模板',
    not_found_template_not_in_library: '模板 {template_id} 不在模板库中',
    not_found_template_unknown_to_wechat: '微信找不到模板 {template_id}，请先同步模板库',
    not_found_no_failed_audit: '小程序 {appid} 没有未通过的审核',
    not_found_no_profile_applies: '没有适用的配置模板：请先创建一个默认配置模板',
    // code: commit, audit, release, phased release
    bad_request_ext_and_ext_json: 'ext 和 ext_json 只能填写其中一个',
    bad_request_ext_json_malformed: 'ext_json 不是有效的 JSON',
    bad_request_ext_json_not_object: 'ext_json 必须是一个 JSON 对象',
    bad_request_ext_private_infos_not_list:
      'ext_json 中的 requiredPrivateInfos 必须是接口名称的列表',
    bad_request_ext_appid_mismatch:
      'ext_json 中的 extAppid 是 {ext_appid}，必须是小程序自己的 AppID {appid}',
    bad_request_ext_json_too_large: 'ext_json 将有 {size} 字节，最多 {limit} 字节',
    bad_request_ext_invalid: '小程序 {appid} 的 ext_json 无法生成',
    bad_request_ext_json_rejected: '微信不接受这份 ext_json（错误码 {errcode}）',
    bad_request_gray_share_must_grow: '灰度比例只能增加：当前已是 {percentage}%',
    conflict_audit_in_flight: '审核单 {auditid} 正在审核中，请先撤回',
    conflict_nothing_committed: '这个小程序还没有上传过代码',
    conflict_version_online_already: '没有可发布的版本：审核单 {auditid} 的版本已经上线',
    conflict_audit_not_passed: '没有可发布的版本：最近一次审核（{auditid}）尚未通过',
    conflict_no_audit_passed: '没有可发布的版本：还没有审核通过的版本',
    conflict_no_audit_in_flight: '没有正在进行的审核可以撤回',
    conflict_audit_not_under_review: '只有审核中的版本可以加急',
    conflict_gray_needs_passed_audit: '分阶段发布需要一个审核通过的版本',
    conflict_no_gray_release: '当前没有进行中的分阶段发布',
    preflight_failed_checks_failed: '提审前检查有 {count} 项未通过',
    quota_exhausted_audit_quota_short:
      '审核额度不足：这次发布需要 {needed} 次审核，本月还剩 {remaining} 次',
    // rollouts
    bad_request_target_unscoped: '请选择发布范围：全部、指定租户、指定小程序或低于某个版本',
    bad_request_target_all_combined: '选择“全部”时不能再指定租户或小程序',
    bad_request_version_malformed: '版本号格式不正确，例如 1.4.0',
    bad_request_waves_count: '请填写 1 到 {max} 个批次，按累计百分比，例如 1, 10, 100',
    bad_request_wave_out_of_range: '第 {wave} 批为 {percent}：每批须大于 0 且不超过 100（%）',
    bad_request_waves_not_rising: '批次按累计百分比填写：第 {wave} 批须大于上一批',
    bad_request_last_wave_not_100: '最后一批必须是 100（%）',
    bad_request_appids_not_authorized: '以下 {count} 个不是已授权的小程序：{appids}',
    forbidden_upgrade_by_operator: '这个小程序已部署过；升级由平台运营方进行',
    forbidden_template_choice_not_allowed: '首次部署使用默认模板；选择模板需要自助升级权限',
    // profiles
    bad_request_domain_malformed: '“{value}”的格式应为 协议://域名，例如 https://api.example.com',
    bad_request_domain_has_path: '“{value}”带有路径，只需填写域名',
    bad_request_host_invalid: '“{host}”不是有效的域名（不能使用 IP 地址）',
    bad_request_listed_twice: '“{value}”重复填写了',
    bad_request_domain_scheme: '“{value}”：{kind} 域名须以 {scheme}:// 开头',
    bad_request_domain_not_on_platform: '“{host}”不在第三方平台登记的服务器域名中',
    bad_request_webview_domain_port: '“{value}”：业务域名不能带端口',
    bad_request_webview_domain_not_on_platform: '“{host}”不是第三方平台的业务域名或其子域名',
    bad_request_privacy_contact_missing: '请至少填写一种联系方式（邮箱、电话、QQ 或微信）',
    bad_request_privacy_notice_missing: '请说明如何告知用户隐私保护指引的变更',
    bad_request_privacy_interface_unknown: '“{api_name}”不是隐私接口（名称区分大小写）',
    bad_request_filter_empty: '请选择要同步的小程序：指定租户、指定小程序或全部',
    bad_request_not_mini_program: '{appid} 是公众号，不是小程序',
    conflict_profile_name_taken: '已有名为“{name}”的配置模板',
    conflict_profile_is_default: '默认配置模板不能删除，请先把另一个设为默认',
    bad_request_domains_all_filtered:
      '微信没有保留任何一个域名：每个域名都不符合规则、不在第三方平台的服务器域名中，或没有 ICP 备案',
    bad_request_crop_out_of_range: '裁剪坐标 {value} 须在 0 到 1 之间',
    bad_request_crop_not_greater: '“{field}”须大于“{other}”',
    // privacy interfaces and materials
    bad_request_content_missing: '请填写申请理由',
    bad_request_content_too_long: '申请理由最多 {max} 个字符',
    bad_request_material_missing: '请至少提供一个网页链接、图片或视频，说明在哪里使用了这个接口',
    bad_request_url_invalid: '“{field}”不是 http(s) 链接',
    bad_request_video_not_mp4: '微信只接受 MP4 视频',
    bad_request_media_not_base64: '文件内容不是有效的 base64 编码',
    bad_request_media_empty: '文件是空的',
    bad_request_media_type_invalid: '类型只能是图片或视频',
    bad_request_media_format_invalid: '文件格式不符合要求（识别为 {format}）',
    bad_request_media_too_large: '文件有 {size} 字节，微信最多接受 {max} 字节',
    bad_request_privacy_file_type_invalid: '隐私保护指引必须是 .txt 文本文件',
    bad_request_privacy_file_too_large: '隐私保护指引有 {size} 字节，微信最多接受 {max} 字节',
    conflict_privacy_check_running: '微信仍在检测代码中的隐私接口，请稍后再提交',
    conflict_privacy_interfaces_missing:
      '微信拒绝提审：代码使用的隐私接口未在 ext_json 中声明或未获批准',
    conflict_privacy_interface_approved: '{api_name} 已获批准',
    conflict_privacy_interface_applying: '{api_name} 的申请正在审核中，请等待结果',
    internal_wechat_answer_incomplete: '微信已接收，但没有返回 {field}',
    // ICP filing
    bad_request_unknown_subject_type: '主体类型不在微信的可选列表中',
    bad_request_unknown_district: '省、市或区县代码不在微信的可选列表中',
    bad_request_unknown_certificate_type: '证件类型不在微信的可选列表中',
    bad_request_unknown_service_content_type: '服务内容类型须为 1 到 5 个微信列出的二级类型',
    bad_request_unknown_nrlx_type: '前置审批类型不在微信的可选列表中（不涉及时选“无”）',
    bad_request_wechat_refused: '微信拒绝了备案申请（错误码 {errcode}），请按提示修改后重新提交',
    conflict_filing_in_review: '这个小程序有一份备案正在审核中',
    conflict_already_filed: '这个小程序已经备案',
    conflict_no_face_verification: '这个小程序还没有发起人脸核身',
    conflict_authorization_revoked: '该账号已取消对第三方平台的授权',
    // registration, verification, testers
    bad_request_length_range: '“{field}”须为 {min} 到 {max} 个字符',
    bad_request_code_type_invalid: '证件类型只能是 1、2 或 3',
    bad_request_code_mismatch: '“{field}”与证件类型 {code_type} 的格式不符',
    bad_request_uscc_invalid: '请填写 18 位统一社会信用代码（数字或大写字母）',
    bad_request_phone_invalid: '联系电话须为 5 到 20 位数字',
    bad_request_wechat_id_invalid:
      '“{field}”须为微信号：6 到 20 个字母、数字、“-”或“_”，以字母开头',
    bad_request_legacy_flow_field: '“{field}”只用于旧版流程（flow 为 legacy）',
    bad_request_retired_field: '“{field}”已不再使用：微信已于 2026-04-30 停用该版本',
    bad_request_email_invalid: '“{field}”不是有效的邮箱地址',
    bad_request_qualification_required: '除个人（customer_type 15）外，须提供主体资质材料',
    bad_request_userstr_invalid: '成员标识须为 1 到 128 个字母、数字、“-”或“_”',
    conflict_not_created_trial: '注册申请 {id} 不是已创建的试用小程序',
    conflict_no_verification: '这个账号还没有发起过认证',
    conflict_verification_in_progress: '认证正在进行中（任务 {taskid}）',
    conflict_verification_sent_back: '认证被退回：请修改后重新提交',
    conflict_verification_not_sent_back: '没有被退回、需要补充的认证',
    conflict_category_not_rejected: '该类目正在审核或已通过；只有被驳回的类目才能补充资质',
    // the proxy and tokens
    bad_request_not_wechat_path: '“{path}”不是微信接口路径（如 /cgi-bin/…、/wxa/…、/sns/…）',
    bad_request_proxy_appid_invalid: '代理路径须以 AppID 或 component 开头',
    token_access_off_raw_tokens_off:
      '这个租户不能直接读取令牌：请通过代理调用微信，或请平台开启令牌读取',
    proxy_path_not_allowed: '租户密钥不能通过代理调用 {path}：该接口属于平台',
  },
  en: {
    not_found_authorizer: 'authorizer {appid} not found',
    not_found_mini_program: 'no authorized mini program {appid}',
    not_found_tenant: 'tenant {tenant_id} not found',
    not_found_profile: 'profile {id} not found',
    not_found_rollout: 'rollout #{id} not found',
    not_found_deployment: 'deployment #{id} not found',
    not_found_event: 'event #{id} not found',
    conflict_authorized_to_another_tenant:
      'account {appid} is already authorized to another tenant',
    conflict_stale_lock: 'cannot take over the stale lock file {path}; delete it',
    not_found_registration: 'registration {id} not found',
    not_found_tester: '{userstr} is not a tester of this mini program',
    not_found_component_proxy: 'the component proxy is for the operator only',
    not_found_no_default_template: 'no template given and no default template is set',
    not_found_template_not_in_library: 'template {template_id} is not in the template library',
    not_found_template_unknown_to_wechat:
      'WeChat does not know template {template_id}; sync the template library',
    not_found_no_failed_audit: 'mini program {appid} has no failed audit',
    not_found_no_profile_applies: 'no profile applies: create a default profile first',
    bad_request_ext_and_ext_json: 'give either ext or ext_json, not both',
    bad_request_ext_json_malformed: 'ext_json is not valid JSON',
    bad_request_ext_json_not_object: 'ext_json must be a JSON object',
    bad_request_ext_private_infos_not_list:
      "ext_json's requiredPrivateInfos must be a list of interface names",
    bad_request_ext_appid_mismatch:
      "ext_json's extAppid is {ext_appid}; it must be the mini program's own appid {appid}",
    bad_request_ext_json_too_large: 'ext_json would be {size} bytes (at most {limit})',
    bad_request_ext_invalid: 'the ext_json of {appid} cannot be made',
    bad_request_ext_json_rejected: 'WeChat rejected the ext_json (errcode {errcode})',
    bad_request_gray_share_must_grow: 'the share must grow: it is {percentage} % now',
    conflict_audit_in_flight: 'audit {auditid} is in flight; withdraw it first',
    conflict_nothing_committed: 'nothing has been committed for this mini program yet',
    conflict_version_online_already:
      'nothing to release: the version of audit {auditid} is online already',
    conflict_audit_not_passed: 'nothing to release: the latest audit ({auditid}) has not passed',
    conflict_no_audit_passed: 'nothing to release: no version has passed an audit',
    conflict_no_audit_in_flight: 'no audit is in flight to withdraw',
    conflict_audit_not_under_review: 'only an audit under review can be sped up',
    conflict_gray_needs_passed_audit: 'a phased release needs a version that passed its audit',
    conflict_no_gray_release: 'no phased release is running',
    preflight_failed_checks_failed: '{count} pre-flight checks fail',
    quota_exhausted_audit_quota_short:
      'not enough audit quota: this rollout needs {needed} audits, {remaining} remain this month',
    bad_request_target_unscoped:
      'choose the target: all, tenants, mini programs or released below a version',
    bad_request_target_all_combined: '"all" cannot be combined with tenants or mini programs',
    bad_request_version_malformed: 'the version must be written like 1.4.0',
    bad_request_waves_count: 'give 1 to {max} waves as cumulative percentages, e.g. 1, 10, 100',
    bad_request_wave_out_of_range:
      'wave {wave} is {percent}: each wave is a percentage above 0 and up to 100',
    bad_request_waves_not_rising:
      'waves are cumulative: wave {wave} must be higher than the previous',
    bad_request_last_wave_not_100: 'the last wave must be 100 (%)',
    bad_request_appids_not_authorized: '{count} are not authorized mini programs: {appids}',
    forbidden_upgrade_by_operator:
      'this mini program has been deployed before; upgrades are made by the platform operator',
    forbidden_template_choice_not_allowed:
      'the first deployment uses the default template; choosing a template needs self-upgrade rights',
    bad_request_domain_malformed:
      '"{value}" must be written scheme://host, e.g. https://api.example.com',
    bad_request_domain_has_path: '"{value}" has a path; give the domain only',
    bad_request_host_invalid: '"{host}" is not a valid host name (no IP addresses)',
    bad_request_listed_twice: '"{value}" is listed twice',
    bad_request_domain_scheme: '"{value}": {kind} domains start with {scheme}://',
    bad_request_domain_not_on_platform:
      '"{host}" is not among the platform\'s registered server domains',
    bad_request_webview_domain_port: '"{value}": business domains take no port',
    bad_request_webview_domain_not_on_platform:
      '"{host}" is not a platform business domain or one of its subdomains',
    bad_request_privacy_contact_missing: 'give at least one contact (email, phone, QQ or WeChat)',
    bad_request_privacy_notice_missing: 'say how users are told of changes',
    bad_request_privacy_interface_unknown:
      '"{api_name}" is not a privacy interface (names are case-sensitive)',
    bad_request_filter_empty: 'choose the mini programs: a tenant, some mini programs or all',
    bad_request_not_mini_program: '{appid} is an official account, not a mini program',
    conflict_profile_name_taken: 'a profile named "{name}" exists',
    conflict_profile_is_default: 'the default profile cannot be deleted; choose another first',
    bad_request_domains_all_filtered:
      'WeChat kept none of the domains: each breaks its rules, is not among the platform’s server domains or has no ICP filing',
    bad_request_crop_out_of_range: 'the crop value {value} is not between 0 and 1',
    bad_request_crop_not_greater: '{field} must be greater than {other}',
    bad_request_content_missing: 'give the reason for the application',
    bad_request_content_too_long: 'the reason has at most {max} characters',
    bad_request_material_missing:
      'give at least one URL, picture or video showing where the interface is used',
    bad_request_url_invalid: '{field} is not an http(s) URL',
    bad_request_video_not_mp4: 'WeChat takes only MP4 videos',
    bad_request_media_not_base64: 'the file content is not base64',
    bad_request_media_empty: 'the file is empty',
    bad_request_media_type_invalid: 'the type must be image or video',
    bad_request_media_format_invalid: 'the file format is not accepted (read as {format})',
    bad_request_media_too_large: 'the file has {size} bytes; WeChat takes at most {max}',
    bad_request_privacy_file_type_invalid: 'the privacy guide must be a .txt text file',
    bad_request_privacy_file_too_large:
      'the privacy guide has {size} bytes; WeChat takes at most {max}',
    conflict_privacy_check_running:
      'WeChat is still scanning the code for privacy interfaces; submit again in a minute',
    conflict_privacy_interfaces_missing:
      'WeChat refused the submission: privacy interfaces are used without a declaration in ext_json or an approval',
    conflict_privacy_interface_approved: '{api_name} is approved already',
    conflict_privacy_interface_applying:
      'the application for {api_name} is under review; wait for its result',
    internal_wechat_answer_incomplete: 'WeChat took it but answered no {field}',
    bad_request_unknown_subject_type: 'the subject type is not among WeChat’s choices',
    bad_request_unknown_district:
      'the province, city or district code is not among WeChat’s choices',
    bad_request_unknown_certificate_type: 'the certificate type is not among WeChat’s choices',
    bad_request_unknown_service_content_type:
      'give 1 to 5 second-level service content types WeChat lists',
    bad_request_unknown_nrlx_type:
      'the pre-approval types are not among WeChat’s choices (the "none" type when none applies)',
    bad_request_wechat_refused:
      'WeChat refused the filing (errcode {errcode}); correct it as its hints say and submit again',
    conflict_filing_in_review: 'a filing of this mini program is under review',
    conflict_already_filed: 'this mini program is already filed',
    conflict_no_face_verification: 'no face verification was started for this mini program',
    conflict_authorization_revoked: 'the account has revoked its authorization',
    bad_request_length_range: '{field} must be {min} to {max} characters',
    bad_request_code_type_invalid: 'the certificate type must be 1, 2 or 3',
    bad_request_code_mismatch: '{field} does not match certificate type {code_type}',
    bad_request_uscc_invalid:
      'give an 18-character unified social credit code (digits or capitals)',
    bad_request_phone_invalid: 'the phone number must be 5 to 20 digits',
    bad_request_wechat_id_invalid:
      '{field} must be a WeChat ID: 6 to 20 letters, digits, - or _, starting with a letter',
    bad_request_legacy_flow_field: '{field} is for the legacy flow only (flow "legacy")',
    bad_request_retired_field: '{field} is not used: WeChat retired that version on 2026-04-30',
    bad_request_email_invalid: '{field} is not an email address',
    bad_request_qualification_required:
      'give the subject’s qualification unless the customer is a person (customer_type 15)',
    bad_request_userstr_invalid: 'a tester id is 1 to 128 letters, digits, - or _',
    conflict_not_created_trial: 'registration {id} is not a created trial mini program',
    conflict_no_verification: 'no verification of this account was started',
    conflict_verification_in_progress: 'a verification is in progress (task {taskid})',
    conflict_verification_sent_back:
      'the verification was sent back: correct it and submit it again',
    conflict_verification_not_sent_back: 'no verification was sent back to refill',
    conflict_category_not_rejected:
      'the category is under review or approved; only a rejected one takes new qualifications',
    bad_request_not_wechat_path:
      '"{path}" is not a WeChat API path (e.g. /cgi-bin/…, /wxa/…, /sns/…)',
    bad_request_proxy_appid_invalid: 'the proxy path must start with an appid or "component"',
    token_access_off_raw_tokens_off:
      'this tenant may not read raw tokens: call WeChat through the proxy, or ask the operator to allow it',
    proxy_path_not_allowed:
      'a tenant key may not call {path} through the proxy: it belongs to the platform',
  },
});
