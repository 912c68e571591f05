import type { Clock } from '../../core/clock.ts';
import { createAuthorizerQueries } from '../../store/queries/authorizers.ts';
import { AppError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/metrics.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { JOB_ICP_RESULT } from '../../callbacks/callback-service.ts';
import type { Db, Queryable } from '../../store/db.ts';
import {
  createIcpQueries,
  type IcpAuditItem,
  type IcpFilingRow,
  type IcpHistoryRow,
  type IcpMediaItem,
  type IcpPatch,
  type IcpState,
} from '../../store/queries/icp.ts';
import type { WechatClient } from '../../wechat/client.ts';
import type { IcpDistrict } from '../../wechat/endpoints/icp.ts';
import { WechatApiError } from '../../wechat/errors.ts';
import { checkMedia, multipartBody, type MediaInput } from './media.ts';

/**
 * ICP filing (小程序备案) on behalf of a mini program: the face verification of its
 * administrator, the media, the application, withdrawal and cancellation, and where the filing
 * stands. openwx's state follows WeChat's status (get_icp_entrance_info) and the pushes:
 *
 *   not_started → verification (face verification started) → materials (face verified)
 *   → submitted (2, platform review) → under_review (4, bureau review) → filed (6)
 *   rejected (3 or 5, with WeChat's audit_data); not filed again (1024+) after a withdrawal.
 *
 * The filing form (names, ID numbers, phone numbers) goes to WeChat and is not stored.
 * Reference: ../shared/wechat/02 §5.7.
 */
export const ICP_STATES: readonly IcpState[] = [
  'not_started',
  'verification',
  'materials',
  'submitted',
  'under_review',
  'filed',
  'rejected',
];

export interface IcpServiceDeps {
  db: Db;
  client: WechatClient;
  clock: Clock;
  jobs: JobQueue;
  log?: Logger;
}

export interface IcpView {
  appid: string;
  state: IcpState;
  wechat_status: number | null;
  is_canceling: boolean;
  audit_data: IcpAuditItem[];
  verify_task_id: string | null;
  face_status: number | null;
  media: IcpMediaItem[];
  updated_at: string | null;
  history: Array<{
    id: number;
    kind: string;
    state: IcpState;
    detail: Record<string, unknown>;
    by: string;
    at: string;
  }>;
}

export interface Application {
  icp_subject: Record<string, unknown>;
  icp_applets: Record<string, unknown>;
  icp_materials: Record<string, unknown>;
}

/** openwx's state for WeChat's status; an unfiled app keeps its own progress. */
export function stateOf(
  status: number,
  row: Pick<IcpFilingRow, 'face_status' | 'verify_task_id'>,
): IcpState {
  switch (status) {
    case 2:
      return 'submitted';
    case 4:
      return 'under_review';
    case 6:
      return 'filed';
    case 3:
    case 5:
      return 'rejected';
    default:
      if (row.face_status === 3) return 'materials';
      return row.verify_task_id ? 'verification' : 'not_started';
  }
}

const NO_ROW = { face_status: null, verify_task_id: null };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function refuse(field: string, reason: string, message: string): never {
  throw new AppError('bad_request', message, { details: { field, params: { reason, field } } });
}

export type IcpService = ReturnType<typeof createIcpService>;

export function createIcpService(deps: IcpServiceDeps) {
  const { db, client, clock } = deps;
  const log = deps.log ?? silentLogger;
  const now = () => new Date(clock.now());

  /**
   * The authorizer `appid`, or 404; a write also needs a standing authorization (409). Whether it
   * is a mini program is WeChat's to answer (the ICP APIs refuse other accounts).
   */
  async function authorizer(appid: string, write = true): Promise<void> {
    const row = await createAuthorizerQueries(db).findByAppid(appid);
    if (!row) {
      throw new AppError('not_found', `authorizer ${appid} not found`, {
        details: { params: { reason: 'authorizer', appid } },
      });
    }
    if (write && row.status !== 'authorized') {
      throw new AppError('conflict', `the authorization of ${appid} was revoked`, {
        details: { params: { reason: 'authorization_revoked' } },
      });
    }
  }

  /** Changes the filing in one transaction and records the step (once per push). */
  async function change(
    appid: string,
    step: { kind: string; actor: string; detail?: Record<string, unknown>; eventId?: number },
    patchOf: (row: IcpFilingRow) => IcpPatch,
    tx?: Queryable,
  ): Promise<void> {
    const run = async (q: Queryable) => {
      const queries = createIcpQueries(q);
      const at = now();
      if (step.eventId !== undefined && (await queries.hasEvent(step.eventId))) return;
      const row = await queries.lock(appid, at);
      const patch = patchOf(row);
      const next = { ...row, ...patch };
      const state = patch.state ?? stateOf(next.wechat_status ?? 1024, next);
      await queries.update(appid, { ...patch, state }, at);
      await queries.addHistory({
        appid,
        kind: step.kind,
        state,
        detail: step.detail ?? {},
        actor: step.actor,
        event_id: step.eventId ?? null,
        at,
      });
    };
    if (tx) await run(tx);
    else await db.transaction(run);
  }

  async function view(appid: string): Promise<IcpView> {
    const q = createIcpQueries(db);
    const row = await q.find(appid);
    const history = await q.history(appid);
    return {
      appid,
      state: row?.state ?? 'not_started',
      wechat_status: row?.wechat_status ?? null,
      is_canceling: row?.is_canceling ?? false,
      audit_data: row?.audit_data ?? [],
      verify_task_id: row?.verify_task_id ?? null,
      face_status: row?.face_status ?? null,
      media: row?.media ?? [],
      updated_at: row ? new Date(row.updated_at).toISOString() : null,
      history: history.map((h: IcpHistoryRow) => ({
        id: h.id,
        kind: h.kind,
        state: h.state,
        detail: h.detail,
        by: h.actor,
        at: new Date(h.at).toISOString(),
      })),
    };
  }

  /** Asks WeChat where the filing stands and records it when it changed. */
  async function refresh(appid: string, actor: string, eventId?: number): Promise<void> {
    const res = await client.call('get_icp_entrance_info', {}, { appid });
    const info = res.info;
    const audit: IcpAuditItem[] = (info.audit_data ?? []).map((a) => ({
      key_name: a.key_name ?? '',
      error: a.error ?? '',
      suggest: a.suggest ?? '',
    }));
    const before = await createIcpQueries(db).find(appid);
    const same =
      before &&
      before.wechat_status === info.status &&
      before.is_canceling === (info.is_canceling ?? false) &&
      JSON.stringify(before.audit_data) === JSON.stringify(audit);
    if (same && eventId === undefined) return;
    await change(
      appid,
      {
        kind: 'status',
        actor,
        detail: { wechat_status: info.status, ...(audit.length ? { audit_data: audit } : {}) },
        ...(eventId === undefined ? {} : { eventId }),
      },
      (row) => ({
        wechat_status: info.status,
        is_canceling: info.is_canceling ?? false,
        audit_data: audit,
        state: stateOf(info.status, row),
      }),
    );
  }

  async function dictionaries(appid: string) {
    const [subjects, districts, certificates, nrlx, services] = await Promise.all([
      client.call('query_icp_subject_types', {}, { appid }),
      client.call('query_icp_district_code', {}, { appid }),
      client.call('query_icp_certificate_types', {}, { appid }),
      client.call('query_icp_nrlx_types', {}, { appid }),
      client.call('query_icp_service_content_types', {}, { appid }),
    ]);
    return {
      subject_types: subjects.items ?? [],
      districts: districts.items ?? [],
      certificate_types: certificates.items ?? [],
      nrlx_types: nrlx.items ?? [],
      service_content_types: services.items ?? [],
    };
  }

  /** What WeChat would refuse in the codes of an application, named by field. */
  function checkCodes(app: Application, dict: Awaited<ReturnType<typeof dictionaries>>): void {
    const base = isRecord(app.icp_subject['base_info']) ? app.icp_subject['base_info'] : {};
    const subjectType = Number(base['type']);
    if (!dict.subject_types.some((t) => t.type === subjectType)) {
      refuse('icp_subject.base_info.type', 'unknown_subject_type', 'unknown subject type');
    }
    const code = (k: string) => Number(base[k]);
    const province = dict.districts.find((d: IcpDistrict) => d.code === code('province'));
    if (!province) {
      refuse('icp_subject.base_info.province', 'unknown_district', 'unknown province code');
    }
    const city = province.sub_list?.find((d) => d.code === code('city'));
    if (!city) {
      refuse('icp_subject.base_info.city', 'unknown_district', 'unknown city code in the province');
    }
    if (!city.sub_list?.some((d) => d.code === code('district'))) {
      refuse(
        'icp_subject.base_info.district',
        'unknown_district',
        'unknown district code in the city',
      );
    }
    const certificate = (path: string, info: unknown) => {
      if (!isRecord(info) || info['certificate_type'] === undefined) return;
      const type = Number(info['certificate_type']);
      if (!dict.certificate_types.some((c) => c.type === type)) {
        refuse(`${path}.certificate_type`, 'unknown_certificate_type', 'unknown certificate type');
      }
    };
    certificate('icp_subject.organize_info', app.icp_subject['organize_info']);
    certificate('icp_subject.principal_info', app.icp_subject['principal_info']);
    certificate('icp_applets.principal_info', app.icp_applets['principal_info']);
    const applets = isRecord(app.icp_applets['base_info']) ? app.icp_applets['base_info'] : {};
    const services = applets['service_content_types'];
    if (
      !Array.isArray(services) ||
      services.length === 0 ||
      services.length > 5 ||
      !services.every((s) =>
        dict.service_content_types.some((t) => t.type === s && t.parent_type !== 0),
      )
    ) {
      refuse(
        'icp_applets.base_info.service_content_types',
        'unknown_service_content_type',
        'service_content_types takes 1 to 5 second-level service content types',
      );
    }
    const nrlx = applets['nrlx_details'];
    if (
      !Array.isArray(nrlx) ||
      nrlx.length === 0 ||
      !nrlx.every((n) => isRecord(n) && dict.nrlx_types.some((t) => t.type === n['type']))
    ) {
      refuse(
        'icp_applets.base_info.nrlx_details',
        'unknown_nrlx_type',
        'nrlx_details takes known pre-approval types (the "none" type when none applies)',
      );
    }
  }

  /** A push: the face verification or the filing decision. */
  async function fromPush(data: Record<string, unknown>): Promise<void> {
    const appid = String(data['appid']);
    const eventId = Number(data['eventId']);
    if (data['infoType'] === 'notify_icpfiling_verify_result') {
      const result = Number(data['result']);
      const taskId = typeof data['task_id'] === 'string' ? data['task_id'] : null;
      await change(
        appid,
        { kind: 'face_result', actor: 'wechat', detail: { task_id: taskId, result }, eventId },
        (row) =>
          taskId && row.verify_task_id && taskId !== row.verify_task_id
            ? {} // the result of an older task than the one in use
            : { face_status: result, ...(taskId ? { verify_task_id: taskId } : {}) },
      );
      return;
    }
    // The decision names the new status; rejection reasons are read from WeChat.
    try {
      await refresh(appid, 'wechat', eventId);
    } catch (err) {
      if (!(err instanceof WechatApiError) || err.category !== 'caller') throw err;
      log.warn({ appid, err }, 'icp: the filing status could not be read after a push');
      const status = Number(data['beian_status']);
      await change(
        appid,
        { kind: 'status', actor: 'wechat', detail: { wechat_status: status }, eventId },
        (row) => ({ wechat_status: status, state: stateOf(status, row) }),
      );
    }
  }
  deps.jobs.register(JOB_ICP_RESULT, fromPush);

  return {
    view: async (appid: string) => {
      await authorizer(appid, false);
      return view(appid);
    },
    /** For the tenant route: the stored state only, no WeChat call. */
    stored: view,

    async dictionaries(appid: string) {
      await authorizer(appid);
      return dictionaries(appid);
    },

    async refresh(appid: string, actor: string): Promise<IcpView> {
      await authorizer(appid);
      await refresh(appid, actor);
      return view(appid);
    },

    async startVerification(appid: string, actor: string, alongWithAuth = false) {
      await authorizer(appid);
      const res = await client.call(
        'create_icp_verifytask',
        alongWithAuth ? { along_with_auth: true } : {},
        { appid },
      );
      await change(
        appid,
        { kind: 'face_started', actor, detail: { task_id: res.task_id } },
        () => ({ verify_task_id: res.task_id, face_status: 1 }),
      );
      return view(appid);
    },

    async checkVerification(appid: string, actor: string) {
      await authorizer(appid);
      const row = await createIcpQueries(db).find(appid);
      if (!row?.verify_task_id) {
        throw new AppError('conflict', 'no face verification was started for this mini program', {
          details: { params: { reason: 'no_face_verification' } },
        });
      }
      const res = await client.call(
        'query_icp_verifytask',
        { task_id: row.verify_task_id },
        { appid },
      );
      if (res.face_status !== row.face_status) {
        await change(
          appid,
          {
            kind: 'face_status',
            actor,
            detail: { task_id: row.verify_task_id, face_status: res.face_status },
          },
          () => ({ face_status: res.face_status }),
        );
      }
      return { is_finish: res.is_finish, face_status: res.face_status, filing: await view(appid) };
    },

    async uploadMedia(appid: string, input: MediaInput, actor: string) {
      await authorizer(appid);
      const file = checkMedia(input);
      const { body, contentType } = multipartBody(input, file);
      const res = await client.raw({
        method: 'POST',
        path: '/wxa/icp/upload_icp_media',
        token: 'authorizer',
        appid,
        body,
        contentType,
      });
      const json = res.json ?? {};
      const errcode = typeof json['errcode'] === 'number' ? json['errcode'] : 0;
      if (errcode !== 0 || typeof json['media_id'] !== 'string') {
        throw new WechatApiError(
          'upload_icp_media',
          errcode || -1,
          typeof json['errmsg'] === 'string' ? json['errmsg'] : '',
          { type: file.type, icp_order_field: input.icp_order_field },
        );
      }
      const item: IcpMediaItem = {
        media_id: json['media_id'],
        type: file.type,
        icp_order_field: input.icp_order_field,
        certificate_type: input.certificate_type ?? null,
        created_at: typeof json['created_at'] === 'number' ? json['created_at'] : null,
      };
      await change(
        appid,
        {
          kind: 'media_uploaded',
          actor,
          detail: {
            media_id: item.media_id,
            type: item.type,
            icp_order_field: item.icp_order_field,
          },
        },
        (row) => ({ media: [...row.media, item].slice(-50) }),
      );
      return item;
    },

    async apply(appid: string, application: Application, actor: string) {
      await authorizer(appid);
      // Read, not recorded: a refused application leaves the filing as it was.
      const { info } = await client.call('get_icp_entrance_info', {}, { appid });
      const row = await createIcpQueries(db).find(appid);
      const status = info.status;
      if (status === 2 || status === 4) {
        throw new AppError('conflict', 'a filing of this mini program is under review', {
          details: {
            params: {
              reason: 'filing_in_review',
              state: stateOf(status, row ?? NO_ROW),
              wechat_status: status,
            },
          },
        });
      }
      if (status === 6 || info.is_canceling) {
        throw new AppError('conflict', 'this mini program is already filed', {
          details: {
            params: {
              reason: 'already_filed',
              state: stateOf(status, row ?? NO_ROW),
              wechat_status: status,
            },
          },
        });
      }
      checkCodes(application, await dictionaries(appid));
      const res = await client.raw({
        method: 'POST',
        path: '/wxa/icp/apply_icp_filing',
        token: 'authorizer',
        appid,
        body: JSON.stringify(application),
        contentType: 'application/json',
      });
      const json = res.json ?? {};
      const errcode = typeof json['errcode'] === 'number' ? json['errcode'] : res.json ? 0 : -1;
      if (errcode !== 0) {
        const errmsg = typeof json['errmsg'] === 'string' ? json['errmsg'] : '';
        const hints = Array.isArray(json['hints'])
          ? (json['hints'] as unknown[]).filter(isRecord).map((h) => ({
              errcode: typeof h['errcode'] === 'number' ? h['errcode'] : null,
              errmsg: typeof h['errmsg'] === 'string' ? h['errmsg'] : '',
              err_field: typeof h['err_field'] === 'string' ? h['err_field'] : '',
            }))
          : [];
        const field = hints[0]?.err_field;
        throw new AppError(
          hints.length > 0 ? 'bad_request' : 'wechat_error',
          `WeChat refused the application (errcode ${errcode}${field ? `, ${field}` : ''}): ${errmsg}`,
          {
            details: {
              errcode,
              errmsg,
              ...(field ? { field } : {}),
              params: { reason: 'wechat_refused', hints },
            },
          },
        );
      }
      await change(appid, { kind: 'applied', actor }, () => ({
        wechat_status: 2,
        audit_data: [],
        state: 'submitted',
      }));
      return view(appid);
    },

    async withdraw(appid: string, actor: string) {
      await authorizer(appid);
      await client.call('cancel_apply_icp_filing', {}, { appid });
      await change(appid, { kind: 'withdrawn', actor }, () => ({ wechat_status: null }));
      await refresh(appid, actor);
      return view(appid);
    },

    async cancelFiling(appid: string, cancelType: number, actor: string) {
      await authorizer(appid);
      await client.call('cancel_icp_filing', { cancel_type: cancelType }, { appid });
      await change(
        appid,
        { kind: 'cancel_requested', actor, detail: { cancel_type: cancelType } },
        () => ({ is_canceling: true }),
      );
      return view(appid);
    },

    async order(appid: string) {
      await authorizer(appid);
      const res = await client.call('get_online_icp_order', {}, { appid });
      return { icp_subject: res.icp_subject ?? null, icp_applets: res.icp_applets ?? null };
    },
  };
}
