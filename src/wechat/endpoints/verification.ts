import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/**
 * Verification on behalf (代认证, 小程序认证) of an authorized mini program (permission set 18).
 * Doc pages openApi/miniprogram-management/weapp-wxverify/api_secwxaapi_{wxaauth,queryauth,
 * uploadauthmaterial,reauth}; field names from SKIT `Models/WxaSec/WxaSecWxaAuthRequest.cs`,
 * `WxaSecWxaAuthResponse`, `WxaSecQueryAuthResponse`, `WxaSecUploadAuthMaterialResponse` and WxJava
 * `WxOpenMaAuthService` (beans `MaAuthSubmitParamAuthData`, `MaAuthResubmitParamAuthData`,
 * `MaAuthQueryResult`). Invoice and contact sub-objects are passed through as JSON (their fields
 * depend on the invoice type); openwx checks only the fields the doc marks required.
 * The result is pushed to the authorization-event URL as InfoType `notify_3rd_wxa_auth` (appid,
 * taskid, task_status, apply_status, message, dispatch_info: SKIT
 * `Events/OpenComponent/NotifyThirdPartyWxaAuthEvent.cs`, WxJava `WxOpenXmlMessage`).
 */
const DOC =
  'https://developers.weixin.qq.com/doc/oplatform/openApi/miniprogram-management/weapp-wxverify/';

const json = z.record(z.string(), z.unknown());

/** auth_data of wxaauth and reauth (doc api_secwxaapi_wxaauth; SKIT WxaSecWxaAuthRequest.AuthData). */
export const authData = z.looseObject({
  /** 1 enterprise, 12 individual business, 15 person (doc; getaccountbasicinfo's customer types) */
  customer_type: z.number(),
  /** required by reauth only (doc: 打回重审调用reauth时为必填) */
  taskid: z.string().optional(),
  /** name and email (SKIT AuthData.Types.Contact) */
  contact_info: json,
  /** absent when the platform pays (服务商代缴) */
  invoice_info: json.optional(),
  /** media id from uploadauthmaterial; required unless customer_type is 15 */
  qualification: z.string().optional(),
  qualification_other: z.array(z.string()).optional(),
  account_name: z.string(),
  /** 1 chosen words, 2 a trademark */
  account_name_type: z.number(),
  account_supplemental: z.array(z.string()).optional(),
  /** 1 the platform's prepaid package, 2 the developer pays */
  pay_type: z.number(),
  auth_identification: z.string().optional(),
  auth_ident_material: z.array(z.string()).optional(),
  third_party_phone: z.string().optional(),
  service_appid: z.string().optional(),
});

export const verificationEndpoints = defineEndpoints({
  // Doc api_secwxaapi_wxaauth; SKIT WxaSecWxaAuthRequest/Response (taskid, auth_url).
  // Errcodes: the stored doc page lists none beyond the common ones; 89636 (材料无效, a media id
  // not from uploadauthmaterial) is a real answer quoted on the WeChat community.
  wxaauth: {
    name: 'wxaauth',
    method: 'POST',
    effect: 'write',
    path: '/wxa/sec/wxaauth',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ auth_data: authData }),
    response: z.looseObject({ taskid: z.string(), auth_url: z.string().optional() }),
    errcodes: [40097, 89636],
    doc: `${DOC}api_secwxaapi_wxaauth.html`,
    summary:
      'Start the verification (小程序认证) of a mini program; answers taskid and the auth_url its administrator opens to agree',
  },
  // Doc api_secwxaapi_queryauth; SKIT WxaSecQueryAuthResponse; WxJava MaAuthQueryResult.
  // task_status: 0 initial, 1 expired (24 h), 2 refused, 3 agreed, 4 face started, 5 face failed,
  // 6 face ok, 7 SMS sent, 8 SMS failed, 9 SMS ok, 11 review order failed, 12 review order
  // created, 14 failed, 15 waiting for payment. apply_status: 0 none, 1 to pay, 2 reviewing,
  // 3 sent back to refill (refill_reason), 4 verified, 5 finally failed (fail_reason).
  queryauth: {
    name: 'queryauth',
    method: 'POST',
    effect: 'read',
    path: '/wxa/sec/queryauth',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ taskid: z.string() }),
    response: z.looseObject({
      task_status: z.number(),
      auth_url: z.string().optional(),
      apply_status: z.number().optional(),
      orderid: z.union([z.number(), z.string()]).optional(),
      appid: z.string().optional(),
      refill_reason: z.string().optional(),
      fail_reason: z.string().optional(),
    }),
    errcodes: [40097],
    doc: `${DOC}api_secwxaapi_queryauth.html`,
    summary: 'Where a verification task stands (task_status, apply_status, reasons)',
  },
  // Doc api_secwxaapi_uploadauthmaterial: multipart `media`, an image of at most 2 MB, PNG, JPEG,
  // JPG or GIF; errcodes 40005 invalid file type, 40006 invalid media size, 41005 media missing.
  // Response type, mediaid (SKIT WxaSecUploadAuthMaterialResponse).
  uploadauthmaterial: {
    name: 'uploadauthmaterial',
    method: 'POST',
    // a repeat stores another material; the first stays usable
    effect: 'read',
    path: '/wxa/sec/uploadauthmaterial',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({ type: z.string().optional(), mediaid: z.string() }),
    errcodes: [40005, 40006, 41005],
    doc: `${DOC}api_secwxaapi_uploadauthmaterial.html`,
    summary:
      'Upload a verification material (multipart `media`: PNG, JPEG or GIF of at most 2 MB); answers mediaid',
  },
  // Doc api_secwxaapi_reauth; WxJava MaAuthResubmitParam (auth_data with taskid, answered as
  // MaAuthSubmitResult: taskid, auth_url). For a task sent back to refill (apply_status 3).
  reauth: {
    name: 'reauth',
    method: 'POST',
    effect: 'write',
    path: '/wxa/sec/reauth',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ auth_data: authData.extend({ taskid: z.string() }) }),
    response: z.looseObject({ taskid: z.string().optional(), auth_url: z.string().optional() }),
    errcodes: [40097, 89636],
    doc: `${DOC}api_secwxaapi_reauth.html`,
    summary: 'Submit a verification again after it was sent back to refill (apply_status 3)',
  },
  // Doc category-management/modifyCategory (../shared/wechat/02 §5.5): new qualifications for a
  // rejected category, whose ids cannot change (53306), only when rejected (53307); the category
  // goes back to review and its result is pushed as wxa_category_audit.
  modifycategory: {
    name: 'modifycategory',
    method: 'POST',
    effect: 'write',
    path: '/cgi-bin/wxopen/modifycategory',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      first: z.number().int(),
      second: z.number().int(),
      certicates: z.array(z.object({ key: z.string(), value: z.string() })),
    }),
    response: z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() }),
    errcodes: [53303, 53306, 53307, 53311, 41033],
    doc: 'https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/miniprogram-management/category-management/modifyCategory.html',
    summary: 'Give new qualifications (certicates) to a rejected category; it is reviewed again',
  },
});
