import { operationDoc, type ResponseDoc } from './operations.ts';
import { OPERATIONS_ROUTES } from './routes/public.ts';
import { requiredRole } from '../services/operators/roles.ts';

/**
 * The last step of openwx's OpenAPI document (GET /docs/json), after @fastify/swagger wrote it
 * from the routes' schemas. It only changes the document, never how a route validates or
 * serializes:
 * - every operation gets its operationId (and a summary or tags it lacks) from operations.ts;
 * - answers every route may give get the shared Error schema: 400 for bad input, 401 where a
 *   credential is needed, 403 where an operator's role may be too low (`x-required-role` names
 *   the least role), 404 where a path parameter names something (an /api/ route), 413 where a
 *   body is taken, 503 not_ready while the database is not ready; an entry of operations.ts
 *   adds the further statuses its route answers (409, 429, 502), and an error answer a route's
 *   schema declares without words gets its status's;
 * - a schema with a `title` that names a component (`Tenant`, `Authorizer`, `Error`, …) is moved
 *   to components.schemas under that name and referred to, so generated clients get named types;
 * - the proxy's wildcard path parameter is named `path` (a `{*}` is no name a client can use).
 */
type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** A component name: a title written as a type name (a title in prose stays where it is). */
const COMPONENT_NAME = /^[A-Z][A-Za-z0-9]*$/;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with sorted keys: two schemas are the same component when these are equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export const ERROR_REF = { $ref: '#/components/schemas/Error' } as const;

const errorResponse = (description: string): ResponseDoc => ({
  description,
  content: { 'application/json': { schema: { ...ERROR_REF } } },
});

/** What each error status means in openwx (src/http/errors.ts STATUS maps error codes to them). */
const DEFAULT_ERRORS: Record<string, string> = {
  400: 'Bad input: error.code names the problem and error.field (or error.params) the input',
  401: 'No credential, or one that is unknown, revoked or expired (error.code unauthorized)',
  403: 'The credential may not do this (error.code forbidden, forbidden_role, token_access_off)',
  404: 'What the path names does not exist, or not for this caller (error.code not_found, error.params.reason)',
  409: 'The current state forbids it (error.code conflict, preflight_failed, quota_exhausted, sandbox_only, username_taken)',
  413: 'The body is larger than openwx takes (error.code payload_too_large)',
  429: 'Too many attempts: wait as Retry-After says',
  502: 'WeChat refused a call (error.code wechat_error: errcode, errmsg, endpoint), or did not answer one that changes its state (wechat_outcome_unknown)',
  503: 'openwx is starting and its database is not ready yet (error.code not_ready, Retry-After), or WeChat cannot be reached (upstream_unavailable)',
};

/** The description Fastify gives an answer its route's schema does not describe. */
const UNDESCRIBED = 'Default Response';

/** Moves titled schemas to components.schemas, innermost first; answers the (new) node. */
function hoist(node: unknown, schemas: Json, conflicts: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => hoist(n, schemas, conflicts));
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = hoist(v, schemas, conflicts);
  const title = out['title'];
  const isSchema = 'type' in out || 'properties' in out || 'items' in out;
  if (typeof title !== 'string' || !COMPONENT_NAME.test(title) || !isSchema) return out;
  const known = schemas[title];
  if (known === undefined) schemas[title] = out;
  else if (canonical(known) !== canonical(out)) {
    // Two different schemas under one name: the second stays inline, and the contract test
    // (test/integration/openapi-contract.test.ts) names it.
    conflicts.add(title);
    return out;
  }
  return { $ref: `#/components/schemas/${title}` };
}

interface Operation extends Json {
  operationId?: string;
  summary?: string;
  tags?: string[];
  parameters?: Json[];
  requestBody?: unknown;
  security?: unknown[];
  responses?: Record<string, Json>;
}

