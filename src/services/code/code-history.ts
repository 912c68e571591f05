import type { Clock } from '../../core/clock.ts';
import type { Db, Queryable } from '../../store/db.ts';

/**
 * The record of every mini program's code pipeline (`code_events`): one row per step, in order.
 * The current state of a mini program (trial version, audit, online version, service status) is
 * read from its latest steps.
 */
export type CodeStepKind =
  | 'committed'
  | 'submitted'
  | 'audit_passed'
  | 'audit_failed'
  | 'audit_delayed'
  | 'audit_withdrawn'
  | 'released'
  | 'rolled_back'
  | 'visit_status'
  | 'speedup'
  | 'gray_release'
  | 'gray_reverted';

export const CODE_STEP_KINDS: readonly CodeStepKind[] = [
  'committed',
  'submitted',
  'audit_passed',
  'audit_failed',
  'audit_delayed',
  'audit_withdrawn',
  'released',
  'rolled_back',
  'visit_status',
  'speedup',
  'gray_release',
  'gray_reverted',
];

interface Row {
  id: number | string;
  appid: string;
  kind: CodeStepKind;
  template_id: number | string | null;
  user_version: string | null;
  user_desc: string | null;
  auditid: number | string | null;
  reason: string | null;
  screenshots: string[] | null;
  detail: Record<string, unknown>;
  actor: string;
  at: Date | string;
}

export interface CodeStep {
  id: number;
  kind: CodeStepKind;
  template_id: number | null;
  user_version: string | null;
  user_desc: string | null;
  auditid: number | null;
  reason: string | null;
  screenshots: string[] | null;
  detail: Record<string, unknown>;
  by: string;
  at: string;
}

export interface StepInput {
  template_id?: number | null;
  user_version?: string | null;
  user_desc?: string | null;
  auditid?: number | null;
  reason?: string | null;
  screenshots?: string[] | null;
  detail?: Record<string, unknown>;
  actor: string;
  /** The push this step came from (a push is recorded once). */
  eventId?: number;
}

const AUDIT_KINDS = new Set<CodeStepKind>([
  'submitted',
  'audit_passed',
  'audit_failed',
  'audit_delayed',
  'audit_withdrawn',
]);
export const AUDIT_STATE: Record<string, string> = {
  submitted: 'auditing',
  audit_passed: 'passed',
  audit_failed: 'failed',
  audit_delayed: 'delayed',
  audit_withdrawn: 'withdrawn',
};

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function step(r: Row): CodeStep {
  return {
    id: Number(r.id),
    kind: r.kind,
    template_id: num(r.template_id),
    user_version: r.user_version,
    user_desc: r.user_desc,
    auditid: num(r.auditid),
    reason: r.reason,
    screenshots: r.screenshots,
    detail: r.detail,
    by: r.actor,
    at: new Date(r.at).toISOString(),
  };
}

/** The state of one mini program as its steps tell it. */
export function codeState(all: CodeStep[]) {
  const last = (pred: (s: CodeStep) => boolean) => all.filter(pred).pop() ?? null;
  const committed = last((s) => s.kind === 'committed');
  const auditStep = last((s) => AUDIT_KINDS.has(s.kind));
  const submitted = last((s) => s.kind === 'submitted');
  const online = last((s) => s.kind === 'released' || s.kind === 'rolled_back');
  const visit = last((s) => s.kind === 'visit_status');
  const gray = last((s) => s.kind === 'gray_release' || s.kind === 'gray_reverted');
  const onlineAt = online ? online.id : 0;
  return {
    committed: committed && {
      template_id: committed.template_id,
      user_version: committed.user_version,
      user_desc: committed.user_desc,
      at: committed.at,
      by: committed.by,
    },
    audit: auditStep && {
      auditid: auditStep.auditid,
      // A passed audit whose version went online since is 'released': nothing left to release.
      state:
        auditStep.kind === 'audit_passed' &&
        all.some((s) => s.kind === 'released' && s.id > auditStep.id)
          ? 'released'
          : (AUDIT_STATE[auditStep.kind] ?? auditStep.kind),
      reason: auditStep.reason,
      screenshots: auditStep.screenshots,
      template_id: submitted?.template_id ?? null,
      user_version: submitted?.user_version ?? null,
      user_desc: submitted?.user_desc ?? null,
      auto_release: submitted?.detail['auto_release'] === true,
      at: auditStep.at,
    },
    released: online && {
      template_id: online.template_id,
      user_version: online.user_version,
      user_desc: online.user_desc,
      rollback: online.kind === 'rolled_back',
      at: online.at,
      by: online.by,
    },
    gray:
      gray && gray.kind === 'gray_release' && gray.id > onlineAt
        ? {
            percentage: Number(gray.detail['percentage'] ?? 0),
            user_version: gray.user_version,
            at: gray.at,
            by: gray.by,
          }
        : null,
    visit_status: (visit?.detail['status'] as string | undefined) ?? null,
  };
}
export type CodeState = ReturnType<typeof codeState>;

