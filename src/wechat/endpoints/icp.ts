import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/**
 * ICP filing (小程序备案) on behalf of an authorized mini program (permission sets 18, 156).
 * Reference: ../shared/wechat/02 §5.7. Field names from WxJava `WxOpenMaIcpService` and its
 * beans (`bean/icp/*`) and SKIT.FlurlHttpClient.Wechat `Models/WxaComponent/ICP/WxaICP*`.
 * The filing form itself (icp_subject, icp_applets, icp_materials) is passed through as JSON
 * objects: its many optional sub-fields depend on the subject type, and openwx checks only the
 * codes that refer to the dictionaries (see services/icp).
 */
const DOC =
  'https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/miniprogram-management/record/';

const ok = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });
const json = z.record(z.string(), z.unknown());

/** One rejection reason of get_icp_entrance_info (SKIT WxaICPGetICPEntranceInfoResponse.AuditData). */
export const icpAuditData = z.looseObject({
  key_name: z.string().optional(),
  error: z.string().optional(),
  suggest: z.string().optional(),
});

/** A field refused by apply_icp_filing (SKIT WxaICPApplyICPFilingResponse.Hint; WxJava Hint). */
export const icpHint = z.looseObject({
  errcode: z.number().optional(),
  errmsg: z.string().optional(),
  err_field: z.string().optional(),
});

const items = <T extends z.ZodType>(item: T) => z.looseObject({ items: z.array(item).optional() });

/** A district and its children (SKIT WxaICPQueryICPDistrictCodeResponse: type 1 province, 2 city, 3 county). */
export interface IcpDistrict {
  type: number;
  code: number;
  name: string;
  sub_list?: IcpDistrict[] | undefined;
}
const district: z.ZodType<IcpDistrict> = z.lazy(() =>
  z.looseObject({
    type: z.number(),
    code: z.number(),
    name: z.string(),
    sub_list: z.array(district).optional(),
  }),
);

/** A read of /wxa/icp/<name> with the authorizer's token and no parameters. */
function icpRead<const N extends string, R extends z.ZodType>(
  name: N,
  response: R,
  page: string,
  summary: string,
) {
  return {
    name,
    method: 'GET',
    path: `/wxa/icp/${name}`,
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response,
    errcodes: [],
    doc: `${DOC}${page}.html`,
    summary,
  } as const;
}

