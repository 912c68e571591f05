import type { FastifyInstance } from 'fastify';
import { sleep } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import type { EndpointDef } from '../wechat/endpoint.ts';
import { endpointList } from '../wechat/endpoints/index.ts';
import type { EmulatorContext } from './context.ts';
import { takeFault } from './faults.ts';
import { handlers } from './handlers/index.ts';
import {
  BINARY,
  type ApiHandler,
  type BinaryOutput,
  type Caller,
  type HandlerOutput,
} from './handlers/types.ts';
import { consumeQuota } from './quota.ts';
import { takeRateToken } from './rate-limit.ts';
import { countAppCall } from './stats.ts';
import { checkTokenRecord, findToken, type TokenOwner } from './tokens.ts';
import { errorBody, WxApiError } from './wx-error.ts';

/**
 * The WeChat API side: one route per (method, path) of the endpoint table. Check order:
 * fault injection → bad JSON / required params (47001, or a field's own code) → token (41001,
 * 40001, 42001, 61003) → call rate (45011, calls with a token) → daily quota (45009) → the
 * endpoint's business checks. A call refused at any step has no effect.
 * Reference: ../shared/wechat/01 §8, §9.
 */
type LooseHandler = ApiHandler<Record<string, unknown>>;
type Query = Record<string, string | undefined>;

/**
 * The handler of an endpoint. The table is typed per endpoint; the router passes each handler
 * the body that its own row's request schema produced, so the loose view is sound.
 */
export function findHandler(name: string): LooseHandler | undefined {
  return (handlers as Record<string, LooseHandler | undefined>)[name];
}

interface RouteGroup {
  method: EndpointDef['method'];
  path: string;
  rows: EndpointDef[];
}

/** Rows sharing a method and path (e.g. clear_quota with a component or an authorizer token). */
export function routeGroups(rows: readonly EndpointDef[] = endpointList): RouteGroup[] {
  const byKey = new Map<string, RouteGroup>();
  for (const row of rows) {
    const key = `${row.method} ${row.path}`;
    const group = byKey.get(key) ?? { method: row.method, path: row.path, rows: [] };
    group.rows.push(row);
    byKey.set(key, group);
  }
  return [...byKey.values()];
}

function chooseRow(rows: readonly EndpointDef[], owner: TokenOwner | undefined): EndpointDef {
  const first = rows[0];
  if (!first) throw new Error('empty route group');
  if (rows.length === 1 || !owner) return first;
  return rows.find((r) => r.token === owner.kind) ?? first;
}

function parseBody(
  row: EndpointDef,
  handler: LooseHandler | undefined,
  raw: string | undefined,
  query: Query,
): Record<string, unknown> {
  let input: unknown;
  if (row.method === 'GET') {
    // A row without a token may take `access_token` as a request field (a user's OAuth token).
    const isToken = (k: string) =>
      row.token !== 'none' && (k === 'access_token' || k === 'component_access_token');
    input = Object.fromEntries(Object.entries(query).filter(([k]) => !isToken(k)));
  } else if (handler?.rawBody || raw === undefined || raw.trim() === '') {
    input = {};
  } else {
    try {
      input = JSON.parse(raw);
    } catch {
      throw new WxApiError(47001);
    }
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new WxApiError(47001);
  }
  const fields = input as Record<string, unknown>;
  for (const [field, errcode] of Object.entries(handler?.missing ?? {})) {
    const v = fields[field];
    if (v === undefined || v === null || v === '') throw new WxApiError(errcode);
  }
  const parsed = row.request.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WxApiError(47001, issue ? `${issue.path.join('.')}: ${issue.message}` : undefined);
  }
  return parsed.data as Record<string, unknown>;
}

function checkCaller(
  ctx: EmulatorContext,
  row: EndpointDef,
  token: string | undefined,
  owner: TokenOwner | undefined,
): Caller {
  if (row.token === 'none') return { kind: 'none' };
  if (token === undefined || token === '') throw new WxApiError(41001);
  if (!owner || owner.kind !== row.token) throw new WxApiError(40001);
  checkTokenRecord(ctx, owner.record);
  if (owner.kind === 'component') return { kind: 'component' };
  const auth = ctx.state.authorizations.get(owner.appid);
  if (!auth || auth.status !== 'authorized') throw new WxApiError(61003);
  return { kind: 'authorizer', appid: owner.appid };
}

/** Runs one API call and returns WeChat's JSON answer (errors included, HTTP 200 either way). */
export async function callApi(
  ctx: EmulatorContext,
  group: RouteGroup,
  query: Query,
  raw: string | undefined,
): Promise<HandlerOutput> {
  const calls = ctx.state.calls;
  calls.set(group.path, (calls.get(group.path) ?? 0) + 1);
  const rid = ctx.ids.rid();
  try {
    const token = query['component_access_token'] ?? query['access_token'];
    const owner = token ? findToken(ctx, token) : undefined;
    const row = chooseRow(group.rows, owner);
    const fault = takeFault(ctx.state, [row.name, row.path]);
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (fault?.errcode !== undefined) throw new WxApiError(fault.errcode);
    const handler = findHandler(row.name);
    const body = parseBody(row, handler, raw, query);
    const caller = checkCaller(ctx, row, token, owner);
    if (!handler) throw new WxApiError(48001, `${row.name} is not emulated`);
    if (caller.kind !== 'none') takeRateToken(ctx);
    if (!handler.noQuota) {
      const quotaOwner = caller.kind === 'authorizer' ? caller.appid : ctx.state.component.appid;
      consumeQuota(ctx, quotaOwner, row.path);
    }
    const out = await handler.handle({
      ctx,
      body,
      caller,
      query,
      ...(raw === undefined ? {} : { raw }),
    });
    if (caller.kind === 'authorizer') countAppCall(ctx, caller.appid, group.path, out);
    return out;
  } catch (err) {
    if (err instanceof WxApiError) {
      return { ...errorBody(err.errcode, rid, err.message), ...err.fields };
    }
    ctx.log('emulator: API handler failed', { path: group.path, error: errorMessage(err) });
    return errorBody(-1, rid);
  }
}

export function registerApiRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  for (const group of routeGroups()) {
    app.route({
      method: group.method,
      url: group.path,
      handler: async (req, reply) => {
        const raw = typeof req.body === 'string' ? req.body : undefined;
        const out = await callApi(ctx, group, req.query as Query, raw);
        const file = out[BINARY] as BinaryOutput | undefined;
        if (file) {
          reply.code(200).header('content-type', file.contentType);
          if (file.filename) {
            reply.header('content-disposition', `attachment; filename="${file.filename}"`);
          }
          return reply.send(file.bytes);
        }
        return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(out);
      },
    });
  }
}