export const auditInFlight = (s: CodeState): boolean =>
  s.audit !== null && (s.audit.state === 'auditing' || s.audit.state === 'delayed');

export type CodeHistory = ReturnType<typeof createCodeHistory>;

export function createCodeHistory(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  /**
   * Records a step; undefined when it is already recorded: the same push (event_id), or a second
   * result of one audit (migration 0028), which two instances may both try to write.
   */
  async function record(
    appid: string,
    kind: CodeStepKind,
    s: StepInput,
    q: Queryable = db,
  ): Promise<CodeStep | undefined> {
    const res = await q.query<Row>(
      `INSERT INTO code_events
         (appid, kind, template_id, user_version, user_desc, auditid, reason, screenshots, detail, actor, event_id, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT DO NOTHING
       RETURNING *`,
      [
        appid,
        kind,
        s.template_id ?? null,
        s.user_version ?? null,
        s.user_desc ?? null,
        s.auditid ?? null,
        s.reason ?? null,
        s.screenshots ? JSON.stringify(s.screenshots) : null,
        s.detail ?? {},
        s.actor,
        s.eventId ?? null,
        new Date(clock.now()),
      ],
    );
    return res.rows[0] ? step(res.rows[0]) : undefined;
  }

  async function steps(appid: string, q: Queryable = db): Promise<CodeStep[]> {
    const res = await q.query<Row>('SELECT * FROM code_events WHERE appid = $1 ORDER BY id', [
      appid,
    ]);
    return res.rows.map(step);
  }

  return {
    record,
    steps,
    async state(appid: string, q: Queryable = db): Promise<CodeState> {
      return codeState(await steps(appid, q));
    },
    /** The version online now for each mini program that has one. */
    async releasedVersions(): Promise<
      Map<string, { template_id: number | null; user_version: string | null }>
    > {
      const res = await db.query<{
        appid: string;
        template_id: string | number | null;
        user_version: string | null;
      }>(
        `SELECT DISTINCT ON (appid) appid, template_id, user_version FROM code_events
         WHERE kind IN ('released', 'rolled_back') ORDER BY appid, id DESC`,
      );
      return new Map(
        res.rows.map((r) => [
          r.appid,
          { template_id: num(r.template_id), user_version: r.user_version },
        ]),
      );
    },
    /** The mini programs running a template now, and those with it as trial or under audit. */
    async templateUsage(templateId: number) {
      const res = await db.query<{
        appid: string;
        kind: CodeStepKind;
        user_version: string | null;
        at: Date | string;
      }>(
        `SELECT * FROM (
           SELECT DISTINCT ON (appid, grp) appid, kind, template_id, user_version, at, grp FROM (
             SELECT appid, kind, template_id, user_version, at, id,
               CASE WHEN kind IN ('released', 'rolled_back') THEN 'online' ELSE 'trial' END AS grp
             FROM code_events WHERE kind IN ('released', 'rolled_back', 'committed')) e
           ORDER BY appid, grp, id DESC) latest
         WHERE template_id = $1 ORDER BY appid`,
        [templateId],
      );
      const online = res.rows.filter((r) => r.kind !== 'committed');
      const trial = res.rows.filter((r) => r.kind === 'committed');
      const view = (r: (typeof res.rows)[number]) => ({
        appid: r.appid,
        user_version: r.user_version,
        since: new Date(r.at).toISOString(),
      });
      return {
        template_id: templateId,
        released: online.map(view),
        committed: trial.map(view),
      };
    },
    /** Mini programs whose latest audit step is a submission or a delay (waiting for WeChat). */
    async auditsInFlight(): Promise<Array<{ appid: string; auditid: number | null }>> {
      const res = await db.query<{ appid: string; kind: string; auditid: string | number | null }>(
        `SELECT DISTINCT ON (appid) appid, kind, auditid FROM code_events
         WHERE kind IN ('submitted', 'audit_passed', 'audit_failed', 'audit_delayed', 'audit_withdrawn')
         ORDER BY appid, id DESC`,
      );
      return res.rows
        .filter((r) => r.kind === 'submitted' || r.kind === 'audit_delayed')
        .map((r) => ({ appid: r.appid, auditid: num(r.auditid) }));
    },
  };
}
