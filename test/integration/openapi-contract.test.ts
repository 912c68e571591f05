import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { documentedOperations } from '../../src/http/operations.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * openwx's OpenAPI document is the integration contract that clients are generated from
 * (packages/client, OpenAPI Generator): valid OpenAPI 3.1, a unique operationId and a success
 * answer for every operation, named component schemas, and the emulator documented apart.
 * A route added without an entry in src/http/operations.ts fails here, named.
 */
type Operation = {
  operationId?: string;
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
};

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

let sb: Sandbox;
let doc: Document;
before(async () => {
  sb = await startSandbox();
  doc = (await (await fetch(`${sb.url}/docs/json`)).json()) as Document;
});
after(() => sb.stop());

function operations(d: Document): [string, Operation][] {
  return Object.entries(d.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.has(m))
      .map(([m, op]): [string, Operation] => [`${m.toUpperCase()} ${path}`, op]),
  );
}

test('the document is valid OpenAPI 3.1', async () => {
  assert.match(doc.openapi, /^3\.1\./);
  const res = await new Validator().validate(structuredClone(doc) as never);
  assert.ok(res.valid, `not valid OpenAPI 3.1: ${JSON.stringify(res.errors, null, 1)}`);
});

test('every operation has an operationId, and no two the same', () => {
  const ops = operations(doc);
  assert.ok(ops.length > 100, `${ops.length} operations`);
  const missing = ops.filter(([, op]) => !op.operationId).map(([key]) => key);
  assert.deepEqual(
    missing,
    [],
    'routes without an operationId (add them to src/http/operations.ts)',
  );
  const seen = new Map<string, string>();
  const twice: string[] = [];
  for (const [key, op] of ops) {
    const id = op.operationId as string;
    if (seen.has(id)) twice.push(`${id}: ${seen.get(id)} and ${key}`);
    seen.set(id, key);
  }
  assert.deepEqual(twice, [], 'operationIds used twice');
  for (const id of seen.keys()) assert.match(id, /^[a-z][A-Za-z0-9]*$/, `${id} is camelCase`);
});

test('every operation documents its success answer with a schema (204: no body)', () => {
  const lacking = operations(doc)
    .filter(([, op]) => {
      const ok = Object.entries(op.responses ?? {}).filter(([c]) => /^[23]/.test(c));
      if (ok.some(([c]) => c === '204')) return false;
      return !ok.some(([, r]) => Object.values(r.content ?? {}).some((m) => m.schema));
    })
    .map(([key]) => key);
  assert.deepEqual(lacking, [], 'operations without a success response schema');
});

test('every entry of the operations table names a route of the document', () => {
  const keys = new Set(operations(doc).map(([key]) => key));
  const stale = documentedOperations().filter((k) => !keys.has(k));
  assert.deepEqual(stale, [], 'entries of src/http/operations.ts that match no route');
});

