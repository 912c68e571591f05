import { randomBytes } from 'node:crypto';
import { createAuthorizerQueries } from '../../store/queries/authorizers.ts';
import { JOB_REVIEW_RESULT, JOB_VERIFICATION_RESULT } from '../../callbacks/callback-service.ts';
import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/metrics.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Db } from '../../store/db.ts';
import {
  createVerificationQueries,
  type ReviewRow,
  type VerificationRow,
  type VerificationState,
} from '../../store/queries/verification.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { WechatApiError } from '../../wechat/errors.ts';
import { sniffFormat } from '../icp/media.ts';

/**
 * Verification on behalf (代认证, 小程序认证) of an authorized mini program, and WeChat's reviews
 * of its name and categories. A verification is started with wxaauth (WeChat answers a taskid
 * and the auth_url its administrator opens), decided by WeChat's reviewers and pushed as
 * notify_3rd_wxa_auth; a verification sent back (apply_status 3) is submitted again with reauth.
 * One verification at a time per mini program: openwx refuses a second while one is in
 * progress (WeChat's answer to that is not documented). Reviews are recorded as pending when a
 * rename or a category change asks for one (mp-settings) and decided by the wxa_nickname_audit /
 * wxa_category_audit pushes. Reference: src/wechat/endpoints/verification.ts.
 */
export interface VerificationDeps {
  db: Db;
  client: WechatClient;
  clock: Clock;
  jobs: JobQueue;
  log?: Logger;
}

/** The body of POST …/verification: WeChat's auth_data without taskid. */
export interface VerificationInput {
  customer_type: number;
  contact_info: { name: string; email: string };
  invoice_info?: Record<string, unknown>;
  qualification?: string;
  qualification_other?: string[];
  account_name: string;
  account_name_type: number;
  account_supplemental?: string[];
  pay_type: number;
  auth_identification?: string;
  auth_ident_material?: string[];
  third_party_phone?: string;
  service_appid?: string;
}

/** A category to be reviewed with its qualification materials (WeChat's `certicates`, sic). */
export interface CategoryReviewInput {
  first: number;
  second: number;
  certicates: Array<{ key: string; value: string }>;
}

export interface MaterialInput {
  filename?: string;
  /** The image, base64-encoded. */
  content_base64: string;
}

/** Doc api_secwxaapi_uploadauthmaterial: an image of at most 2 MB, PNG, JPEG/JPG or GIF. */
export const MATERIAL_MAX_BYTES = 2 * 1024 * 1024;
const MATERIAL_TYPES = { png: 'image/png', jpeg: 'image/jpeg', gif: 'image/gif' } as const;

/** task_status values that end a task without a review (doc api_secwxaapi_queryauth). */
const TASK_ENDED = new Set([1, 2, 5, 8, 11, 14]);

/** openwx's state from WeChat's task_status and apply_status. */
export function stateOf(task: number | null, apply: number | null): VerificationState {
  if (apply === 4) return 'approved';
  if (apply === 3) return 'rejected';
  if (apply === 5) return 'failed';
  if (task !== null && TASK_ENDED.has(task)) return 'failed';
  return 'in_progress';
}

/** A refused field, and the reason with the values its sentence needs. */
function refuse(
  field: string,
  message: string,
  { reason, ...params }: { reason: string; [k: string]: unknown },
): never {
  throw new AppError('bad_request', `${field}: ${message}`, {
    details: { field, params: { reason, field, ...params } },
  });
}

