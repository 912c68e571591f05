/**
 * WeChat's error envelope: HTTP 200 with `{"errcode":N,"errmsg":"<text> rid: …"}`.
 * Reference: ../shared/wechat/01 §8.1–8.2.
 */
/**
 * Errcodes the emulator answers whose errmsg text no doc page, SDK or community answer gives: no
 * source found. The text is a placeholder that says what the code means (from the doc's errcode
 * table), marked as such so nobody takes it for WeChat's wording.
 */
export const UNSOURCED_TEXT: Readonly<Record<number, string>> = {
  // doc Third-party_Platforms/2.0/api/privacy_config/set_privacy_setting (meanings only).
  86070: '[placeholder, no source found] owner_setting.notice_method missing',
  86073: '[placeholder, no source found] invalid ext_file_media_id',
  86074: '[placeholder, no source found] no live privacy guide (privacy_ver 1)',
};

export const ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40003: 'invalid openid',
  40008: 'invalid message type',
  40004: 'invalid media type',
  40007: 'invalid media_id',
  40009: 'invalid image size',
  // Global return codes (doc oplatform/Return_codes/Return_code_descriptions_new, English
  // column; WxJava WxOpenErrorMsgEnum).
  40005: 'invalid file type',
  40010: 'invalid voice size',
  40011: 'invalid video size',
  40012: 'invalid thumb size',
  61012: 'invalid option name',
  61013: 'invalid option value',
  40013: 'invalid appid',
  40029: 'invalid code',
  40066: 'invalid url',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40170: 'args count exceed count limit',
  41001: 'access_token missing',
  41004: 'appsecret missing',
  41005: 'media data missing',
  41006: 'media_id missing',
  41008: 'missing code',
  42001: 'access_token expired',
  44004: 'empty content',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
  45015: 'response out of time limit or subscription is canceled',
  45047: 'out of response count limit',
  47001: 'data format error',
  48001: 'api unauthorized',
  48004: 'api forbidden or offline',
  48006: 'forbid to clear quota because of reaching the limit',
  61003: 'component is not authorized by this account',
  61004: 'access clientip is not registered',
  61005: 'component ticket is expired',
  61006: 'component ticket is invalid',
  61007: 'api is unauthorized to component',
  61009: 'code is invalid',
  61010: 'code is expired',
  61011: 'invalid component',
  61023: 'refresh_token is invalid',
  61024: 'must use api(api_component_token) to get token for component acct',
  76021: 'cgi_path not found, please check',
  // Source: doc Third-party_Platforms/2.0/api/openApi/get_api_quota.
  76022: 'could not use this cgi_path,no permission',
  44002: 'empty post data',
  61039: 'privacy api check not finish',
  61040: 'privacy api not declared',
  85006: 'tag is invalid',
  85007: 'page is invalid',
  85008: 'category is invalid',
  // Source: community/develop/doc/000a2222db0c785fc01d780585b800 (real answer with rid).
  85009: 'already submit a version under auditing',
  85010: 'item_list is invalid',
  85011: 'title is invalid',
  85012: 'invalid auditid',
  85013: 'invalid ext_json',
  85014: 'template not exist',
  // Source: community/develop/doc/00022c0b0a0c40cea68b9a66457000 (real answer with rid).
  53205: 'cut size invalid, please check x1 y1 x2 y2',
  // Source: community/develop/doc/000ae4d16fc93083f75b058ee5b800 (real answer with rid).
  89021: "request domain is not open's webview domain!",
  // Source: community/develop/doc/0006ec77b98a282712eff2b9c51000 (real answer with rid).
  86069: 'owner_setting必填字段字段缺失',
  // 85017 and 85301 texts: community/develop/doc/0008a6ff114cb8b2365a8661b51400 and
  // community/develop/doc/0002c6d28486c00ed50daec9551000 (real answers with rid).
  85017:
    'no domain to modify after filtered, please confirm the domain has been set in miniprogram or open',
  85301:
    'no domain to modify after filtered, please confirm the domain has been set in miniprogram or open, and follows the rule of domains',
  85019: 'no version under review',
  85020: 'status not allowed',
  85021: 'status not allowed',
  85022: 'action invalid',
  85023: 'item size invalid',
  85043: 'template error',
  85044: 'code package exceeded max size',
  85045: 'some path in ext_json not exist',
  85046: 'pagePath missing in tabbar',
  85047: 'pages are empty',
  // Source: community/minihome/doc/000ae0a8b48d98e94c5294d086bc00 (real answer with rid).
  85048: 'parse ext.json failed',
  85051: 'data too large',
  85058: 'no valid audit_id exist',
  85077: 'category invalid',
  85079: 'miniprogram has no online release',
  85080: 'miniprogram commit not approved',
  85081: 'invalid gray percentage',
  85082: 'gray percentage should be larger than now',
  // Source: community/develop/doc/00008215d28248c49af8e820451000 (real answer with rid).
  85085: 'submit audit reach limit, please try later',
  85086: 'must commit before submit audit',
  85087: 'navigateToMiniProgram appid list not declared',
  85092: 'preview_info format error',
  85093: 'preview_info size too large',
  85094: 'ugc declare required',
  86000: 'should be called by third party',
  86001: 'authorizer has no code',
  86002: 'miniprogram info not complete',
  86007: 'miniprogram forbidden',
  86009: 'submit new miniprogram restricted',
  86010: 'submit iteration restricted',
  87006: 'minigame not supported',
  87011: 'gray release in progress',
  87012: 'cannot revert',
  87013: 'undo audit reach limit',
  89401: 'system unstable',
  89402: 'audit not in pending queue',
  89403: 'audit cannot speed up',
  89404: 'audit already speed up',
  89405: 'speed up quota reach limit',
  9400001: 'live permission',
  9402202: 'concurrent limit',
  9402203: 'standard template ext_json invalid',
  // Texts below: the errmsg column (English) of WeChat's global return codes, doc
  // oplatform/Return_codes/Return_code_descriptions_new, as mirrored by WxJava
  // WxOpenErrorMsgEnum (the English note next to each code).
  40097: 'invalid args',
  41033: 'invaid register type',
  53200: 'modify signature quota limit exceed',
  53202: 'modify avatar quota limit exceed',
  53204: 'signature invalid',
  // Texts below: WeChat gives no English errmsg for these in any stored source; the text is the
  // description in the errcode table of the API's doc page (addcategory, deletecategory,
  // modifycategory, modify_domain, setwebviewdomain, setnickname, gettemplatelist/
  // addtotemplate), as collected in WxJava WxMaErrorMsgEnum and WxOpenErrorMsgEnum.
  53300: '超出每月次数限制',
  53301: '超出可配置类目总数限制',
  53303: '提交的参数不合法',
  53304: '与已有类目重复',
  53307: '只有审核失败的类目允许修改',
  53308: '审核中的类目不允许删除',
  53311: '需要提交资料信息',
  85015: '该账号不是小程序账号',
  85016: '域名数量超过限制',
  85064: '找不到模版/草稿',
  85065: '模版库已满',
  89019: '业务域名无更改，无需重复设置',
  89020: '尚未设置小程序业务域名，请先在第三方平台中设置小程序业务域名后在调用本接口',
  89029: '业务域名数量超过限制',
  91004: '昵称不合法',
  // Testers: the errmsg column of doc
  // openApi/miniprogram-management/member-management/api_bindtester.
  85001: 'user not exist or user cannot be searched',
  85002: 'number of tester reach bind limit',
  85003: 'user already bind too many weapps',
  85004: 'user already bind',
  // Registration: the 提示语 column of doc
  // Third-party_Platforms/2.0/api/Register_Mini_Programs/Fast_Registration_Interface_document
  // (86004, 89248–89250, 89253); answers quoted with a rid in the community: 89251
  // (community/personal/oCJUsw3ocucLMc3x9TNKMZRoA4lc/answer), 91021
  // (community/develop/doc/0002aca63c8af00b89a00e9cd66800); 86011 and 91020: doc
  // openApi/register-management/fast-regist-beta/api_modifybetaminiprogramnickname. 89255: the
  // doc's 提示语 is cut off in the material gathered; "invalid code" is its first words.
  86004: 'invalid wechat',
  86011: '名称命中了关键字',
  89248: 'invalid code type',
  89249: 'task running',
  89250: 'task not found',
  89251: 'legal persona checking',
  89253: 'lack of some params',
  89255: 'invalid code',
  91020: '小程序注册类型不正确',
  91021: '不是没转正的试用小程序',
  // No source found for these texts: doc set_privacy_setting names the codes (86074: "当该小程序
  // 还没有现网版的隐私保护指引时却传了privacy_ver=1") but no errmsg. Placeholders in UNSOURCED.
  ...UNSOURCED_TEXT,
};

/** Thrown by API handlers; turned into the error envelope by the router. */
export class WxApiError extends Error {
  readonly errcode: number;
  /** Fields WeChat sends next to errcode/errmsg in this error answer (e.g. invalid_* lists). */
  readonly fields: Readonly<Record<string, unknown>>;
  constructor(errcode: number, hint?: string, fields: Record<string, unknown> = {}) {
    super(hint === undefined ? errmsgOf(errcode) : `${errmsgOf(errcode)} hint: [${hint}]`);
    this.name = 'WxApiError';
    this.errcode = errcode;
    this.fields = fields;
  }
}

export function errmsgOf(errcode: number): string {
  return ERRMSG[errcode] ?? `errcode ${errcode}`;
}

export function errorBody(
  errcode: number,
  rid: string,
  message: string = errmsgOf(errcode),
): { errcode: number; errmsg: string } {
  return { errcode, errmsg: `${message} rid: ${rid}` };
}
