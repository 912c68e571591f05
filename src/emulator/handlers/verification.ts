import { randomAlnum } from '../../core/random.ts';
import { nowSeconds, type EmulatorContext } from '../context.ts';
import { mpConfig } from '../mp-config.ts';
import {
  APPLY_REFILL,
  APPLY_REVIEWING,
  applyVerificationPolicyIfSet,
  openCategoryReview,
  openTask,
  TASK_ORDER_CREATED,
  verificationState,
} from '../verification.ts';
import { BASIC_INFO_FUNC_ID, DEVELOPMENT_FUNC_ID, requireFuncSet } from '../merchants.ts';
import { WxApiError } from '../wx-error.ts';
import { multipartParts, sniffFormat } from './icp.ts';
import { OK, type Caller, type HandlerOutput, type HandlerTable } from './types.ts';

/**
 * The /wxa/sec/* verification APIs (see ../verification.ts for the state). Shapes from the doc
 * pages weapp-wxverify/api_secwxaapi_*, SKIT `WxaSec*` and WxJava `WxOpenMaAuthService`.
 * A refused call changes nothing.
 */

/** Doc api_secwxaapi_uploadauthmaterial: an image of at most 2 MB, PNG, JPEG/JPG or GIF. */
export const AUTH_MATERIAL_MAX_BYTES = 2 * 1024 * 1024;
const MATERIAL_FORMATS = new Set(['png', 'jpeg', 'gif']);

/**
 * The calling mini program; 61007 without permission set 18 for the verification APIs (an
 * official answer with rid names set 18 as what a verification call lacked:
 * community/develop/doc/000e0ce8f982f805d6f02639f61800), set 30 for modifycategory (category
 * APIs: doc Third-party_Platforms/2.0/product/miniprogram_authority).
 */
function miniProgram(ctx: EmulatorContext, caller: Caller, set = DEVELOPMENT_FUNC_ID): string {
  if (caller.kind !== 'authorizer') throw new WxApiError(40001);
  if (ctx.state.merchants.get(caller.appid)?.type !== 'miniprogram') throw new WxApiError(41033);
  requireFuncSet(ctx, caller.appid, [set]);
  return caller.appid;
}

function fail(ctx: EmulatorContext, errcode: number, errmsg: string): HandlerOutput {
  return { errcode, errmsg: `${errmsg} rid: ${ctx.ids.rid()}` };
}

/**
 * The checks of auth_data the doc states: customer_type 1, 12 or 15; account_name_type 1 or 2;
 * pay_type 1 or 2; contact_info name and email (SKIT Contact); qualification unless a person
 * (15); auth_ident_material when auth_identification is given. Refusals name the field in
 * errmsg with 40097 (the doc lists no per-field codes). Media ids must come from this mini
 * program's uploadauthmaterial: 89636 otherwise (材料无效, as observed on the community).
 */
function checkAuthData(
  ctx: EmulatorContext,
  appid: string,
  d: Record<string, unknown>,
): HandlerOutput | undefined {
  const oneOf = (field: string, values: number[]) =>
    values.includes(Number(d[field])) ? undefined : fail(ctx, 40097, `invalid args ${field}`);
  const bad =
    oneOf('customer_type', [1, 12, 15]) ??
    oneOf('account_name_type', [1, 2]) ??
    oneOf('pay_type', [1, 2]);
  if (bad) return bad;
  if (typeof d['account_name'] !== 'string' || d['account_name'].trim() === '') {
    return fail(ctx, 40097, 'invalid args account_name');
  }
  const contact = (d['contact_info'] ?? {}) as Record<string, unknown>;
  for (const k of ['name', 'email']) {
    if (typeof contact[k] !== 'string' || contact[k] === '') {
      return fail(ctx, 40097, `invalid args contact_info.${k}`);
    }
  }
  if (d['customer_type'] !== 15 && !d['qualification']) {
    return fail(ctx, 40097, 'invalid args qualification');
  }
  if (d['auth_identification'] && !(d['auth_ident_material'] as unknown[] | undefined)?.length) {
    return fail(ctx, 40097, 'invalid args auth_ident_material');
  }
  const materials = verificationState(ctx).materials;
  const ids = [
    d['qualification'],
    ...['qualification_other', 'account_supplemental', 'auth_ident_material'].flatMap(
      (k) => (d[k] as unknown[] | undefined) ?? [],
    ),
  ].filter((v) => v !== undefined && v !== '');
  for (const id of ids) {
    if (typeof id !== 'string' || materials.get(id)?.appid !== appid) {
      return fail(ctx, 89636, `材料无效: '${typeof id === 'string' ? id : ''}'`);
    }
  }
  return undefined;
}

