import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/**
 * The code pipeline of one mini program (authorizer token): commit a template with ext_json, the
 * trial version, audits, release, rollback, phased release and the service status.
 * Reference: ../shared/wechat/02 §3, §6, §8.3; audit result pushes in ../shared/wechat/01 §6.3.
 */
const DOC =
  'https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/miniprogram-management/';

const ok = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });
const auditStatus = z
  .number()
  .describe('0 approved, 1 rejected, 2 auditing, 3 withdrawn, 4 delayed');

export const codeEndpoints = defineEndpoints({
  commit: {
    name: 'commit',
    method: 'POST',
    effect: 'write',
    path: '/wxa/commit',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      template_id: z.number().int(),
      ext_json: z.string(),
      user_version: z.string().max(64),
      user_desc: z.string(),
    }),
    response: ok,
    errcodes: [-1, 85013, 85014, 85043, 85044, 85045, 85046, 85047, 85048, 9402202, 9402203],
    doc: `${DOC}code-management/commit.html`,
    summary:
      "Upload a template as this mini program's code (ext_json is a JSON string) and make it the trial version",
  },
  get_page: {
    name: 'get_page',
    method: 'GET',
    path: '/wxa/get_page',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({ page_list: z.array(z.string()).default([]) }),
    errcodes: [-1, 86000, 86001],
    doc: `${DOC}code-management/getCodePage.html`,
    summary: 'Pages of the committed code',
  },
  get_qrcode: {
    name: 'get_qrcode',
    method: 'GET',
    path: '/wxa/get_qrcode',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ path: z.string().optional() }),
    response: ok,
    errcodes: [-1, 86001],
    doc: `${DOC}code-management/getTrialQRCode.html`,
    summary: 'QR code of the trial version: a JPEG body on success, JSON on error',
  },
  submit_audit: {
    name: 'submit_audit',
    method: 'POST',
    effect: 'write',
    path: '/wxa/submit_audit',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      item_list: z
        .array(
          z.looseObject({
            address: z.string().optional(),
            tag: z.string().optional(),
            first_class: z.string().optional(),
            second_class: z.string().optional(),
            third_class: z.string().optional(),
            first_id: z.number().optional(),
            second_id: z.number().optional(),
            third_id: z.number().optional(),
            title: z.string().optional(),
          }),
        )
        .optional(),
      feedback_info: z.string().optional(),
      feedback_stuff: z.string().optional(),
      version_desc: z.string().optional(),
      preview_info: z.looseObject({}).optional(),
      ugc_declare: z.looseObject({}).optional(),
      privacy_api_not_use: z.boolean().optional(),
      order_path: z.string().optional(),
    }),
    response: z.looseObject({ auditid: z.number() }),
    errcodes: [
      -1, 61039, 61040, 85006, 85007, 85008, 85009, 85010, 85011, 85023, 85051, 85077, 85085, 85086,
      85087, 85092, 85093, 85094, 86000, 86001, 86002, 86007, 86009, 86010, 87006, 9400001, 9402202,
    ],
    doc: `${DOC}code-management/submitAudit.html`,
    // item_list is optional; when sent it holds 1–5 items (85023). Source: doc
    // openApi/miniprogram-management/code-management/api_submitaudit ("选填，至多填写 5 项").
    summary:
      'Submit the trial version for review (item_list optional, 1–5 items when sent); the result arrives as weapp_audit_*',
  },
  get_auditstatus: {
    name: 'get_auditstatus',
    method: 'POST',
    // POST, but only queries
    effect: 'read',
    path: '/wxa/get_auditstatus',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ auditid: z.number().int() }),
    response: z.looseObject({
      status: auditStatus,
      reason: z.string().optional(),
      screenshot: z.string().optional(),
    }),
    errcodes: [-1, 85012, 86000, 86001],
    doc: `${DOC}code-management/getAuditStatus.html`,
    summary: 'Status of one audit',
  },
  get_latest_auditstatus: {
    name: 'get_latest_auditstatus',
    method: 'GET',
    path: '/wxa/get_latest_auditstatus',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({
      auditid: z.number(),
      status: auditStatus,
      reason: z.string().optional(),
      screenshot: z.string().optional(),
      ScreenShot: z.string().optional(),
      user_version: z.string().optional(),
      user_desc: z.string().optional(),
      submit_audit_time: z.number().optional(),
    }),
    errcodes: [-1, 85058, 86000],
    doc: `${DOC}code-management/getLatestAuditStatus.html`,
    summary: 'Status of the latest audit',
  },
  undocodeaudit: {
    name: 'undocodeaudit',
    method: 'GET',
    // GET, but withdraws the audit (5 a day, 10 a month)
    effect: 'write',
    path: '/wxa/undocodeaudit',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: ok,
    errcodes: [-1, 87013],
    doc: `${DOC}code-management/revokeAudit.html`,
    summary: 'Withdraw the audit in flight (5 a day, 10 a month)',
  },
  speedupaudit: {
    name: 'speedupaudit',
    method: 'POST',
    effect: 'write',
    path: '/wxa/speedupaudit',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ auditid: z.number().int() }),
    response: ok,
    errcodes: [-1, 89401, 89402, 89403, 89404, 89405],
    doc: `${DOC}code-management/speedupCodeAudit.html`,
    summary: 'Expedite an audit in flight (monthly quota)',
  },
  queryquota: {
    name: 'queryquota',
    method: 'GET',
    path: '/wxa/queryquota',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({
      rest: z.number(),
      limit: z.number(),
      speedup_rest: z.number().optional(),
      speedup_limit: z.number().optional(),
    }),
    errcodes: [-1],
    doc: `${DOC}code-management/setCodeAuditQuota.html`,
    summary: "The platform's monthly audit quota (shared by all authorizers)",
  },
  release: {
    name: 'release',
    method: 'POST',
    effect: 'write',
    path: '/wxa/release',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: ok,
    errcodes: [-1, 44002, 85019, 85020],
    doc: `${DOC}code-management/release.html`,
    summary: 'Release the approved version to all users (body {} required)',
  },
  revertcoderelease: {
    name: 'revertcoderelease',
    method: 'GET',
    // GET, but rolls back, unless it lists the history
    effect: 'write',
    readWhen: { field: 'action', values: ['get_history_version'] },
    path: '/wxa/revertcoderelease',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ app_version: z.string().optional(), action: z.string().optional() }),
    response: z.looseObject({
      version_list: z
        .array(
          z.looseObject({
            app_version: z.number(),
            user_version: z.string(),
            user_desc: z.string(),
            commit_time: z.number(),
          }),
        )
        .optional(),
    }),
    errcodes: [-1, 40097, 87011, 87012],
    doc: `${DOC}code-management/revertCodeRelease.html`,
    summary:
      'Roll back to the previous (or a given app_version) release; action=get_history_version lists them',
  },
  grayrelease: {
    name: 'grayrelease',
    method: 'POST',
    effect: 'write',
    path: '/wxa/grayrelease',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      gray_percentage: z.number(),
      support_debuger_first: z.boolean().optional(),
      support_experiencer_first: z.boolean().optional(),
    }),
    response: ok,
    errcodes: [-1, 40097, 85079, 85080, 85081, 85082, 86002],
    doc: `${DOC}code-management/grayRelease.html`,
    summary:
      'Phased release of the approved version to a percentage of users (only ever increasing)',
  },
  getgrayreleaseplan: {
    name: 'getgrayreleaseplan',
    method: 'GET',
    path: '/wxa/getgrayreleaseplan',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({
      gray_release_plan: z.looseObject({
        status: z.number().describe('0 initial, 1 running, 2 paused, 3 finished, 4 deleted'),
        create_timestamp: z.number(),
        gray_percentage: z.number(),
        support_debuger_first: z.boolean().optional(),
        support_experiencer_first: z.boolean().optional(),
      }),
    }),
    errcodes: [-1],
    doc: `${DOC}code-management/getGrayReleasePlan.html`,
    summary: 'The phased release plan',
  },
  revertgrayrelease: {
    name: 'revertgrayrelease',
    method: 'GET',
    // GET, but cancels the phased release
    effect: 'write',
    path: '/wxa/revertgrayrelease',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: ok,
    errcodes: [-1],
    doc: `${DOC}code-management/revertGrayRelease.html`,
    summary: 'Cancel the phased release; upgraded users fall back to the previous version',
  },
  change_visitstatus: {
    name: 'change_visitstatus',
    method: 'POST',
    effect: 'write',
    path: '/wxa/change_visitstatus',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ action: z.string() }),
    response: ok,
    errcodes: [-1, 85021, 85022],
    doc: `${DOC}code-management/setVisitStatus.html`,
    summary: 'Suspend (close) or resume (open) the online version',
  },
  getversioninfo: {
    name: 'getversioninfo',
    method: 'POST',
    // POST, but only queries
    effect: 'read',
    path: '/wxa/getversioninfo',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({
      exp_info: z
        .looseObject({ exp_time: z.number(), exp_version: z.string(), exp_desc: z.string() })
        .optional(),
      release_info: z
        .looseObject({
          release_time: z.number(),
          release_version: z.string(),
          release_desc: z.string(),
        })
        .optional(),
    }),
    errcodes: [-1, 44002],
    doc: `${DOC}code-management/getVersionInfo.html`,
    summary: 'The trial and the online version (body {} required)',
  },
  get_category: {
    name: 'get_category',
    method: 'GET',
    path: '/wxa/get_category',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({
      category_list: z
        .array(
          z.looseObject({
            first_class: z.string(),
            second_class: z.string(),
            third_class: z.string().optional(),
            first_id: z.number(),
            second_id: z.number(),
            third_id: z.number().optional(),
          }),
        )
        .default([]),
    }),
    errcodes: [-1],
    doc: `${DOC}category-management/getAllCategoryName.html`,
    summary: 'Categories usable in submit_audit items',
  },
});
