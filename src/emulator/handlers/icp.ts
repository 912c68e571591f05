import { randomAlnum } from '../../core/random.ts';
import { nowSeconds, type EmulatorContext } from '../context.ts';
import {
  applyIcpPolicyIfSet,
  CERTIFICATE_TYPES,
  DISTRICTS,
  entranceInfo,
  icpApp,
  icpState,
  ICP_BUREAU_REVIEW,
  ICP_FILED,
  ICP_PLATFORM_REVIEW,
  isDistrictPath,
  NRLX_NONE,
  NRLX_TYPES,
  SERVICE_CONTENT_TYPES,
  SUBJECT_TYPES,
} from '../icp.ts';
import { ICP_FUNC_IDS, requireFuncSet } from '../merchants.ts';
import { WxApiError } from '../wx-error.ts';
import { OK, type Caller, type HandlerOutput, type HandlerTable } from './types.ts';

/**
 * The /wxa/icp/* APIs (see ../icp.ts for the state). Shapes from WxJava `WxOpenMaIcpService` and
 * SKIT `WxaICP*`; reference ../shared/wechat/02 §5.7. A refused call changes nothing.
 */

/**
 * 41033 unless the caller is an authorized mini program (as the other mini program APIs); 61007
 * without permission set 18 or 156 (../merchants.ts ICP_FUNC_IDS).
 */
function miniProgram(ctx: EmulatorContext, caller: Caller): string {
  if (caller.kind !== 'authorizer') throw new WxApiError(40001);
  if (ctx.state.merchants.get(caller.appid)?.type !== 'miniprogram') throw new WxApiError(41033);
  requireFuncSet(ctx, caller.appid, ICP_FUNC_IDS);
  return caller.appid;
}

/** An error answer with WeChat's own errmsg text (and extra fields such as `hints`). */
function fail(
  ctx: EmulatorContext,
  errcode: number,
  errmsg: string,
  extra: Record<string, unknown> = {},
): HandlerOutput {
  return { errcode, errmsg: `${errmsg} rid: ${ctx.ids.rid()}`, ...extra };
}

/**
 * Size limits: the stored notes of the upload_icp_media page do not state them; these are the
 * limits documented for the other wxa media uploads (uploadmedia: image 2 MB, video 10 MB).
 * Formats: images as accepted for filing materials by submit_auth_and_icp (jpg, jpeg, bmp, gif,
 * png); videos as get_icp_media returns them (video/mp4).
 */
export const ICP_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
export const ICP_VIDEO_MAX_BYTES = 10 * 1024 * 1024;

interface Part {
  name: string;
  filename?: string;
  /** The part's bytes as a latin1 string (the emulator reads multipart bodies byte for byte). */
  data: string;
}

/** The parts of a multipart/form-data body; the boundary is read from its first line. */
export function multipartParts(raw: string): Part[] {
  const first = raw.indexOf('\r\n');
  if (!raw.startsWith('--') || first < 0) return [];
  const delimiter = raw.slice(0, first);
  const parts: Part[] = [];
  for (const chunk of raw.split(delimiter).slice(1)) {
    if (chunk.startsWith('--')) break;
    const headerEnd = chunk.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const headers = chunk.slice(0, headerEnd);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) continue;
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    const data = chunk.slice(headerEnd + 4).replace(/\r\n$/, '');
    parts.push({ name, ...(filename === undefined ? {} : { filename }), data });
  }
  return parts;
}