test('resources and errors are named component schemas', () => {
  const schemas = doc.components?.schemas ?? {};
  for (const name of ['Error', 'Tenant', 'Authorizer', 'Rollout', 'Template', 'Webhook'])
    assert.ok(schemas[name], `components.schemas.${name}`);
  const op = doc.paths['/api/admin/tenants/{id}']?.['get'];
  assert.deepEqual(op?.responses?.['200']?.content?.['application/json']?.schema, {
    $ref: '#/components/schemas/Tenant',
  });
  // Every JSON error answer of the API is the Error schema (the probes answer their own).
  for (const [key, o] of operations(doc)) {
    if (!key.split(' ')[1]?.startsWith('/api/')) continue;
    for (const [code, r] of Object.entries(o.responses ?? {})) {
      if (!/^[45]/.test(code) || !r.content?.['application/json']) continue;
      assert.deepEqual(
        r.content['application/json'].schema,
        { $ref: '#/components/schemas/Error' },
        `${key} ${code}`,
      );
    }
  }
  // A schema titled like a component that stayed inline differs from the component of that name.
  const inline: string[] = [];
  const walk = (v: unknown, at: string) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${at}/${i}`));
    if (typeof v !== 'object' || v === null) return;
    const t = (v as { title?: unknown }).title;
    if (typeof t === 'string' && /^[A-Z][A-Za-z0-9]*$/.test(t)) inline.push(`${t} at ${at}`);
    for (const [k, x] of Object.entries(v)) walk(x, `${at}/${k}`);
  };
  walk(doc.paths, '');
  assert.deepEqual(inline, [], 'two different schemas claim one component name');
});

/**
 * Success answers that are WeChat's own, passed on as they are: openwx has no schema of their
 * fields to keep, so they stay open objects (every other /api/ answer lists its properties).
 */
const PASS_THROUGH: Record<string, string> = {
  'GET /api/proxy/component/{path}': "the proxy: WeChat's answer to any component API",
  'POST /api/proxy/component/{path}': "the proxy: WeChat's answer to any component API",
  'GET /api/proxy/{appid}/{path}': "the proxy: WeChat's answer to any authorizer API",
  'POST /api/proxy/{appid}/{path}': "the proxy: WeChat's answer to any authorizer API",
  'GET /api/admin/authorizers/{appid}/categories': "getcategory's answer",
  'POST /api/admin/authorizers/{appid}/categories': "getcategory's answer after addcategory",
  'DELETE /api/admin/authorizers/{appid}/categories': "getcategory's answer after deletecategory",
  'GET /api/admin/authorizers/{appid}/categories/available': "getallcategories' answer",
  'GET /api/admin/authorizers/{appid}/privacy': "getprivacysetting's answer",
  'PUT /api/admin/authorizers/{appid}/privacy': "getprivacysetting's answer after the change",
  'PUT /api/admin/authorizers/{appid}/basic-info': "getaccountbasicinfo's answer after the change",
};

test('no /api/ operation answers a loose success schema, but the documented pass-throughs', () => {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, Record<string, unknown>>;
  const deref = (s: unknown): Record<string, unknown> => {
    const o = (s ?? {}) as Record<string, unknown>;
    const ref = o['$ref'];
    return typeof ref === 'string' ? (schemas[ref.split('/').pop() ?? ''] ?? {}) : o;
  };
  // {}, an object with no properties, or additionalProperties: true with no properties.
  const loose = (s: Record<string, unknown>): boolean => {
    if (['anyOf', 'oneOf', 'allOf', 'items', 'properties'].some((k) => k in s)) return false;
    const types = [s['type']].flat();
    const open = s['additionalProperties'] === undefined || s['additionalProperties'] === true;
    return s['type'] === undefined || (types.includes('object') && open);
  };
  const found: string[] = [];
  for (const [key, op] of operations(doc)) {
    if (!key.split(' ')[1]?.startsWith('/api/')) continue;
    for (const [code, r] of Object.entries(op.responses ?? {})) {
      const schema = r.content?.['application/json']?.schema;
      if (/^2/.test(code) && schema !== undefined && loose(deref(schema))) found.push(key);
    }
  }
  assert.deepEqual(
    found.filter((k) => !(k in PASS_THROUGH)),
    [],
    'operations answering an open object: write the schema of their answer',
  );
  assert.deepEqual(
    Object.keys(PASS_THROUGH).filter((k) => !found.includes(k)),
    [],
    'pass-throughs listed here that have a schema now (or no longer exist): drop them',
  );
});

test('error statuses: 404 with a path parameter, 413 with a body, the ones a route declares', () => {
  const responses = (method: string, path: string) =>
    Object.keys(doc.paths[path]?.[method]?.responses ?? {});
  const lacking: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/') || path.startsWith('/api/openwx/')) continue;
    for (const [m, op] of Object.entries(item)) {
      if (!METHODS.has(m)) continue;
      const o = op as Operation & { parameters?: { in: string }[]; requestBody?: unknown };
      const codes = Object.keys(o.responses ?? {});
      if (o.parameters?.some((p) => p.in === 'path') && !codes.includes('404'))
        lacking.push(`${m.toUpperCase()} ${path} 404`);
      if (o.requestBody && !codes.includes('413')) lacking.push(`${m.toUpperCase()} ${path} 413`);
      for (const [code, r] of Object.entries(o.responses ?? {}))
        if (
          (r as { description?: string }).description === 'Default Response' &&
          /^[45]/.test(code)
        )
          lacking.push(`${m.toUpperCase()} ${path} ${code}: no description`);
    }
  }
  assert.deepEqual(lacking, [], 'error answers missing');
  const submit = responses('post', '/api/admin/authorizers/{appid}/code/submit');
  for (const code of ['404', '409', '502'])
    assert.ok(submit.includes(code), `submit audit ${code}`);
  assert.ok(responses('post', '/api/admin/rollouts').includes('409'), 'create rollout 409');
  assert.ok(responses('get', '/api/admin/authorizers/{appid}').includes('404'), 'authorizer 404');
  assert.ok(responses('get', '/api/tokens/authorizers/{appid}').includes('502'), 'token 502');
  assert.ok(responses('post', '/api/proxy/{appid}/{path}').includes('502'), 'proxy 502');
  assert.ok(responses('post', '/api/session').includes('429'), 'sign-in 429');
  const conflict = doc.paths['/api/admin/rollouts']?.['post']?.responses?.['409'] as
    { description?: string } | undefined;
  assert.match(conflict?.description ?? '', /quota_exhausted/);
});

test("a route an operator's role may not call documents 403 and the role it needs", () => {
  const op = (method: string, path: string) =>
    doc.paths[path]?.[method] as (Operation & { 'x-required-role'?: string }) | undefined;
  const createOperator = op('post', '/api/admin/operators');
  assert.equal(createOperator?.['x-required-role'], 'admin');
  assert.ok(createOperator?.responses?.['403'], 'POST /api/admin/operators documents 403');
  assert.equal(op('post', '/api/admin/rollouts')?.['x-required-role'], 'operator');
  // Any role may read, and a tenant key is never refused for its role.
  assert.equal(op('get', '/api/admin/tenants')?.responses?.['403'], undefined);
  assert.equal(op('get', '/api/tenant/authorizers')?.['x-required-role'], undefined);
});

test('the proxy documents its wildcard as a named path parameter', () => {
  const op = doc.paths['/api/proxy/{appid}/{path}']?.['post'] as
    { parameters?: { name: string; in: string }[] } | undefined;
  assert.ok(op, 'POST /api/proxy/{appid}/{path}');
  assert.deepEqual(
    op.parameters
      ?.filter((p) => p.in === 'path')
      .map((p) => p.name)
      .sort(),
    ['appid', 'path'],
  );
});

test("the emulator's routes are documented apart, at /emulator/docs", async () => {
  const own = Object.keys(doc.paths).filter((p) => p.startsWith('/emulator'));
  assert.deepEqual(own, [], "openwx's document has no emulator route");
  const res = await fetch(`${sb.url}/emulator/docs/json`);
  assert.equal(res.status, 200);
  const emu = (await res.json()) as Document & { info: { title: string } };
  assert.match(emu.info.title, /emulator/i);
  const paths = Object.keys(emu.paths);
  assert.ok(paths.includes('/emulator/cgi-bin/component/api_component_token'), paths.join(' '));
  assert.ok(
    paths.every((p) => p.startsWith('/emulator/')),
    'only emulator routes',
  );
  const valid = await new Validator().validate(structuredClone(emu) as never);
  assert.ok(valid.valid, JSON.stringify(valid.errors));
  const page = await fetch(`${sb.url}/emulator/docs`, { redirect: 'follow' });
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
});
