import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERRCODES } from '../../src/wechat/errcodes.ts';

test('docs/errcodes.md lists every errcode openwx knows, with its category', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'errcodes.md'), 'utf8');
  for (const [code, row] of Object.entries(ERRCODES)) {
    assert.match(
      doc,
      new RegExp(`^\\| ${code}\\s+\\| ${row.category}\\s+\\|`, 'm'),
      `errcode ${code}`,
    );
  }
});

test('docs/endpoints.md is the endpoint table', async () => {
  const { endpointsMarkdown } = await import('../../src/wechat/endpoint-docs.ts');
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'endpoints.md'), 'utf8');
  assert.equal(doc, endpointsMarkdown(), 'regenerate docs/endpoints.md from endpointsMarkdown()');
});