/** The checks the doc states for auth_data, before WeChat sees it; each names its field. */
function checkInput(v: VerificationInput): void {
  const oneOf = (field: keyof VerificationInput, allowed: number[]) => {
    if (!allowed.includes(v[field] as number)) {
      refuse(field, `must be one of ${allowed.join(', ')}`, {
        reason: 'not_allowed',
        allowed: allowed.join(', '),
      });
    }
  };
  oneOf('customer_type', [1, 12, 15]);
  oneOf('account_name_type', [1, 2]);
  oneOf('pay_type', [1, 2]);
  if (v.account_name.trim() === '') refuse('account_name', 'is empty', { reason: 'required' });
  if (v.contact_info.name.trim() === '') {
    refuse('contact_info.name', 'is empty', { reason: 'required' });
  }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.contact_info.email)) {
    refuse('contact_info.email', 'is not an email address', { reason: 'email_invalid' });
  }
  if (v.customer_type !== 15 && !v.qualification) {
    refuse(
      'qualification',
      'the subject’s qualification (a material media id) is required unless customer_type is 15 (a person)',
      { reason: 'qualification_required' },
    );
  }
  if (v.auth_identification && !v.auth_ident_material?.length) {
    refuse('auth_ident_material', 'is required with auth_identification', {
      reason: 'required_with',
      property: 'auth_identification',
    });
  }
  if ((v.qualification_other?.length ?? 0) > 10) {
    refuse('qualification_other', 'takes at most 10 images', {
      reason: 'too_many',
      max: 10,
      limit: 10,
    });
  }
}