function finishOperation(method: string, path: string, op: Operation): void {
  const doc = operationDoc(method, path);
  if (doc) {
    op.operationId ??= doc.operationId;
    if (!op.summary && doc.summary) op.summary = doc.summary;
    if (!op.tags?.length && doc.tags) op.tags = doc.tags;
    if (!op.requestBody && doc.requestBody) op.requestBody = structuredClone(doc.requestBody);
  }
  const responses = (op.responses ??= {});
  for (const [status, r] of Object.entries(doc?.responses ?? {})) {
    if (!responses[status]?.['content']) responses[status] = { ...r };
  }
  // A route that declares no success answer gets none invented here: the contract test names it.
  if (responses['200']?.['description'] === 'Default Response' && !responses['200']['content'])
    delete responses['200'];
  const add = (status: string) => {
    responses[status] ??= { ...errorResponse(DEFAULT_ERRORS[status] ?? 'Error') };
  };
  if (op.parameters?.length || op.requestBody) add('400');
  if (op.security?.length) add('401');
  // A path parameter names an authorizer, a tenant, a rollout, …: one that does not exist is a
  // 404 (WeChat's pushes under /api/openwx/ answer WeChat, never an Error).
  const pathParameter = op.parameters?.some((p) => p['in'] === 'path');
  if (pathParameter && path.startsWith('/api/') && !path.startsWith('/api/openwx/')) add('404');
  // Fastify refuses a body over its limit before the handler (payload_too_large).
  if (op.requestBody) add('413');
  for (const [status, description] of Object.entries(doc?.errors ?? {})) {
    responses[status] = { ...errorResponse(description) };
  }
  if (op.security?.length && !path.startsWith('/api/tenant/')) {
    // The route as Fastify writes it ({id} → :id, the proxy's {path} → *), which roles.ts reads.
    const route = path.replace(/\{path\}$/, '*').replace(/\{([^}]+)\}/g, ':$1');
    const role = requiredRole(method, route);
    if (role !== 'viewer') {
      op['x-required-role'] = role;
      responses['403'] ??= {
        ...errorResponse(
          `An operator's console session needs the ${role} role (error.code forbidden_role, params.required)`,
        ),
      };
    }
  }
  if (!OPERATIONS_ROUTES.has(path)) add('503');
  for (const [status, r] of Object.entries(responses)) {
    if (/^[45]/.test(status) && r['description'] === UNDESCRIBED)
      r['description'] = DEFAULT_ERRORS[status] ?? 'Error';
  }
}

/** Renames the wildcard `{*}` of a path (and its parameter) to `{path}`. */
function nameWildcards(paths: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [path, item] of Object.entries(paths)) {
    if (!path.includes('{*}')) {
      out[path] = item;
      continue;
    }
    for (const m of METHODS) {
      const op = item[m] as Operation | undefined;
      for (const p of op?.parameters ?? []) {
        if (p['in'] === 'path' && p['name'] === '*') {
          p['name'] = 'path';
          p['description'] = 'The rest of the path (may hold slashes)';
        }
      }
    }
    out[path.replace('{*}', '{path}')] = item;
  }
  return out;
}

/** @fastify/swagger's transformObject for openwx's document. */
export function finishDocument<D extends object>(document: D, errorSchema: Json): D {
  const doc = document as unknown as Json;
  const paths = nameWildcards((doc['paths'] ?? {}) as Record<string, Json>);
  for (const [path, item] of Object.entries(paths)) {
    for (const m of METHODS) {
      // A route with several methods shares one operation object among them: each gets its own.
      if (!isObject(item[m])) continue;
      const op = structuredClone(item[m]) as Operation;
      finishOperation(m, path, op);
      item[m] = op;
    }
  }
  const components = (isObject(doc['components']) ? doc['components'] : {}) as Json;
  const schemas: Json = { ...(isObject(components['schemas']) ? components['schemas'] : {}) };
  const conflicts = new Set<string>();
  const hoisted = hoist(paths, schemas, conflicts) as Record<string, Json>;
  schemas['Error'] ??= errorSchema;
  return {
    ...doc,
    paths: hoisted,
    components: { ...components, schemas: sortKeys(schemas) },
  } as unknown as D;
}

const sortKeys = (o: Json): Json =>
  Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
