import type { Clock } from '../../core/clock.ts';
import { REDACTED, redact } from '../../core/redact.ts';
import type { Db } from '../../store/db.ts';
import {
  createAuditLogQueries,
  type AuditFilter,
  type AuditRow,
} from '../../store/queries/audit-log.ts';

/**
 * Who made a change: the admin token (kind `admin_token`, id null) or an operator account signed
 * in to the console (kind `operator`, the operator's id; the list shows its username).
 */
export interface Actor {
  kind: 'admin_token' | (string & {});
  id: string | null;
}

/** One change made through the admin API, as the HTTP layer saw it. */
export interface AuditEntry {
  actor: Actor;
  ip: string;
  method: string;
  route: string;
  params: Record<string, string>;
  status: number;
  requestId: string;
  body: unknown;
  before?: unknown;
  after?: unknown;
}

/** The largest summary of a body or value kept, in characters of JSON. */
export const AUDIT_VALUE_CAP = 4096;

/** Names holding secrets beyond those core/redact knows: keys, passwords, private material. */
const MORE_SECRETS = /(^|_|-)key$|api_?key|private|passw|credential|^key$/i;

function redactMore(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (Array.isArray(value)) return value.map((v) => redactMore(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = MORE_SECRETS.test(k) && v !== null && v !== '' ? REDACTED : redactMore(v, depth + 1);
    return out;
  }
  return value;
}

/**
 * A value fit for the trail: secrets redacted by name, capped at AUDIT_VALUE_CAP characters of
 * JSON (a longer one keeps its beginning, marked truncated). A raw (non-JSON) body is described,
 * not stored.
 */
export function summarize(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Buffer.isBuffer(value))
    return { not_json: true, type: Buffer.isBuffer(value) ? 'binary' : typeof value };
  const clean = redactMore(redact(value));
  const text = JSON.stringify(clean);
  if (text.length <= AUDIT_VALUE_CAP) return clean;
  return { truncated: true, chars: text.length, preview: text.slice(0, AUDIT_VALUE_CAP) };
}

/**
 * Routes whose bodies carry personal data of third parties (an ICP filing's names, ID and phone
 * numbers of the subject and the person in charge; a verification's contact, invoice and bank
 * details): the trail keeps which fields were sent, not their values.
 */
const PERSONAL_DATA_ROUTES: readonly RegExp[] = [
  /^\/api\/admin\/authorizers\/:appid\/icp(\/|$)/,
  /^\/api\/admin\/authorizers\/:appid\/verification(\/|$)/,
];

function personalDataOmitted(body: unknown): unknown {
  if (body === undefined || body === null) return null;
  if (typeof body !== 'object' || Buffer.isBuffer(body) || Array.isArray(body))
    return summarize(body);
  return { personal_data_omitted: true, fields: Object.keys(body).slice(0, 50) };
}

export interface AuditTrailDeps {
  db: Db;
  clock: Clock;
}

export function createAuditTrail(deps: AuditTrailDeps) {
  const q = createAuditLogQueries(deps.db);
  return {
    /** Appends one entry; bodies and values are redacted and capped here. */
    async record(e: AuditEntry): Promise<number> {
      return q.insert({
        at: new Date(deps.clock.now()),
        actorKind: e.actor.kind,
        actorId: e.actor.id,
        ip: e.ip,
        method: e.method,
        route: e.route,
        params: e.params,
        appid: e.params['appid'] ?? null,
        status: e.status,
        requestId: e.requestId,
        body: PERSONAL_DATA_ROUTES.some((re) => re.test(e.route))
          ? personalDataOmitted(e.body)
          : summarize(e.body),
        before: e.before === undefined ? null : summarize(e.before),
        after: e.after === undefined ? null : summarize(e.after),
      });
    },

    /** A page, newest first, with the cursor of the next page (or null). */
    async page(f: AuditFilter): Promise<{ items: ReturnType<typeof view>[]; next: number | null }> {
      const rows = await q.list({ ...f, limit: f.limit + 1 });
      const page = rows.slice(0, f.limit);
      return {
        items: page.map(view),
        next: rows.length > f.limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },
  };
}

function view(r: AuditRow) {
  return {
    id: r.id,
    at: r.at.toISOString(),
    actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name },
    ip: r.ip,
    method: r.method,
    route: r.route,
    params: r.params,
    appid: r.appid,
    status: r.status,
    requestId: r.request_id,
    body: r.body,
    before: r.before,
    after: r.after,
  };
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