export const verificationHandlers: HandlerTable = {
  wxaauth: {
    handle({ ctx, caller, body }) {
      const appid = miniProgram(ctx, caller);
      applyVerificationPolicyIfSet(ctx);
      const data = body.auth_data as Record<string, unknown>;
      const refused = checkAuthData(ctx, appid, data);
      if (refused) return refused;
      const task = openTask(ctx, appid, data);
      return { ...OK, taskid: task.taskid, auth_url: task.auth_url };
    },
  },

  queryauth: {
    handle({ ctx, caller, body }) {
      const appid = miniProgram(ctx, caller);
      applyVerificationPolicyIfSet(ctx);
      const task = verificationState(ctx).tasks.get(body.taskid);
      if (!task || task.appid !== appid) throw new WxApiError(40097, 'taskid');
      return {
        ...OK,
        task_status: task.task_status,
        auth_url: task.auth_url,
        apply_status: task.apply_status,
        ...(task.task_status === TASK_ORDER_CREATED ? { orderid: task.orderid } : {}),
        appid,
        ...(task.apply_status === APPLY_REFILL ? { refill_reason: task.refill_reason } : {}),
      };
    },
  },

  uploadauthmaterial: {
    rawBody: true,
    handle({ ctx, caller, raw }) {
      const appid = miniProgram(ctx, caller);
      const media = multipartParts(raw ?? '').find((p) => p.name === 'media');
      if (!media || media.data.length === 0) throw new WxApiError(41005);
      const format = sniffFormat(media.data);
      if (!format || !MATERIAL_FORMATS.has(format)) return fail(ctx, 40005, 'invalid file type');
      if (media.data.length > AUTH_MATERIAL_MAX_BYTES) {
        return fail(ctx, 40006, 'invalid meida size');
      }
      const mediaid = randomAlnum(64, ctx.random);
      verificationState(ctx).materials.set(mediaid, {
        appid,
        size: media.data.length,
        created_at: nowSeconds(ctx),
      });
      return { ...OK, type: 'image', mediaid };
    },
  },

  reauth: {
    handle({ ctx, caller, body }) {
      const appid = miniProgram(ctx, caller);
      applyVerificationPolicyIfSet(ctx);
      const data = body.auth_data as Record<string, unknown>;
      const task = verificationState(ctx).tasks.get(body.auth_data.taskid);
      if (!task || task.appid !== appid) throw new WxApiError(40097, 'taskid');
      if (task.apply_status !== APPLY_REFILL) {
        return fail(ctx, 40097, 'invalid args taskid: the task is not sent back to refill');
      }
      const refused = checkAuthData(ctx, appid, data);
      if (refused) return refused;
      task.auth_data = data;
      task.apply_status = APPLY_REVIEWING;
      task.refill_reason = '';
      task.since = nowSeconds(ctx);
      return { ...OK, taskid: task.taskid, auth_url: task.auth_url };
    },
  },

  // A rejected category with new qualifications goes back to review (doc modifyCategory).
  modifycategory: {
    handle({ ctx, caller, body }) {
      const appid = miniProgram(ctx, caller, BASIC_INFO_FUNC_ID);
      const found = mpConfig(ctx, appid).categories.find(
        (c) => c.first === body.first && c.second === body.second,
      );
      if (!found) throw new WxApiError(53303, `category ${body.first}/${body.second} not set`);
      if (found.audit_status !== 2) throw new WxApiError(53307);
      if (body.certicates.length === 0) throw new WxApiError(53311);
      found.audit_status = 1;
      openCategoryReview(ctx, appid, body.first, body.second);
      return { ...OK };
    },
  },
};
