import type { Clock } from '../../core/clock.ts';
import { silentLogger, type Logger } from '../../core/metrics.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { JOB_CODE_AUDIT_RESULT } from '../../callbacks/callback-service.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { WechatApiError } from '../../wechat/errors.ts';
import { createAuditAdvisor, type ReasonAdvice } from './audit-reasons.ts';
import type { CodeHistory, CodeStep, CodeStepKind } from './code-history.ts';

/**
 * Audit results: from the weapp_audit_success/fail/delay pushes (through a job), and, as a
 * fallback for pushes that never came, from polling get_latest_auditstatus for every audit still
 * in flight (every few minutes, and once at start-up). Each result is recorded once, whichever
 * way it arrived first; listeners (the automatic release, rollouts) hear about it.
 * Reference: ../shared/wechat/02 §3.7–3.8; pushes in ../shared/wechat/01 §6.3.
 */
export const JOB_CODE_AUTO_RELEASE = 'code.auto_release';

export interface AuditResult {
  appid: string;
  auditid: number | null;
  kind: 'audit_passed' | 'audit_failed' | 'audit_delayed';
  reason: string | null;
  screenshots: string[] | null;
}
export type AuditListener = (result: AuditResult) => Promise<void>;

const RESULT_KIND: Record<string, AuditResult['kind']> = {
  success: 'audit_passed',
  fail: 'audit_failed',
  delay: 'audit_delayed',
};
/** get_latest_auditstatus status → step (2 under review and 3 withdrawn are not results). */
const STATUS_KIND: Record<number, AuditResult['kind']> = {
  0: 'audit_passed',
  1: 'audit_failed',
  4: 'audit_delayed',
};

export interface AuditTrackerDeps {
  history: CodeHistory;
  client: WechatClient;
  jobs: JobQueue;
  clock: Clock;
  log?: Logger;
  /** Releases a mini program whose audit passed and was submitted with auto_release. */
  release: (appid: string, actor: string) => Promise<unknown>;
}

export type AuditTracker = ReturnType<typeof createAuditTracker>;

export function createAuditTracker(deps: AuditTrackerDeps) {
  const { history, client, jobs } = deps;
  const log = deps.log ?? silentLogger;
  const listeners: AuditListener[] = [];
  const advisor = createAuditAdvisor({ client, history, clock: deps.clock });

  /** What a rejection reason asks for, kept with the failed audit; without it when WeChat fails. */
  async function adviceFor(result: AuditResult): Promise<ReasonAdvice | undefined> {
    if (result.kind !== 'audit_failed') return undefined;
    try {
      return await advisor.forReason(result.appid, result.reason);
    } catch (err) {
      log.warn({ appid: result.appid, err }, 'categories of an audit reason not looked up');
      return undefined;
    }
  }

  /** Records a result unless the latest audit step already says the same about this audit. */
  async function store(
    result: AuditResult,
    actor: string,
    eventId?: number,
  ): Promise<CodeStep | undefined> {
    // Looked up before reading the steps, so that the read and the insert stay close together.
    const advice = await adviceFor(result);
    const all = await history.steps(result.appid);
    const submitted = all.filter((s) => s.kind === 'submitted').pop();
    const auditid = result.auditid ?? submitted?.auditid ?? null;
    const latest = all
      .filter((s) => s.auditid === auditid && s.kind !== 'speedup' && s.kind !== 'released')
      .pop();
    if (latest && latest.kind === result.kind) return undefined;
    if (latest && latest.kind !== 'submitted' && latest.kind !== 'audit_delayed') {
      return undefined; // decided or withdrawn already; a late delay or a repeat changes nothing
    }
    const source = all.filter((s) => s.kind === 'submitted' && s.auditid === auditid).pop();
    const stored = await history.record(result.appid, result.kind as CodeStepKind, {
      template_id: source?.template_id ?? null,
      user_version: source?.user_version ?? null,
      user_desc: source?.user_desc ?? null,
      auditid,
      reason: result.reason,
      screenshots: result.screenshots,
      ...(advice ? { detail: { categories: advice.categories, advice: advice.advice } } : {}),
      actor,
      ...(eventId === undefined ? {} : { eventId }),
    });
    if (!stored) return undefined;
    log.info({ appid: result.appid, kind: result.kind, auditid }, 'audit result recorded');
    if (result.kind === 'audit_passed' && source?.detail['auto_release'] === true) {
      await jobs.enqueue(
        JOB_CODE_AUTO_RELEASE,
        { appid: result.appid, auditid },
        { singletonKey: `auto-release:${result.appid}:${auditid}` },
      );
    }
    for (const listener of listeners) {
      try {
        await listener({ ...result, auditid });
      } catch (err) {
        log.warn({ appid: result.appid, err }, 'audit listener failed');
      }
    }
    return stored;
  }

  async function fromPush(payload: Record<string, unknown>): Promise<void> {
    const appid = String(payload['appid']);
    const kind = RESULT_KIND[String(payload['result'])];
    if (!kind) {
      log.warn({ appid, result: payload['result'] }, 'unknown audit result push');
      return;
    }
    const screenshot = String(payload['screenshot'] ?? '');
    await store(
      {
        appid,
        auditid: null,
        kind,
        reason: kind === 'audit_passed' ? null : String(payload['reason'] ?? ''),
        screenshots: kind === 'audit_failed' ? screenshot.split('|').filter(Boolean) : null,
      },
      'wechat',
      Number(payload['event_id']),
    );
  }

  /** Asks WeChat about one mini program's latest audit; records a result it had not heard of. */
  async function pollOne(appid: string, auditid: number | null): Promise<boolean> {
    const res = await client.call('get_latest_auditstatus', {}, { appid });
    if (auditid !== null && res.auditid !== auditid) return false;
    const kind = STATUS_KIND[res.status];
    if (!kind) return false;
    const screenshot = String(res.screenshot ?? res.ScreenShot ?? '');
    const stored = await store(
      {
        appid,
        auditid: res.auditid,
        kind,
        reason: kind === 'audit_passed' ? null : (res.reason ?? ''),
        screenshots: kind === 'audit_failed' ? screenshot.split('|').filter(Boolean) : null,
      },
      'wechat-poll',
    );
    return stored !== undefined;
  }

  jobs.register(JOB_CODE_AUDIT_RESULT, fromPush);
  jobs.register(JOB_CODE_AUTO_RELEASE, async (payload) => {
    const appid = String(payload['appid']);
    const state = await history.state(appid);
    if (state.audit?.state !== 'passed' || state.audit.auditid !== Number(payload['auditid'])) {
      return; // withdrawn, superseded or released by hand meanwhile
    }
    await deps.release(appid, 'auto-release');
  });

  return {
    fromPush,
    pollOne,
    /** What failed audits' reasons ask for (audit-reasons.ts). */
    advice: advisor,
    onResult(listener: AuditListener): void {
      listeners.push(listener);
    },
    /** Polls every audit still in flight; returns how many results were found this way. */
    async pollAll(): Promise<{ polled: number; found: number; failed: number }> {
      const inFlight = await history.auditsInFlight();
      let found = 0;
      let failed = 0;
      for (const a of inFlight) {
        try {
          if (await pollOne(a.appid, a.auditid)) found++;
        } catch (err) {
          failed++;
          const errcode = err instanceof WechatApiError ? err.errcode : undefined;
          log.warn({ appid: a.appid, errcode, err }, 'audit poll failed');
        }
      }
      return { polled: inFlight.length, found, failed };
    },
  };
}
