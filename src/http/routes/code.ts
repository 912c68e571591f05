import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { CodePipeline, CommitInput } from '../../services/code-pipeline.ts';
import { callerGuard, type GuardDeps } from '../auth.ts';
import { errorBody } from '../schemas.ts';

/** Admin: one mini program's code pipeline (commit, audit, release, rollback) and its history. */
const security = [{ bearerAuth: [] }];
const tags = ['Code'];
const nullableString = { type: ['string', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;
const codeStep = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: {
      type: 'string',
      enum: [
        'committed',
        'submitted',
        'audit_passed',
        'audit_failed',
        'audit_delayed',
        'audit_withdrawn',
        'released',
        'rolled_back',
        'visit_status',
      ],
    },
    template_id: nullableInteger,
    user_version: nullableString,
    user_desc: nullableString,
    auditid: nullableInteger,
    reason: nullableString,
    screenshots: { type: ['array', 'null'], items: { type: 'string' } },
    detail: { type: 'object', additionalProperties: true },
    by: { type: 'string', description: "'admin', the tenant id, or 'wechat' for audit results" },
    at: { type: 'string' },
  },
} as const;
const codeState = {
  type: 'object',
  properties: {
    appid: { type: 'string' },
    committed: {
      type: ['object', 'null'],
      properties: {
        template_id: nullableInteger,
        user_version: nullableString,
        user_desc: nullableString,
        at: { type: 'string' },
        by: { type: 'string' },
      },
    },
    audit: {
      type: ['object', 'null'],
      properties: {
        auditid: nullableInteger,
        state: { type: 'string', enum: ['auditing', 'passed', 'failed', 'delayed', 'withdrawn'] },
        reason: nullableString,
        screenshots: { type: ['array', 'null'], items: { type: 'string' } },
        template_id: nullableInteger,
        user_version: nullableString,
        at: { type: 'string' },
      },
    },
    released: {
      type: ['object', 'null'],
      properties: {
        template_id: nullableInteger,
        user_version: nullableString,
        user_desc: nullableString,
        rollback: { type: 'boolean' },
        at: { type: 'string' },
        by: { type: 'string' },
      },
    },
    visit_status: nullableString,
  },
} as const;
const appidParams = {
  type: 'object',
  required: ['appid'],
  properties: { appid: { type: 'string', minLength: 1 } },
} as const;
const errors = { 400: errorBody, 401: errorBody, 404: errorBody, 502: errorBody, 503: errorBody };
const ACTOR = 'admin';

type Params = { appid: string };

export function codeRoutes(deps: GuardDeps & { code: CodePipeline }) {
  const { code } = deps;
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));
    const base = '/api/admin/authorizers/:appid/code';

    app.post<{ Params: Params; Body: CommitInput }>(
      `${base}/commit`,
      {
        schema: {
          tags,
          security,
          summary:
            "Commit a template as this mini program's trial version (default template when template_id is absent); ext_json is {extAppid, ext: {...tenant.ext, ...ext}} with {{appid}} and {{tenant.name}} substituted",
          params: appidParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['user_version', 'user_desc'],
            properties: {
              template_id: { type: 'integer', minimum: 0 },
              user_version: { type: 'string', minLength: 1, maxLength: 64 },
              user_desc: { type: 'string' },
              ext: { type: 'object', additionalProperties: true },
            },
          },
          response: { 201: codeStep, ...errors },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await code.commit(req.params.appid, req.body, ACTOR)),
    );
    app.get<{ Params: Params; Querystring: { path?: string } }>(
      `${base}/qrcode`,
      {
        schema: {
          tags,
          security,
          summary: "The trial version's QR code (WeChat's image, passed through)",
          params: appidParams,
          querystring: {
            type: 'object',
            properties: { path: { type: 'string', description: 'Page to open, with its query' } },
          },
          response: {
            200: { description: 'The QR code image', type: 'string', format: 'binary' },
            ...errors,
          },
        },
      },
      async (req, reply) => {
        const img = await code.qrcode(req.params.appid, req.query.path);
        return reply.header('content-type', img.contentType).send(img.bytes);
      },
    );
    app.post<{ Params: Params; Body: Record<string, unknown> }>(
      `${base}/submit`,
      {
        schema: {
          tags,
          security,
          summary:
            'Submit the trial version for audit (submit_audit); refused while an audit is in flight',
          params: appidParams,
          body: {
            type: 'object',
            additionalProperties: true,
            description: "submit_audit's fields (item_list, version_desc, ...), all optional",
          },
          response: { 201: codeStep, 409: errorBody, ...errors },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await code.submit(req.params.appid, req.body ?? {}, ACTOR)),
    );
    const action = (
      path: string,
      summary: string,
      run: (appid: string) => Promise<unknown>,
    ): void => {
      app.post<{ Params: Params }>(
        `${base}/${path}`,
        {
          schema: {
            tags,
            security,
            summary,
            params: appidParams,
            response: { 201: codeStep, ...errors },
          },
        },
        async (req, reply) => reply.status(201).send(await run(req.params.appid)),
      );
    };
    action('release', 'Release the audited version (release)', (appid) =>
      code.release(appid, ACTOR),
    );
    action('rollback', 'Roll back to the previous online version (revertcoderelease)', (appid) =>
      code.rollback(appid, ACTOR),
    );
    action('undo-audit', 'Withdraw the audit in flight (undocodeaudit)', (appid) =>
      code.undoAudit(appid, ACTOR),
    );
    app.post<{ Params: Params; Body: { status: 'open' | 'close' } }>(
      `${base}/visit-status`,
      {
        schema: {
          tags,
          security,
          summary: 'Suspend (close) or resume (open) the online version (change_visitstatus)',
          params: appidParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['status'],
            properties: { status: { type: 'string', enum: ['open', 'close'] } },
          },
          response: { 201: codeStep, ...errors },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await code.visitStatus(req.params.appid, req.body.status, ACTOR)),
    );
    app.get<{ Params: Params }>(
      base,
      {
        schema: {
          tags,
          security,
          summary:
            "The mini program's code state: committed version, audit state and reason, released version",
          params: appidParams,
          response: { 200: codeState, ...errors },
        },
      },
      (req) => code.current(req.params.appid),
    );
    app.get<{ Params: Params }>(
      '/api/admin/authorizers/:appid/versions',
      {
        schema: {
          tags,
          security,
          summary:
            'Every step of the code pipeline in order: committed, submitted, audit results, released, rolled back',
          params: appidParams,
          response: {
            200: {
              type: 'object',
              properties: { appid: { type: 'string' }, items: { type: 'array', items: codeStep } },
            },
            ...errors,
          },
        },
      },
      (req) => code.history(req.params.appid),
    );
  };
}
