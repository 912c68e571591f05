import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The console sees the server as any other client does, through the OpenAPI document's generated
 * types (web/src/api-types.ts, packages/client): no file under web/src imports the server's code
 * (src/), not even its types, so a page cannot depend on what the contract does not publish.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const web = join(root, 'web/src');
const server = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? files(join(dir, e.name))
      : /\.(ts|tsx|js|jsx|mts)$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );
}

/** Every module specifier of a file: import/export … from '…', import('…'), import '…'. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const p of patterns) for (const m of source.matchAll(p)) if (m[1]) out.push(m[1]);
  return out;
}

test('the specifiers of a file are found, type-only and dynamic imports too', () => {
  const source = [
    "import type { A } from '../../../../src/a.ts';",
    "import {\n  B,\n  C,\n} from './b.ts';",
    "export { D } from '../d.ts';",
    "import './e.css';",
    "const f = await import('../f.ts');",
  ].join('\n');
  assert.deepEqual(specifiers(source).sort(), [
    '../../../../src/a.ts',
    '../d.ts',
    '../f.ts',
    './b.ts',
    './e.css',
  ]);
});

test("no file under web/src imports the server's code (src/)", () => {
  const found: string[] = [];
  for (const file of files(web)) {
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (target === server || target.startsWith(`${server}/`))
        found.push(`${relative(root, file)}: ${spec}`);
    }
  }
  assert.deepEqual(
    found,
    [],
    'take the types from web/src/api-types.ts (the generated OpenAPI types) instead',
  );
});
