import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readControlBody as parse } from './control-body.ts';
import { applyAuditPolicy, syncAuditPolicyTimer } from './audit-policy.ts';
import { codeState, codeView, decideAudit } from './code.ts';
import type { EmulatorContext } from './context.ts';

/**
 * Control hooks for the code pipeline: decide an audit as WeChat's reviewers would (the matching
 * weapp_audit_* event is pushed to the message URL), set the audit policy and the privacy-scan
 * delay, set the platform's monthly audit quota, and look at a mini program's code state.
 */
const decision = z.object({
  result: z.enum(['success', 'fail', 'delay']),
  reason: z.string().max(2000).optional(),
  screenshots: z
    .union([z.array(z.string().min(1).max(256)).max(10), z.string().max(2600)])
    .optional(),
  /** false: decide without pushing the weapp_audit_* event (as if WeChat lost it). */
  push: z.boolean().optional(),
});
const policy = z.object({
  auto_pass_after_seconds: z.number().int().min(0).nullable().optional(),
  fail_percent: z.number().int().min(0).max(100).optional(),
  privacy_scan_seconds: z.number().int().min(0).optional(),
});
const quota = z.object({
  limit: z.number().int().min(0),
  used: z.number().int().min(0).optional(),
  speedup_limit: z.number().int().min(0).optional(),
  speedup_used: z.number().int().min(0).optional(),
});

export function registerAuditControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const policyView = () => {
    const p = codeState(ctx).policy;
    return {
      auto_pass_after_seconds: p.autoPassAfterSeconds,
      fail_percent: p.failPercent,
      privacy_scan_seconds: p.privacyScanSeconds,
    };
  };
  const quotaView = () => {
    const q = codeState(ctx).quota;
    return {
      limit: q.limit,
      used: q.used,
      rest: Math.max(0, q.limit - q.used),
      speedup_limit: q.speedupLimit,
      speedup_used: q.speedupUsed,
    };
  };

  app.get('/control/audits', () => {
    applyAuditPolicy(ctx);
    return { audits: [...codeState(ctx).audits.values()] };
  });
  app.post<{ Params: { auditid: string } }>('/control/audits/:auditid', async (req, reply) => {
    const input = parse(decision, req.body);
    if (!input.ok) return reply.code(400).send({ error: input.error });
    const audit = codeState(ctx).audits.get(Number(req.params.auditid));
    if (!audit) return reply.code(404).send({ error: `no audit ${req.params.auditid}` });
    const { result, reason, screenshots, push: send } = input.value;
    if (audit.status !== 2 && (audit.status !== 4 || result === 'delay')) {
      return reply
        .code(409)
        .send({ error: `audit ${audit.auditid} has status ${audit.status}; cannot ${result}` });
    }
    const shots = typeof screenshots === 'string' ? screenshots.split('|') : screenshots;
    const push = await decideAudit(ctx, audit, {
      result,
      ...(reason === undefined ? {} : { reason }),
      ...(shots === undefined ? {} : { screenshots: shots.filter((s) => s !== '') }),
      ...(send === undefined ? {} : { push: send }),
    });
    return reply.code(200).send({ audit, push });
  });
  app.get('/control/audit-policy', policyView);
  app.post('/control/audit-policy', (req, reply) => {
    const input = parse(policy, req.body);
    if (!input.ok) return reply.code(400).send({ error: input.error });
    const p = codeState(ctx).policy;
    const v = input.value;
    if (v.auto_pass_after_seconds !== undefined) p.autoPassAfterSeconds = v.auto_pass_after_seconds;
    if (v.fail_percent !== undefined) p.failPercent = v.fail_percent;
    if (v.privacy_scan_seconds !== undefined) p.privacyScanSeconds = v.privacy_scan_seconds;
    applyAuditPolicy(ctx);
    syncAuditPolicyTimer(ctx);
    return reply.code(200).send(policyView());
  });
  app.get('/control/audit-quota', quotaView);
  app.post('/control/audit-quota', (req, reply) => {
    const input = parse(quota, req.body);
    if (!input.ok) return reply.code(400).send({ error: input.error });
    const q = codeState(ctx).quota;
    const v = input.value;
    q.limit = v.limit;
    if (v.used !== undefined) q.used = v.used;
    if (v.speedup_limit !== undefined) q.speedupLimit = v.speedup_limit;
    if (v.speedup_used !== undefined) q.speedupUsed = v.speedup_used;
    return reply.code(200).send(quotaView());
  });
  app.get<{ Params: { appid: string } }>('/control/mini-programs/:appid/code', (req, reply) => {
    const appid = req.params.appid;
    if (ctx.state.merchants.get(appid)?.type !== 'miniprogram') {
      return reply.code(404).send({ error: `no mini program ${appid}` });
    }
    applyAuditPolicy(ctx);
    return reply.code(200).send(codeView(ctx, appid));
  });
}
