import type { z } from 'zod';

/** Which credential an endpoint takes in its query string. */
export type TokenKind = 'none' | 'component' | 'authorizer';

/**
 * What a call does at WeChat, which decides whether the client may send it again after its
 * answer was lost (src/wechat/retry-rules.ts):
 * - `read`: a repeat changes nothing that could happen twice. Queries, and calls that only hand
 *   out something fresh (a token, a pre_auth_code, a temporary media id), where a repeat hands
 *   out another one and the first stays valid.
 * - `write`: changes state at WeChat (commits code, submits an audit, releases, consumes a code
 *   or a monthly allowance, sends a message, sets domains...). Sent twice, it may apply twice.
 */
export type Effect = 'read' | 'write';

/** A write row whose request only reads when `field` (in the body or the query) is one of `values`. */
export interface ReadWhen {
  field: string;
  values: readonly string[];
}

interface EndpointRow<Req extends z.ZodType, Res extends z.ZodType> {
  name: string;
  path: string;
  token: TokenKind;
  /** Name of the query parameter that carries the token. */
  tokenParam?: 'component_access_token' | 'access_token';
  request: Req;
  response: Res;
  /** Errcodes documented for this endpoint, beyond the common token errors. */
  errcodes: readonly number[];
  doc: string;
  summary: string;
  /** Actions of a write that only read (modify_domain with action get). */
  readWhen?: ReadWhen;
}

/**
 * One row of the endpoint table. The same rows drive the client, the emulator, the docs and the
 * coverage test: no per-endpoint method is written by hand. A POST row says what it does at
 * WeChat (from the row's doc page); a GET row is a read unless it says otherwise (some of
 * WeChat's GET calls act: undocodeaudit, revertcoderelease, or consume a code).
 */
export type EndpointDef<
  Req extends z.ZodType = z.ZodType,
  Res extends z.ZodType = z.ZodType,
> = EndpointRow<Req, Res> &
  ({ method: 'GET'; effect?: Effect } | { method: 'POST'; effect: Effect });

export function defineEndpoints<const T extends Record<string, EndpointDef>>(rows: T): T {
  for (const [key, row] of Object.entries(rows)) {
    if (key !== row.name)
      throw new Error(`endpoint key ${key} does not match its name ${row.name}`);
    // The type asks for it already; rows assembled without the type (casts) are checked here.
    const effect: Effect | undefined = row.effect;
    if (row.method === 'POST' && effect === undefined)
      throw new Error(`endpoint ${row.name} is a POST and must say its effect (read or write)`);
  }
  return rows;
}

/**
 * What this call of `def` does at WeChat; `fields` are the request's body fields and query
 * parameters (a write's read-only actions are named there).
 */
export function effectOf(def: EndpointDef, fields: Readonly<Record<string, unknown>>): Effect {
  const effect = def.effect ?? (def.method === 'GET' ? 'read' : 'write');
  if (effect === 'write' && def.readWhen) {
    const value = fields[def.readWhen.field];
    if (typeof value === 'string' && def.readWhen.values.includes(value)) return 'read';
  }
  return effect;
}
