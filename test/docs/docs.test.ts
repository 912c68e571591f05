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

test('README documents every setting that the configuration reads', () => {
  const root = join(import.meta.dirname, '..', '..');
  const source = readFileSync(join(root, 'src', 'config', 'config.ts'), 'utf8');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const settings = new Set(source.match(/'(OPENWX_[A-Z_]+[A-Z]|DATABASE_URL)'/g) ?? []);
  assert.ok(settings.size > 20, 'the settings are found in src/config/config.ts');
  for (const quoted of settings) {
    const name = quoted.slice(1, -1);
    assert.ok(readme.includes(`\`${name}\``), `README.md names ${name}`);
  }
});