export const icpEndpoints = defineEndpoints({
  // WxJava GET_ICP_ENTRANCE_INFO; SKIT WxaICPGetICPEntranceInfoResponse
  get_icp_entrance_info: icpRead(
    'get_icp_entrance_info',
    z.looseObject({
      info: z.looseObject({
        status: z.number(),
        is_canceling: z.boolean().optional(),
        audit_data: z.array(icpAuditData).nullish(),
        available: z.number().optional(),
        sms_verify_status: z.number().optional(),
      }),
    }),
    'getIcpEntranceInfo',
    'Filing status (2 platform review, 3 platform rejected, 4 bureau review, 5 bureau rejected, 6 filed, 1024 not filed) and rejection reasons',
  ),
  // WxJava QUERY_ICP_SUBJECT_TYPES; SKIT WxaICPQueryICPSubjectTypesResponse
  query_icp_subject_types: icpRead(
    'query_icp_subject_types',
    items(z.looseObject({ type: z.number(), name: z.string(), remark: z.string().optional() })),
    'queryIcpSubjectTypes',
    'Subject types (单位性质) for icp_subject.base_info.type',
  ),
  // WxJava QUERY_ICP_DISTRICT_CODE; SKIT WxaICPQueryICPDistrictCodeResponse
  query_icp_district_code: icpRead(
    'query_icp_district_code',
    items(district),
    'queryIcpDistrictCode',
    'Province, city and county codes (a tree)',
  ),
  // WxJava QUERY_ICP_CERTIFICATE_TYPES; SKIT WxaICPQueryICPCertificateTypesResponse
  query_icp_certificate_types: icpRead(
    'query_icp_certificate_types',
    items(
      z.looseObject({
        type: z.number(),
        subject_type: z.number(),
        name: z.string(),
        remark: z.string().optional(),
      }),
    ),
    'queryIcpCertificateTypes',
    'Certificate types, each for one subject type',
  ),
  // WxJava QUERY_ICP_NRLX_TYPES; SKIT WxaICPQueryICPNrlxTypesResponse
  query_icp_nrlx_types: icpRead(
    'query_icp_nrlx_types',
    items(z.looseObject({ type: z.number(), name: z.string(), remark: z.string().optional() })),
    'queryIcpNrlxTypes',
    'Pre-approval item types (前置审批项) for icp_applets.base_info.nrlx_details',
  ),
  // WxJava QUERY_ICP_SERVICE_CONTENT_TYPES; SKIT WxaICPQueryICPServiceContentTypesResponse
  query_icp_service_content_types: icpRead(
    'query_icp_service_content_types',
    items(
      z.looseObject({
        type: z.number(),
        parent_type: z.number(),
        name: z.string(),
        remark: z.string().optional(),
      }),
    ),
    'queryIcpServiceContentTypes',
    'Service content types; only second-level ones (parent_type ≠ 0) may be chosen',
  ),
  // WxJava CREATE_ICP_VERIFY_TASK (body along_with_auth); SKIT WxaICPCreateICPVerifyTaskResponse
  create_icp_verifytask: {
    name: 'create_icp_verifytask',
    method: 'POST',
    // each call starts another face verification of the administrator
    effect: 'write',
    path: '/wxa/icp/create_icp_verifytask',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ along_with_auth: z.boolean().optional() }),
    response: z.looseObject({ task_id: z.string() }),
    errcodes: [],
    doc: `${DOC}createIcpVerifyTask.html`,
    summary: "Start the face verification (人脸核身) of the mini program's administrator",
  },
  // WxJava QUERY_ICP_VERIFY_TASK; SKIT WxaICPQueryICPVerifyTaskRequest/Response
  query_icp_verifytask: {
    name: 'query_icp_verifytask',
    method: 'POST',
    // POST, but only queries
    effect: 'read',
    path: '/wxa/icp/query_icp_verifytask',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ task_id: z.string().min(1) }),
    response: z.looseObject({
      is_finish: z.boolean(),
      face_status: z.number(),
      along_with_auth_result: z.number().optional(),
    }),
    errcodes: [],
    doc: `${DOC}queryIcpVerifyTask.html`,
    summary: 'Face verification state (face_status 0 not started, 1 waiting, 2 failed, 3 passed)',
  },
  // WxJava UPLOAD_ICP_MEDIA (multipart type, certificate_type, icp_order_field, media);
  // SKIT WxaICPUploadICPMediaRequest/Response. Errcodes: 40004 invalid media type (community
  // answer on uploadIcpMedia), 40005/40006/41005 as documented for the wxa media uploads
  // (uploadauthmaterial).
  upload_icp_media: {
    name: 'upload_icp_media',
    method: 'POST',
    // a repeat stores another media item; the first stays usable
    effect: 'read',
    path: '/wxa/icp/upload_icp_media',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({
      type: z.string().optional(),
      media_id: z.string(),
      created_at: z.number().optional(),
    }),
    errcodes: [40004, 40005, 40006, 41005],
    doc: `${DOC}uploadIcpMedia.html`,
    summary:
      'Upload an image or video for the filing (multipart: type, certificate_type, icp_order_field, media)',
  },
  // WxJava APPLY_ICP_FILING (WxOpenApplyIcpFilingParam); SKIT WxaICPApplyICPFilingRequest/Response.
  // 86202 with hints[{errcode, errmsg, err_field}]: a real answer quoted on the WeChat community.
  apply_icp_filing: {
    name: 'apply_icp_filing',
    method: 'POST',
    effect: 'write',
    path: '/wxa/icp/apply_icp_filing',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ icp_subject: json, icp_applets: json, icp_materials: json }),
    response: z.looseObject({ hints: z.array(icpHint).optional() }),
    errcodes: [86202, 86205],
    doc: `${DOC}applyIcpFiling.html`,
    summary: 'Apply for the filing with the subject, the mini program and the materials',
  },
  // WxJava GET_ONLINE_ICP_ORDER; SKIT WxaICPGetOnlineICPOrderResponse (masked personal data)
  get_online_icp_order: icpRead(
    'get_online_icp_order',
    z.looseObject({ icp_subject: json.optional(), icp_applets: json.optional() }),
    'getOnlineIcpOrder',
    'The filed details, with the record numbers (base_info.record_number)',
  ),
  // WxJava CANCEL_APPLY_ICP_FILING (empty body); SKIT WxaICPCancelApplyICPFilingRequest
  cancel_apply_icp_filing: {
    name: 'cancel_apply_icp_filing',
    method: 'POST',
    effect: 'write',
    path: '/wxa/icp/cancel_apply_icp_filing',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: ok,
    errcodes: [],
    doc: `${DOC}cancelApplyIcpFiling.html`,
    summary: 'Withdraw the filing application under review',
  },
  // WxJava CANCEL_ICP_FILING (cancel_type 1 subject, 2 mini program, 3 WeChat mini program);
  // SKIT WxaICPCancelICPFilingRequest
  cancel_icp_filing: {
    name: 'cancel_icp_filing',
    method: 'POST',
    effect: 'write',
    path: '/wxa/icp/cancel_icp_filing',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ cancel_type: z.number().int().min(1).max(3) }),
    response: ok,
    errcodes: [],
    doc: `${DOC}cancelIcpfiling.html`,
    summary: 'Cancel (注销) an existing filing',
  },
});
