import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/** The OpenAPI document at /docs describes every route of the API with its schemas. */
let sb: Sandbox;
before(async () => {
  sb = await startSandbox();
});
after(() => sb.stop());

type Operation = {
  summary?: string;
  tags?: string[];
  responses?: Record<string, { content?: unknown }>;
  security?: unknown[];
};

test('every API route is documented with a summary, and JSON routes with response schemas', async () => {
  const spec = (await (await fetch(`${sb.url}/docs/json`)).json()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  const raw = [
    /^\/api\/openwx\//,
    /^\/api\/proxy\//,
    /^\/authorize\//,
    /^\/(healthz|livez|readyz)$/,
    /^\/metrics$/,
  ];
  let checked = 0;
  for (const [path, ops] of Object.entries(spec.paths)) {
    if (path.startsWith('/emulator') || path.startsWith('/docs')) continue;
    for (const [method, op] of Object.entries(ops)) {
      assert.ok(op.summary, `${method.toUpperCase()} ${path} has a summary`);
      assert.ok(op.tags?.length, `${method.toUpperCase()} ${path} has a tag`);
      if (raw.some((r) => r.test(path))) continue;
      checked++;
      const ok = Object.entries(op.responses ?? {}).find(([code]) => code.startsWith('2'));
      assert.ok(ok, `${method.toUpperCase()} ${path} documents its success answer`);
      assert.ok(path.startsWith('/api/'), `${path} is under /api`);
      // Signing in is the one API call made without a bearer token (the credentials are its body).
      if (`${method} ${path}` !== 'post /api/session')
        assert.ok(op.security?.length, `${method.toUpperCase()} ${path} says how to authenticate`);
      const errors = Object.keys(op.responses ?? {}).filter((c) => c.startsWith('4'));
      assert.ok(errors.length > 0, `${method.toUpperCase()} ${path} documents its errors`);
    }
  }
  assert.ok(checked > 20, `checked ${checked} routes`);
});