/** The format of a file from its first bytes. */
export function sniffFormat(bytes: string): 'jpeg' | 'png' | 'gif' | 'bmp' | 'mp4' | undefined {
  if (bytes.startsWith('\xff\xd8\xff')) return 'jpeg';
  if (bytes.startsWith('\x89PNG\r\n\x1a\n')) return 'png';
  if (bytes.startsWith('GIF87a') || bytes.startsWith('GIF89a')) return 'gif';
  if (bytes.startsWith('BM')) return 'bmp';
  if (bytes.slice(4, 8) === 'ftyp') return 'mp4';
  return undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

interface Hint {
  errcode: number;
  errmsg: string;
  err_field: string;
}

/**
 * The checks of apply_icp_filing that refer to the dictionaries, the media and the face
 * verification. WeChat's per-field hint codes are not in the stored sources: 40097 (invalid
 * args) stands in, with the field named in err_field as WeChat does.
 */
function applicationHints(
  ctx: EmulatorContext,
  appid: string,
  body: Record<string, Record<string, unknown>>,
): Hint[] {
  const hints: Hint[] = [];
  const bad = (err_field: string, errmsg: string) =>
    hints.push({ errcode: 40097, errmsg, err_field });
  const subject = body['icp_subject'] ?? {};
  const applets = body['icp_applets'] ?? {};
  const base = isRecord(subject['base_info']) ? subject['base_info'] : {};
  const subjectType = Number(base['type']);
  if (!SUBJECT_TYPES.some((t) => t.type === subjectType)) {
    bad('icp_subject.base_info.type', '主体性质不合法');
  }
  const [province, city, district] = ['province', 'city', 'district'].map((k) =>
    Number(base[k]),
  ) as [number, number, number];
  if (!isDistrictPath(province, city, district)) {
    const field = !DISTRICTS.some((p) => p.code === province)
      ? 'province'
      : !DISTRICTS.some((p) => p.sub_list?.some((c) => c.code === city))
        ? 'city'
        : 'district';
    bad(`icp_subject.base_info.${field}`, '备案省市区代码不合法');
  }
  const certificate = (path: string, info: unknown, subjectTypes: number[]) => {
    if (!isRecord(info)) return;
    const t = CERTIFICATE_TYPES.find((c) => c.type === Number(info['certificate_type']));
    if (!t || !subjectTypes.includes(t.subject_type)) {
      bad(`${path}.certificate_type`, '证件类型不合法');
    }
  };
  const personal = SUBJECT_TYPES.find((t) => t.name === '个人')?.type ?? 5;
  certificate('icp_subject.organize_info', subject['organize_info'], [subjectType]);
  certificate('icp_subject.principal_info', subject['principal_info'], [personal]);
  certificate('icp_applets.principal_info', applets['principal_info'], [personal]);

  const appletsBase = isRecord(applets['base_info']) ? applets['base_info'] : {};
  const services = appletsBase['service_content_types'];
  if (
    !Array.isArray(services) ||
    services.length === 0 ||
    services.length > 5 ||
    !services.every((s) => SERVICE_CONTENT_TYPES.some((t) => t.type === s && t.parent_type !== 0))
  ) {
    bad('icp_applets.base_info.service_content_types', '服务内容类型不合法');
  }
  const nrlx = appletsBase['nrlx_details'];
  if (
    !Array.isArray(nrlx) ||
    nrlx.length === 0 ||
    !nrlx.every(
      (n) =>
        isRecord(n) &&
        NRLX_TYPES.some((t) => t.type === n['type']) &&
        (n['type'] === NRLX_NONE || (typeof n['code'] === 'string' && n['code'] !== '')),
    )
  ) {
    bad('icp_applets.base_info.nrlx_details', '前置审批项不合法');
  }

  const principal = isRecord(applets['principal_info']) ? applets['principal_info'] : {};
  const task = icpState(ctx).tasks.get(String(principal['verify_task_id'] ?? ''));
  if (!task || task.appid !== appid || task.face_status !== 3) {
    bad('icp_applets.principal_info.verify_task_id', '人脸核身任务未完成');
  }

  // Every media_id given must be one this mini program uploaded.
  const media = icpState(ctx).media;
  const checkMedia = (path: string, v: unknown) => {
    if (v === undefined || v === null || v === '') return;
    const ids = Array.isArray(v) ? v : [v];
    for (const id of ids) {
      if (typeof id !== 'string' || media.get(id)?.appid !== appid) {
        bad(path, 'media_id不合法');
        return;
      }
    }
  };
  const MEDIA_FIELDS: Record<string, string[]> = {
    'icp_subject.personal_info': ['residence_permit'],
    'icp_subject.organize_info': ['certificate_photo'],
    'icp_subject.principal_info': [
      'certificate_photo_front',
      'certificate_photo_back',
      'authorization_letter',
    ],
    'icp_applets.principal_info': [
      'certificate_photo_front',
      'certificate_photo_back',
      'authorization_letter',
    ],
  };
  for (const [path, fields] of Object.entries(MEDIA_FIELDS)) {
    const [group, key] = path.split('.') as [string, string];
    const info = body[group]?.[key];
    if (!isRecord(info)) continue;
    for (const f of fields) checkMedia(`${path}.${f}`, info[f]);
  }
  for (const [k, v] of Object.entries(body['icp_materials'] ?? {})) {
    checkMedia(`icp_materials.${k}`, v);
  }
  return hints;
}

export const icpHandlers: HandlerTable = {
  get_icp_entrance_info: {
    handle({ ctx, caller }) {
      const appid = miniProgram(ctx, caller);
      applyIcpPolicyIfSet(ctx);
      return { ...OK, info: entranceInfo(icpApp(ctx, appid)) };
    },
  },
  query_icp_subject_types: {
    handle({ ctx, caller }) {
      miniProgram(ctx, caller);
      return { ...OK, items: SUBJECT_TYPES };
    },
  },
  query_icp_district_code: {
    handle({ ctx, caller }) {
      miniProgram(ctx, caller);
      return { ...OK, items: DISTRICTS };
    },
  },
  query_icp_certificate_types: {
    handle({ ctx, caller }) {
      miniProgram(ctx, caller);
      return { ...OK, items: CERTIFICATE_TYPES };
    },
  },
  query_icp_nrlx_types: {
    handle({ ctx, caller }) {
      miniProgram(ctx, caller);
      return { ...OK, items: NRLX_TYPES };
    },
  },
  query_icp_service_content_types: {
    handle({ ctx, caller }) {
      miniProgram(ctx, caller);
      return { ...OK, items: SERVICE_CONTENT_TYPES };
    },
  },

  create_icp_verifytask: {
    handle({ ctx, caller, body }) {
      const appid = miniProgram(ctx, caller);
      const task_id = randomAlnum(22, ctx.random);
      icpState(ctx).tasks.set(task_id, {
        task_id,
        appid,
        face_status: 1,
        along_with_auth: body.along_with_auth ?? false,
        created_at: nowSeconds(ctx),
      });
      return { ...OK, task_id };
    },
  },
  query_icp_verifytask: {
    handle({ ctx, caller, body }) {
      const appid = miniProgram(ctx, caller);
      const task = icpState(ctx).tasks.get(body.task_id);
      if (!task || task.appid !== appid) throw new WxApiError(40097, 'task_id');
      return { ...OK, is_finish: task.face_status >= 2, face_status: task.face_status };
    },
  },

  upload_icp_media: {
    rawBody: true,
    handle({ ctx, caller, raw }) {
      const appid = miniProgram(ctx, caller);
      const parts = multipartParts(raw ?? '');
      const field = (name: string) => parts.find((p) => p.name === name && !p.filename)?.data;
      const type = field('type');
      if (type !== 'image' && type !== 'video') {
        return fail(ctx, 40004, 'invalid media type');
      }
      const order = field('icp_order_field');
      if (!order) throw new WxApiError(40097, 'icp_order_field');
      const certRaw = field('certificate_type');
      let certificate_type: number | null = null;
      if (certRaw !== undefined && certRaw !== '' && certRaw !== 'null') {
        certificate_type = Number(certRaw);
        if (!CERTIFICATE_TYPES.some((c) => c.type === certificate_type)) {
          throw new WxApiError(40097, 'certificate_type');
        }
      }
      const media = parts.find((p) => p.name === 'media');
      if (!media || media.data.length === 0) throw new WxApiError(41005);
      const format = sniffFormat(media.data);
      const fits = type === 'video' ? format === 'mp4' : format !== undefined && format !== 'mp4';
      if (!fits) return fail(ctx, 40005, 'invalid file type');
      const max = type === 'video' ? ICP_VIDEO_MAX_BYTES : ICP_IMAGE_MAX_BYTES;
      if (media.data.length > max) return fail(ctx, 40006, 'invalid media size');
      const media_id = randomAlnum(76, ctx.random);
      const created_at = nowSeconds(ctx);
      icpState(ctx).media.set(media_id, {
        appid,
        type,
        certificate_type,
        icp_order_field: order,
        size: media.data.length,
        created_at,
      });
      return { ...OK, type, media_id, created_at };
    },
  },

  apply_icp_filing: {
    handle({ ctx, caller, body }) {
      const appid = miniProgram(ctx, caller);
      applyIcpPolicyIfSet(ctx);
      const app = icpApp(ctx, appid);
      // WeChat's own errcode for these two states is not in the stored sources: the refusal is
      // answered as the other refused applications (86202 "apply icp filing fail").
      if (app.status === ICP_PLATFORM_REVIEW || app.status === ICP_BUREAU_REVIEW) {
        return fail(ctx, 86202, 'apply icp filing fail, a filing is under review');
      }
      if (app.status === ICP_FILED || app.is_canceling) {
        return fail(ctx, 86202, 'apply icp filing fail, the mini program is already filed');
      }
      const hints = applicationHints(ctx, appid, body);
      if (hints.length > 0) return fail(ctx, 86202, 'apply icp filing fail', { hints });
      app.application = structuredClone(body);
      app.status = ICP_PLATFORM_REVIEW;
      app.since = nowSeconds(ctx);
      app.audit_data = [];
      return { ...OK };
    },
  },

  cancel_apply_icp_filing: {
    handle({ ctx, caller }) {
      const appid = miniProgram(ctx, caller);
      const app = icpApp(ctx, appid);
      // WeChat's errcode for "nothing to withdraw" is not in the stored sources.
      if (app.status !== ICP_PLATFORM_REVIEW) throw new WxApiError(40097, 'no application');
      app.status = 1024;
      app.since = nowSeconds(ctx);
      app.application = null;
      return { ...OK };
    },
  },

  cancel_icp_filing: {
    handle({ ctx, caller }) {
      const appid = miniProgram(ctx, caller);
      const app = icpApp(ctx, appid);
      // WeChat's errcode for "not filed" is not in the stored sources.
      if (app.status !== ICP_FILED || app.is_canceling) throw new WxApiError(40097, 'not filed');
      app.is_canceling = true;
      app.since = nowSeconds(ctx);
      return { ...OK };
    },
  },

  get_online_icp_order: {
    handle({ ctx, caller }) {
      const appid = miniProgram(ctx, caller);
      const app = icpApp(ctx, appid);
      if (app.status !== ICP_FILED) return { ...OK };
      const application = app.application ?? {};
      const subject = masked(application['icp_subject']);
      const applets = masked(application['icp_applets']);
      const record = app.record_number ?? '';
      const merchant = ctx.state.merchants.get(appid);
      return {
        ...OK,
        icp_subject: {
          ...subject,
          base_info: { ...asRecord(subject['base_info']), record_number: record.split('-')[0] },
        },
        icp_applets: {
          ...applets,
          base_info: {
            ...asRecord(applets['base_info']),
            appid,
            name: merchant?.nickname ?? '',
            record_number: record,
          },
        },
      };
    },
  },
};

const asRecord = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/** Personal data masked as get_online_icp_order does (SKIT sample: "*三", "13*******21"). */
const MASKED = new Set([
  'name',
  'mobile',
  'email',
  'emergency_contact',
  'certificate_number',
  'address',
  'certificate_address',
]);

function masked(v: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(asRecord(v))) {
    if (isRecord(val)) out[k] = masked(val);
    else if (typeof val === 'string' && MASKED.has(k)) out[k] = maskText(val);
    else if (!/photo|letter|permit|verify_task_id/.test(k)) out[k] = val;
  }
  return out;
}

function maskText(s: string): string {
  const chars = [...s];
  if (chars.length <= 4) return `*${chars.slice(1).join('')}`;
  return `${chars.slice(0, 2).join('')}${'*'.repeat(chars.length - 4)}${chars.slice(-2).join('')}`;
}
