/**
 * WeChat errcodes and what a caller should do about them.
 * - stale_token: invalidate that token (only if still current), refresh, retry once
 * - busy: back off and retry
 * - quota: stop and report
 * - caller: surface to the caller
 * Reference: ../shared/wechat/01 §8.2.
 */
export type ErrcodeCategory = 'stale_token' | 'busy' | 'quota' | 'caller';

interface ErrcodeRow {
  category: ErrcodeCategory;
  meaning: string;
}

export const ERRCODES: Readonly<Record<number, ErrcodeRow>> = {
  [-1]: { category: 'busy', meaning: 'WeChat system error; transient, retry later' },
  40001: { category: 'stale_token', meaning: 'access token invalid or not the latest' },
  40003: { category: 'caller', meaning: 'invalid openid (not a user of this account)' },
  40008: { category: 'caller', meaning: 'invalid message type (msgtype)' },
  40013: { category: 'caller', meaning: 'invalid appid' },
  40014: { category: 'stale_token', meaning: 'invalid access token' },
  40029: { category: 'caller', meaning: 'invalid code (unknown, expired or for another app)' },
  40125: { category: 'caller', meaning: 'invalid app secret' },
  40163: { category: 'caller', meaning: 'code already used' },
  40170: { category: 'caller', meaning: 'count exceeds the limit (max 500)' },
  41001: { category: 'caller', meaning: 'access token missing' },
  41004: { category: 'caller', meaning: 'app secret missing' },
  41008: { category: 'caller', meaning: 'code missing' },
  42001: { category: 'stale_token', meaning: 'access token expired' },
  44004: { category: 'caller', meaning: 'text message content is empty' },
  45009: { category: 'quota', meaning: 'daily API quota reached; reset with clear_quota' },
  45011: { category: 'busy', meaning: 'API called too often; slow down' },
  45015: {
    category: 'caller',
    meaning: 'customer-service message more than 48 h after the user’s last message',
  },
  45047: { category: 'caller', meaning: 'too many customer-service messages to this user' },
  47001: {
    category: 'caller',
    meaning: 'data format error (body is not valid JSON or has wrong types)',
  },
  48001: { category: 'caller', meaning: 'API unauthorized for this account' },
  // 48004 "api forbidden or offline": WeChat's global return codes. (The retired
  // fastregisterweapp answers -1, not 48004: see retry-rules.ts NOT_BUSY.)
  48004: { category: 'caller', meaning: 'API forbidden for this account or taken offline' },
  48006: { category: 'quota', meaning: 'quota resets used up this month (10)' },
  61003: {
    category: 'caller',
    meaning: 'this account has not authorized the platform (or revoked it)',
  },
  61004: { category: 'caller', meaning: 'caller IP is not in the platform’s IP whitelist' },
  61005: { category: 'caller', meaning: 'component_verify_ticket expired; wait for the next push' },
  61006: { category: 'caller', meaning: 'component_verify_ticket invalid; use the latest push' },
  61007: {
    category: 'caller',
    meaning: 'the authorizer did not grant the permission set of this API',
  },
  61009: { category: 'caller', meaning: 'authorization code invalid or already used' },
  61010: { category: 'caller', meaning: 'authorization code expired' },
  61011: { category: 'caller', meaning: 'invalid component appid' },
  61023: {
    category: 'caller',
    meaning: 'authorizer_refresh_token invalid; recover it via api_get_authorizer_list',
  },
  61024: {
    category: 'caller',
    meaning: 'a component appid was used where an authorizer appid belongs',
  },
  61070: { category: 'caller', meaning: 'legal person’s name does not match the WeChat ID' },
  40097: { category: 'caller', meaning: 'invalid arguments' },
  40004: { category: 'caller', meaning: 'invalid media type' },
  40007: { category: 'caller', meaning: 'invalid media id (unknown, expired or another app’s)' },
  40009: { category: 'caller', meaning: 'image too large' },
  // Global return codes (doc oplatform/Return_codes/Return_code_descriptions_new).
  40010: { category: 'caller', meaning: 'voice file size not accepted' },
  40011: { category: 'caller', meaning: 'video file size not accepted' },
  40012: { category: 'caller', meaning: 'thumbnail size not accepted' },
  61012: { category: 'caller', meaning: 'unknown authorizer option name' },
  61013: { category: 'caller', meaning: 'value not allowed for this authorizer option' },
  41005: { category: 'caller', meaning: 'media data missing' },
  41006: { category: 'caller', meaning: 'media id missing' },
  46001: { category: 'caller', meaning: 'media not found' },
  // Source: doc openApi/miniprogram-management/basic-info-management/api_checknickname.
  41033: {
    category: 'caller',
    meaning: 'only a mini program created through the API may call this',
  },
  53200: { category: 'quota', meaning: 'signature changes used up this month' },
  53201: { category: 'caller', meaning: 'signature hits a blacklisted keyword' },
  53202: { category: 'quota', meaning: 'avatar changes used up this year' },
  53203: { category: 'caller', meaning: 'the avatar cannot be changed yet' },
  53204: { category: 'caller', meaning: 'invalid signature' },
  // Source: community/develop/doc/00022c0b0a0c40cea68b9a66457000 (real answer with rid).
  53205: { category: 'caller', meaning: 'avatar crop box is empty or inverted (x1 < x2, y1 < y2)' },
  53300: { category: 'quota', meaning: 'category changes used up this month' },
  53301: { category: 'caller', meaning: 'too many categories' },
  53302: { category: 'caller', meaning: 'the subject type may not have this category' },
  53303: { category: 'caller', meaning: 'invalid category parameters (unknown category)' },
  53304: { category: 'caller', meaning: 'duplicate category' },
  53305: { category: 'caller', meaning: 'a category failed the ICP check' },
  // modifycategory: ../shared/wechat/02 §5.5 (category management errcodes).
  53306: {
    category: 'caller',
    meaning: 'only the qualifications may change, not the category ids',
  },
  53307: { category: 'caller', meaning: 'only a rejected category may be modified' },
  53308: { category: 'caller', meaning: 'a category under review cannot be deleted' },
  53309: { category: 'caller', meaning: 'this category cannot be deleted' },
  53310: {
    category: 'caller',
    meaning: 'category limit reached; give apply_reason to ask for more',
  },
  53311: { category: 'caller', meaning: 'category needs qualification materials' },
  85015: { category: 'caller', meaning: 'not a mini program account' },
  85016: { category: 'caller', meaning: 'too many domains' },
  85017: {
    category: 'caller',
    meaning: 'no new domain added, empty input, or domain not on the platform',
  },
  85018: { category: 'caller', meaning: 'domain not registered on the platform' },
  // WeChat filters invalid domains and applies the rest (errcode 0); 85301 only when none is left.
  // Source: community/develop/doc/0002c6d28486c00ed50daec9551000.
  85301: {
    category: 'caller',
    meaning: 'no domain left after filtering (rules or platform list); invalid_* name them',
  },
  85302: { category: 'caller', meaning: 'some domains lack ICP filing; nothing changed' },
  85303: {
    category: 'caller',
    meaning: 'domains break the rules and lack ICP filing; nothing changed',
  },
  86069: { category: 'caller', meaning: 'privacy owner_setting lacks a contact' },
  86070: { category: 'caller', meaning: 'privacy owner_setting lacks notice_method' },
  86072: { category: 'caller', meaning: 'invalid store_expire_timestamp' },
  86073: { category: 'caller', meaning: 'invalid ext_file_media_id' },
  86074: { category: 'caller', meaning: 'no live privacy guide exists' },
  86075: { category: 'caller', meaning: 'the live guide’s ext_file_media_id cannot change' },
  // 86071 "privacy_ver参数无效": community answers cited in ../shared/wechat/03 row D7.
  86071: { category: 'caller', meaning: 'privacy_ver invalid (or setting_list sent with 1)' },
  // Privacy interfaces: doc Third-party_Platforms/2.0/api/apply_api/apply_privacy_interface.
  61031: { category: 'caller', meaning: 'an application for this interface is under review' },
  61032: { category: 'caller', meaning: 'the application’s video is not MP4' },
  61033: { category: 'caller', meaning: 'WeChat could not fetch the application’s video' },
  61034: {
    category: 'caller',
    meaning: 'application arguments missing (content, or none of url_list/pic_list/video_list)',
  },
  61035: {
    category: 'caller',
    meaning: 'this api_name needs no application (unknown, or case differs)',
  },
  // Doc Third-party_Platforms/2.0/api/privacy_config/upload_privacy_exfile: file over 100 KB.
  40126: { category: 'caller', meaning: 'invalid text size (privacy guide file over 100 KB)' },
  // Doc api_uploadmediatocodeaudit (uploadmedia): the upload must be a POST.
  43002: { category: 'caller', meaning: 'POST required' },
  // ICP filing. 40005/40006: the wxa media upload pages (uploadauthmaterial, uploadmedia).
  40005: { category: 'caller', meaning: 'invalid file type (not the format the upload takes)' },
  40006: { category: 'caller', meaning: 'invalid media size (file over the size limit)' },
  // 86202 "apply icp filing fail" with hints naming the refused fields: a real answer quoted on
  // the WeChat community (submit_auth_and_icp / apply_icp_filing).
  86202: { category: 'caller', meaning: 'ICP filing application refused; hints name the fields' },
  // 86205 "media_id不合法": getIcpMedia doc, example of a failed call.
  86205: { category: 'caller', meaning: 'invalid ICP media_id' },
  89019: { category: 'caller', meaning: 'business domains unchanged (nothing to do)' },
  89020: { category: 'caller', meaning: 'the platform has no business domain registered' },
  89021: {
    category: 'caller',
    meaning: 'domain is not a platform business domain or its subdomain',
  },
  89029: { category: 'caller', meaning: 'too many business domains' },
  89231: { category: 'caller', meaning: 'personal mini programs cannot set business domains' },
  91001: { category: 'caller', meaning: 'not created by fast registration' },
  91002: { category: 'caller', meaning: 'cannot rename after release' },
  91003: { category: 'caller', meaning: 'invalid rename state' },
  91004: { category: 'caller', meaning: 'invalid name' },
  91007: { category: 'caller', meaning: 'name already taken' },
  91009: { category: 'caller', meaning: 'rename needs materials' },
  // Verification on behalf (wxaauth, reauth): "材料无效" for a media id not uploaded with
  // uploadauthmaterial, a real answer quoted on the WeChat community (no doc table lists it).
  89636: { category: 'caller', meaning: 'invalid verification material (media id)' },
  76021: { category: 'caller', meaning: 'cgi_path not found' },
  76022: { category: 'caller', meaning: 'this token does not own that API' },
  // Registration: doc Third-party_Platforms/2.0/api/Register_Mini_Programs/
  // Fast_Registration_Interface_document (86004, 61070, 89247–89255) and the beta pages
  // (86011, 91020, 91021); ../shared/wechat/02 §1.
  86004: { category: 'caller', meaning: 'invalid WeChat ID (微信号)' },
  86011: { category: 'caller', meaning: 'name hits a protected keyword' },
  89247: { category: 'busy', meaning: 'registration: WeChat internal error; retry later' },
  89248: { category: 'caller', meaning: 'registration: invalid code_type' },
  89249: {
    category: 'caller',
    meaning: 'a registration task for this subject is already running; retry after 24 h',
  },
  89250: { category: 'caller', meaning: 'registration task not found' },
  89251: {
    category: 'caller',
    meaning: 'waiting for the legal person’s face verification (template message sent)',
  },
  89252: { category: 'caller', meaning: 'legal person / company consistency check in progress' },
  89253: { category: 'caller', meaning: 'registration: missing parameters' },
  89254: {
    category: 'caller',
    meaning: 'the platform lacks required permission sets (effective after full release)',
  },
  89255: { category: 'caller', meaning: 'registration: code does not match code_type' },
  91020: { category: 'caller', meaning: 'only an unconverted trial mini program may do this' },
  91021: { category: 'caller', meaning: 'not an unconverted trial mini program' },
  // Testers: doc openApi/miniprogram-management/member-management/api_bindtester.
  85001: {
    category: 'caller',
    meaning: 'no such WeChat ID, or its owner cannot be found by it (search turned off)',
  },
  85002: { category: 'quota', meaning: 'the mini program has as many testers as it may' },
  85003: {
    category: 'quota',
    meaning: 'this WeChat ID is a tester of as many mini programs as it may',
  },
  85004: { category: 'caller', meaning: 'this WeChat ID is already a tester' },
  43001: { category: 'caller', meaning: 'GET required (gettemplatelist)' },
  85064: { category: 'caller', meaning: 'draft or template not found' },
  85065: { category: 'caller', meaning: 'template library full; delete templates first' },
  44002: { category: 'caller', meaning: 'empty post body (send {})' },
  61039: {
    category: 'busy',
    meaning: 'privacy-API detection of the committed code still running; retry in about a minute',
  },
  61040: { category: 'caller', meaning: 'privacy APIs used but not declared or authorized' },
  85006: { category: 'caller', meaning: 'bad tag format in an audit item' },
  85007: { category: 'caller', meaning: 'bad page path in an audit item' },
  85008: { category: 'caller', meaning: 'category invalid or not approved for this mini program' },
  85009: { category: 'caller', meaning: 'a version is already under review' },
  85010: { category: 'caller', meaning: 'audit item list has empty entries' },
  85011: { category: 'caller', meaning: 'bad title in an audit item' },
  85012: { category: 'caller', meaning: 'invalid audit id' },
  // 85013 is "无效的自定义配置"; unreadable JSON is 85048. Source: doc
  // Third-party_Platforms/2.0/api/code/commit; community/minihome/doc/000ae0a8b48d98e94c5294d086bc00.
  85013: {
    category: 'caller',
    meaning: 'invalid custom configuration in ext_json (too large or wrong extAppid)',
  },
  85014: { category: 'caller', meaning: 'template does not exist' },
  85019: { category: 'caller', meaning: 'no version under or after review to release' },
  85020: { category: 'caller', meaning: 'the audit status does not allow release' },
  85021: { category: 'caller', meaning: 'service status cannot be changed' },
  85022: { category: 'caller', meaning: 'invalid visit status action' },
  85023: { category: 'caller', meaning: 'audit item count not within 1-5' },
  85043: { category: 'caller', meaning: 'template error' },
  85044: { category: 'caller', meaning: 'code package exceeds the size limit' },
  85045: { category: 'caller', meaning: 'a path in ext_json does not exist in the template' },
  85046: { category: 'caller', meaning: 'tabBar item missing pagePath' },
  85047: { category: 'caller', meaning: 'pages empty in ext_json' },
  85048: { category: 'caller', meaning: 'ext_json could not be parsed (parse ext.json failed)' },
  85051: { category: 'caller', meaning: 'version_desc or preview_info too large' },
  85058: { category: 'caller', meaning: 'no audit for this mini program yet' },
  85077: { category: 'caller', meaning: 'category removed by WeChat' },
  85079: { category: 'caller', meaning: 'no online version yet (phased release)' },
  85080: { category: 'caller', meaning: 'no approved audit to release in phases' },
  85081: { category: 'caller', meaning: 'invalid phased release percentage' },
  85082: { category: 'caller', meaning: 'phased release percentage must increase' },
  85085: { category: 'quota', meaning: 'monthly audit quota of the platform exhausted' },
  85086: { category: 'caller', meaning: 'commit code before submit_audit' },
  85087: { category: 'caller', meaning: 'navigateToMiniProgram targets must be declared' },
  85092: { category: 'caller', meaning: 'bad preview_info (or expired media ids)' },
  85093: { category: 'caller', meaning: 'too many preview images or videos' },
  85094: { category: 'caller', meaning: 'UGC declaration required' },
  86000: {
    category: 'caller',
    meaning: 'not called by a third-party platform (or not a mini program)',
  },
  86001: { category: 'caller', meaning: 'no committed code' },
  86002: { category: 'caller', meaning: 'nickname, avatar or description not set' },
  86007: { category: 'caller', meaning: 'mini program forbidden from submitting' },
  86009: { category: 'caller', meaning: 'platform restricted from submitting new mini programs' },
  86010: { category: 'caller', meaning: 'platform restricted from submitting iterations' },
  87006: { category: 'caller', meaning: 'mini games cannot be submitted this way' },
  87011: { category: 'caller', meaning: 'a phased release is in progress' },
  87012: {
    category: 'caller',
    meaning: 'version cannot be rolled back (no previous version or already a rollback)',
  },
  87013: { category: 'quota', meaning: 'audit withdrawal quota exhausted (5 a day, 10 a month)' },
  89401: { category: 'busy', meaning: 'system unstable; expedite later' },
  89402: { category: 'caller', meaning: 'audit not in the pending queue' },
  89403: { category: 'caller', meaning: 'this audit cannot be expedited' },
  89404: { category: 'caller', meaning: 'audit already expedited' },
  89405: { category: 'quota', meaning: 'monthly expedite quota exhausted' },
  9400001: {
    category: 'caller',
    meaning: 'development mini program has live-streaming permission; cannot release',
  },
  9402202: { category: 'busy', meaning: 'another code operation is in progress; wait and retry' },
  9402203: { category: 'caller', meaning: 'standard template given unsupported ext_json keys' },
};

export function errcodeCategory(errcode: number): ErrcodeCategory {
  return ERRCODES[errcode]?.category ?? 'caller';
}

export function errcodeMeaning(errcode: number): string | undefined {
  return ERRCODES[errcode]?.meaning;
}