function verificationView(r: VerificationRow) {
  return {
    taskid: r.taskid,
    state: r.state,
    task_status: r.task_status,
    apply_status: r.apply_status,
    auth_url: r.auth_url,
    account_name: r.account_name,
    customer_type: r.customer_type,
    reason: r.reason,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

function reviewView(r: ReviewRow) {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    audit_id: r.audit_id,
    nickname: r.nickname,
    first: r.first_id,
    second: r.second_id,
    reason: r.reason,
    requested_at: r.requested_at.toISOString(),
    decided_at: r.decided_at ? r.decided_at.toISOString() : null,
  };
}

const num = (v: unknown): number | null => {
  const n = Number(v);
  return v === null || v === undefined || v === '' || !Number.isFinite(n) ? null : n;
};

export type VerificationService = ReturnType<typeof createVerificationService>;

export function createVerificationService(deps: VerificationDeps) {
  const { db, client, clock } = deps;
  const log = deps.log ?? silentLogger;
  const q = createVerificationQueries(db);
  const now = () => new Date(clock.now());

  async function authorizer(appid: string): Promise<void> {
    const row = await createAuthorizerQueries(db).findByAppid(appid);
    if (!row) {
      throw new AppError('not_found', `authorizer ${appid} not found`, {
        details: { params: { reason: 'authorizer', appid } },
      });
    }
    if (row.status !== 'authorized') {
      throw new AppError('conflict', `the authorization of ${appid} was revoked`, {
        details: { params: { reason: 'authorization_revoked', appid } },
      });
    }
  }

  async function view(appid: string) {
    const rows = await q.listByAppid(appid);
    const current = rows[0];
    return {
      appid,
      state: current?.state ?? ('none' as const),
      current: current ? verificationView(current) : null,
      history: rows.slice(1).map(verificationView),
    };
  }

  /** A verification push: WeChat's statuses for the task. */
  async function fromPush(data: Record<string, unknown>): Promise<void> {
    const appid = String(data['appid']);
    const taskid = String(data['taskid']);
    const task = num(data['task_status']);
    const apply = num(data['apply_status']);
    const state = stateOf(task, apply);
    const message = typeof data['message'] === 'string' ? data['message'] : null;
    const applied = await q.updateByTaskid(appid, taskid, {
      state,
      task_status: task,
      apply_status: apply,
      reason: state === 'approved' || state === 'in_progress' ? null : message,
      eventId: Number(data['eventId']),
      at: now(),
    });
    if (!applied) log.warn({ appid, taskid }, 'verification: a push for an unknown task or again');
  }

  /** A review push: the pending review it is about is decided. */
  async function reviewFromPush(data: Record<string, unknown>): Promise<void> {
    const ret = num(data['ret']);
    if (ret !== 2 && ret !== 3) {
      log.warn({ appid: data['appid'], ret }, 'review: a push with an unknown ret, kept pending');
      return;
    }
    const reason =
      typeof data['reason'] === 'string' && data['reason'] !== '' ? data['reason'] : null;
    await q.decide({
      appid: String(data['appid']),
      kind: data['kind'] === 'category' ? 'category' : 'nickname',
      nickname: typeof data['nickname'] === 'string' ? data['nickname'] : null,
      first: num(data['first']),
      second: num(data['second']),
      state: ret === 3 ? 'approved' : 'rejected',
      reason: ret === 3 ? null : reason,
      eventId: Number(data['eventId']),
      at: now(),
    });
  }
  deps.jobs.register(JOB_VERIFICATION_RESULT, fromPush);
  deps.jobs.register(JOB_REVIEW_RESULT, reviewFromPush);

  return {
    view: async (appid: string) => {
      if (!(await createAuthorizerQueries(db).findByAppid(appid))) {
        throw new AppError('not_found', `authorizer ${appid} not found`, {
          details: { params: { reason: 'authorizer', appid } },
        });
      }
      return view(appid);
    },

    async start(appid: string, input: VerificationInput) {
      await authorizer(appid);
      checkInput(input);
      const latest = await q.findLatest(appid);
      if (latest && (latest.state === 'in_progress' || latest.state === 'rejected')) {
        throw new AppError(
          'conflict',
          latest.state === 'in_progress'
            ? `a verification of ${appid} is in progress (task ${latest.taskid})`
            : `the verification of ${appid} was sent back: submit it again (POST …/verification/resubmit)`,
          {
            details: {
              params: {
                reason:
                  latest.state === 'in_progress'
                    ? 'verification_in_progress'
                    : 'verification_sent_back',
                taskid: latest.taskid,
              },
            },
          },
        );
      }
      const res = await client.call('wxaauth', { auth_data: { ...input } }, { appid });
      await q.insertVerification({
        appid,
        taskid: res.taskid,
        auth_url: res.auth_url ?? null,
        account_name: input.account_name,
        customer_type: input.customer_type,
        at: now(),
      });
      return view(appid);
    },

    /** Asks WeChat where the current task stands (queryauth) and records it. */
    async refresh(appid: string) {
      await authorizer(appid);
      const latest = await q.findLatest(appid);
      if (!latest) {
        throw new AppError('conflict', `no verification of ${appid} was started`, {
          details: { params: { reason: 'no_verification' } },
        });
      }
      const res = await client.call('queryauth', { taskid: latest.taskid }, { appid });
      const state = stateOf(res.task_status, res.apply_status ?? null);
      await q.updateByTaskid(appid, latest.taskid, {
        state,
        task_status: res.task_status,
        apply_status: res.apply_status ?? null,
        reason: res.refill_reason || res.fail_reason || null,
        auth_url: res.auth_url ?? null,
        at: now(),
      });
      return view(appid);
    },

    /** Submits a verification sent back to refill again (reauth). */
    async resubmit(appid: string, input: VerificationInput) {
      await authorizer(appid);
      checkInput(input);
      const latest = await q.findLatest(appid);
      if (!latest || latest.state !== 'rejected') {
        throw new AppError(
          'conflict',
          `no verification of ${appid} was sent back to refill (state ${latest?.state ?? 'none'})`,
          {
            details: {
              params: { reason: 'verification_not_sent_back', state: latest?.state ?? 'none' },
            },
          },
        );
      }
      const res = await client.call(
        'reauth',
        { auth_data: { ...input, taskid: latest.taskid } },
        { appid },
      );
      await q.updateByTaskid(appid, latest.taskid, {
        state: 'in_progress',
        task_status: latest.task_status,
        apply_status: 2,
        reason: null,
        auth_url: res.auth_url ?? null,
        at: now(),
      });
      return view(appid);
    },

    /** Uploads a material (uploadauthmaterial); checked for format and size first. */
    async uploadMaterial(appid: string, input: MaterialInput) {
      await authorizer(appid);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.content_base64)) {
        refuse('content_base64', 'is not base64', { reason: 'media_not_base64' });
      }
      const bytes = Buffer.from(input.content_base64, 'base64');
      if (bytes.length === 0)
        refuse('content_base64', 'the file is empty', { reason: 'media_empty' });
      const format = sniffFormat(bytes);
      if (format !== 'png' && format !== 'jpeg' && format !== 'gif') {
        refuse('content_base64', 'a material must be a PNG, JPEG or GIF image', {
          reason: 'media_format_invalid',
          format: format ?? 'unknown',
        });
      }
      if (bytes.length > MATERIAL_MAX_BYTES) {
        refuse(
          'content_base64',
          `the image has ${bytes.length} bytes; WeChat takes at most ${MATERIAL_MAX_BYTES}`,
          {
            reason: 'media_too_large',
            size: bytes.length,
            max: MATERIAL_MAX_BYTES,
          },
        );
      }
      const boundary = `----openwx${randomBytes(12).toString('hex')}`;
      const name = (input.filename ?? `material.${format === 'jpeg' ? 'jpg' : format}`).replace(
        /["\r\n]/g,
        '_',
      );
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${name}"\r\nContent-Type: ${MATERIAL_TYPES[format]}\r\n\r\n`,
        ),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await client.raw({
        method: 'POST',
        path: '/wxa/sec/uploadauthmaterial',
        token: 'authorizer',
        appid,
        body,
        contentType: `multipart/form-data; boundary=${boundary}`,
      });
      const json = res.json ?? {};
      const errcode = typeof json['errcode'] === 'number' ? json['errcode'] : 0;
      if (errcode !== 0 || typeof json['mediaid'] !== 'string') {
        throw new WechatApiError(
          'uploadauthmaterial',
          errcode || -1,
          typeof json['errmsg'] === 'string' ? json['errmsg'] : '',
          { size: bytes.length },
        );
      }
      return {
        mediaid: json['mediaid'],
        type: typeof json['type'] === 'string' ? json['type'] : 'image',
      };
    },

    /**
     * Submits a category for review with its qualifications: added (addcategory) when the mini
     * program does not have it, given new qualifications (modifycategory) when WeChat rejected
     * it. Recorded as a pending review when WeChat lists it as reviewing (audit_status 1).
     */
    async submitCategory(appid: string, input: CategoryReviewInput) {
      await authorizer(appid);
      const key = `${input.first}/${input.second}`;
      input.certicates.forEach((c, i) => {
        if (c.key.trim() === '') {
          refuse(`certicates[${i}].key`, 'name the qualification', { reason: 'required' });
        }
        if (c.value.trim() === '')
          refuse(`certicates[${i}].value`, 'give the media id of the material', {
            reason: 'required',
          });
      });
      const before = await client.call('getcategory', {}, { appid });
      const current = (before.categories ?? []).find(
        (c) => c.first === input.first && c.second === input.second,
      );
      if (current && current.audit_status !== 2) {
        throw new AppError(
          'conflict',
          `category ${key} is ${current.audit_status === 1 ? 'under review' : 'approved'}; only a rejected one takes new qualifications`,
          {
            details: {
              params: {
                reason: 'category_not_rejected',
                audit_status: current.audit_status ?? null,
              },
            },
          },
        );
      }
      if (current) await client.call('modifycategory', { ...input }, { appid });
      else await client.call('addcategory', { categories: [{ ...input }] }, { appid });
      const after = await client.call('getcategory', {}, { appid });
      const now = (after.categories ?? []).find(
        (c) => c.first === input.first && c.second === input.second,
      );
      if (now?.audit_status === 1) {
        await q.insertReview({
          appid,
          kind: 'category',
          first: input.first,
          second: input.second,
          at: new Date(clock.now()),
        });
      }
      return {
        audit_status: now?.audit_status ?? null,
        reviews: (await q.listReviews(appid)).map(reviewView),
      };
    },

    /** Pending and decided reviews of names and categories, newest first. */
    async reviews(appid: string) {
      if (!(await createAuthorizerQueries(db).findByAppid(appid))) {
        throw new AppError('not_found', `authorizer ${appid} not found`, {
          details: { params: { reason: 'authorizer', appid } },
        });
      }
      return { items: (await q.listReviews(appid)).map(reviewView) };
    },
  };
}
