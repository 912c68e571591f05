import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { CodePipeline, CommitInput } from '../../services/code/code-pipeline.ts';
import { callerGuard, requireAppidAccess, type GuardDeps } from '../auth.ts';
import {
  appidParams,
  auditAdviceBody,
  codeState,
  codeStep,
  errors,
  preflightBody,
  usageItem,
  versionsBody,
} from './code-schemas.ts';

/** Admin: one mini program's code pipeline (commit, audit, release, rollback) and its history. */
const security = [{ bearerAuth: [] }];
const tags = ['Code'];
const ACTOR = 'admin';

type Params = { appid: string };

export function codeRoutes(deps: GuardDeps & { code: CodePipeline }) {
  const { code } = deps;
  return async function plugin(root: FastifyInstance): Promise<void> {
    await root.register(async (tenant) => {
      tenant.addHook('onRequest', callerGuard(deps, 'tenant'));
      tenant.get<{ Params: Params }>(
        '/api/tenant/authorizers/:appid/code',
        {
          schema: {
            tags,
            security,
            summary: "The code state of one of the tenant's mini programs",
            params: appidParams,
            response: { 200: codeState, ...errors },
          },
        },
        async (req) => {
          await requireAppidAccess(deps.db, req, req.params.appid);
          return code.current(req.params.appid);
        },
      );
      tenant.get<{ Params: Params }>(
        '/api/tenant/authorizers/:appid/versions',
        {
          schema: {
            tags,
            security,
            summary: "The version history of one of the tenant's mini programs",
            params: appidParams,
            response: { 200: versionsBody, ...errors },
          },
        },
        async (req) => {
          await requireAppidAccess(deps.db, req, req.params.appid);
          return code.versions(req.params.appid);
        },
      );
      tenant.get<{ Params: Params }>(
        '/api/tenant/authorizers/:appid/audit-advice',
        {
          schema: {
            tags,
            security,
            summary:
              "Why the latest audit of one of the tenant's mini programs failed: the categories its reason asks for and what the merchant can do (404 not_found with params.reason no_failed_audit when no audit failed)",
            params: appidParams,
            response: { 200: auditAdviceBody, ...errors },
          },
        },
        async (req) => {
          await requireAppidAccess(deps.db, req, req.params.appid);
          return code.audits.advice.latest(req.params.appid);
        },
      );
    });
    await root.register(async (app) => adminRoutes(app));
  };

  async function adminRoutes(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));
    app.get<{ Params: { template_id: number } }>(
      '/api/admin/templates/:template_id/usage',
      {
        schema: {
          tags: ['Templates'],
          security,
          summary:
            'Which mini programs run this template (released or rolled back to it) and which have it as their latest commit',
          params: {
            type: 'object',
            required: ['template_id'],
            properties: { template_id: { type: 'integer', minimum: 0 } },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                template_id: { type: 'integer' },
                released: { type: 'array', items: usageItem },
                committed: { type: 'array', items: usageItem },
              },
            },
            ...errors,
          },
        },
      },
      (req) => code.history.templateUsage(req.params.template_id),
    );
    const base = '/api/admin/authorizers/:appid/code';

    app.post<{ Params: Params; Body: CommitInput }>(
      `${base}/commit`,
      {
        schema: {
          tags,
          security,
          summary:
            "Commit a template as this mini program's trial version (default template when template_id is absent); ext_json is {extAppid, ext: {...tenant.ext, ...ext}}, or the ext_json text given, with {{appid}}, {{tenant.id}} and {{tenant.name}} substituted",
          params: appidParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['user_version', 'user_desc'],
            properties: {
              template_id: { type: 'integer', minimum: 0 },
              user_version: { type: 'string', minLength: 1, maxLength: 64 },
              user_desc: { type: 'string', maxLength: 1000 },
              ext: { type: 'object', additionalProperties: true },
              ext_json: {
                type: 'string',
                description:
                  'The whole ext_json as text (instead of ext); extAppid must be the appid',
              },
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
            'Submit the trial version for audit (submit_audit) after the pre-flight; refused while an audit is in flight',
          params: appidParams,
          body: {
            type: 'object',
            additionalProperties: true,
            description:
              "submit_audit's fields (item_list, version_desc, ...), all optional: without item_list the pre-flight's (from the approved categories) is used. Plus openwx's own: auto_release (release as soon as the audit passes) and skip_preflight.",
            properties: {
              auto_release: { type: 'boolean' },
              skip_preflight: { type: 'boolean' },
            },
          },
          response: { 201: codeStep, ...errors },
        },
      },
      async (req, reply) => {
        const { auto_release, skip_preflight, ...body } = (req.body ?? {}) as Record<
          string,
          unknown
        >;
        const opts = {
          ...(typeof auto_release === 'boolean' ? { auto_release } : {}),
          ...(typeof skip_preflight === 'boolean' ? { skip_preflight } : {}),
        };
        return reply.status(201).send(await code.submit(req.params.appid, body, ACTOR, opts));
      },
    );
    app.get<{ Params: Params }>(
      `${base}/preflight`,
      {
        schema: {
          tags,
          security,
          summary:
            'Pre-flight before an audit: authorized, no audit in flight, privacy guide set, approved categories (and the item_list built from them), audit quota left',
          params: appidParams,
          response: { 200: preflightBody, ...errors },
        },
      },
      (req) => code.checkPreflight(req.params.appid),
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
    action('speedup', 'Ask for a faster review of the audit in flight (speedupaudit)', (appid) =>
      code.speedup(appid, ACTOR),
    );
    action(
      'gray-release/revert',
      'Cancel the phased release (revertgrayrelease); upgraded users fall back',
      (appid) => code.revertGray(appid, ACTOR),
    );
    app.post<{
      Params: Params;
      Body: { percentage: number; debuger_first?: boolean; experiencer_first?: boolean };
    }>(
      `${base}/gray-release`,
      {
        schema: {
          tags,
          security,
          summary:
            'Release the passed version to a share of users (grayrelease); call again with a higher share, or release for everyone',
          params: appidParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['percentage'],
            properties: {
              percentage: { type: 'integer', minimum: 1, maximum: 100 },
              debuger_first: { type: 'boolean' },
              experiencer_first: { type: 'boolean' },
            },
          },
          response: { 201: codeStep, ...errors },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await code.grayRelease(req.params.appid, req.body, ACTOR)),
    );
    app.get<{ Params: Params }>(
      `${base}/gray-release`,
      {
        schema: {
          tags,
          security,
          summary: "WeChat's phased release plan (getgrayreleaseplan)",
          params: appidParams,
          response: {
            200: {
              type: 'object',
              properties: {
                appid: { type: 'string' },
                plan: { type: 'object', additionalProperties: true },
              },
            },
            ...errors,
          },
        },
      },
      (req) => code.grayPlan(req.params.appid),
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
          response: { 200: versionsBody, ...errors },
        },
      },
      (req) => code.versions(req.params.appid),
    );
    app.get<{ Params: Params }>(
      '/api/admin/authorizers/:appid/audit-advice',
      {
        schema: {
          tags,
          security,
          summary:
            "The latest failed audit with the categories its reason asks for, each matched against WeChat's category tree and the mini program's categories, and what to do (404 not_found with params.reason no_failed_audit when no audit failed)",
          params: appidParams,
          response: { 200: auditAdviceBody, ...errors },
        },
      },
      (req) => code.audits.advice.latest(req.params.appid),
    );
  }
}
