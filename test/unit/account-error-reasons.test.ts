import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PASSWORD_REJECTED_REASONS } from '../../src/services/operators/password.ts';
import { AUTO_REPLY_RULE_REASONS } from '../../src/services/auto-replies.ts';
import { ADDRESS_REASONS } from '../../src/services/webhook/target.ts';
import { attentionErrcode } from '../../src/tokens/token-service.ts';
import { errorMessages } from '../../web/src/error-messages.ts';

/**
 * Every domain error of the accounts side (operators, webhooks, templates, tenants, users,
 * auto-replies, the sandbox, statistics, tokens, sealed values) names a stable `params.reason`,
 * and each `<code>_<reason>` has words in the console's Chinese and English catalogues, so that
 * the console never shows the server's English sentence.
 */
const ROOT = join(import.meta.dirname, '../..');
const COVERED = [
  'src/services/operators',
  'src/services/webhook',
  'src/services/templates.ts',
  'src/services/tenants.ts',
  'src/services/users.ts',
  'src/services/auto-replies.ts',
  'src/services/sandbox',
  'src/services/stats',
  'src/tokens',
  'src/crypto/seal.ts',
];

/** Reasons computed at run time: the expression after `reason:` and the values it can take. */
const DYNAMIC: Record<string, readonly string[]> = {
  'problem.reason': PASSWORD_REJECTED_REASONS,
  'ruleReason(issue)': AUTO_REPLY_RULE_REASONS,
  "ADDRESS_REASONS[kind] ?? 'address_refused'": [
    ...Object.values(ADDRESS_REASONS),
    'address_refused',
  ],
};

function filesOf(path: string): string[] {
  const abs = join(ROOT, path);
  if (!statSync(abs).isDirectory()) return [abs];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(abs, f));
}

/** The text from `open` (just after a `(`) to its matching `)`, skipping quoted text. */
function argumentsAt(src: string, open: number): string {
  let depth = 1;
  let i = open;
  while (i < src.length && depth > 0) {
    const c = src[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      i += 1;
      while (i < src.length && src[i] !== c) i += src[i] === '\\' ? 2 : 1;
    } else if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') depth -= 1;
    i += 1;
  }
  return src.slice(open, i - 1);
}

/** The expression after each `reason:` up to the next `,` or closing bracket at its level. */
function reasonExpressions(args: string): string[] {
  const out: string[] = [];
  for (const m of args.matchAll(/\breason:\s*/g)) {
    let depth = 0;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < args.length; i += 1) {
      const c = args[i] as string;
      if (c === "'" || c === '"') {
        i += 1;
        while (i < args.length && args[i] !== c) i += 1;
      } else if (c === '(' || c === '[' || c === '{') depth += 1;
      else if (c === ')' || c === ']' || c === '}') {
        if (depth === 0) break;
        depth -= 1;
      } else if (c === ',' && depth === 0) break;
    }
    out.push(args.slice(start, i).replace(/\s+/g, ' ').trim());
  }
  return out;
}

interface Thrown {
  where: string;
  code: string;
  reasons: string[];
}

function thrownErrors(): Thrown[] {
  const out: Thrown[] = [];
  for (const file of COVERED.flatMap(filesOf)) {
    const src = readFileSync(file, 'utf8');
    const calls = [...src.matchAll(/new AppError\(/g)].map((m) => m.index + m[0].length);
    // A subclass of AppError passes its code and details to super(...).
    if (/extends AppError\b/.test(src))
      calls.push(...[...src.matchAll(/\bsuper\(/g)].map((m) => m.index + m[0].length));
    for (const at of calls) {
      const args = argumentsAt(src, at);
      const where = `${relative(ROOT, file)}:${src.slice(0, at).split('\n').length}`;
      const code = /^\s*'([a-z_]+)'/.exec(args)?.[1];
      assert.ok(code, `${where}: the code is a string literal`);
      const reasons = reasonExpressions(args).flatMap((expr) => {
        const dynamic = DYNAMIC[expr];
        if (dynamic) return [...dynamic];
        // The literals a reason can take (not those it is compared with in a condition).
        const literals = [...expr.matchAll(/(?<![=!]==\s*)'([a-z0-9_]+)'/g)].map(
          (l) => l[1] as string,
        );
        assert.ok(literals.length > 0, `${where}: reason ${expr} is neither a literal nor listed`);
        return literals;
      });
      out.push({ where, code, reasons });
    }
  }
  return out;
}

test('every AppError of the accounts side names a reason', () => {
  const thrown = thrownErrors();
  assert.ok(thrown.length > 40, `found ${thrown.length} errors`);
  const bare = thrown.filter((t) => t.reasons.length === 0).map((t) => t.where);
  assert.deepEqual(bare, [], 'errors without params.reason');
});

test('every reason of the accounts side has Chinese and English words', () => {
  const missing: string[] = [];
  for (const { where, code, reasons } of thrownErrors()) {
    for (const reason of reasons) {
      const key = `${code}_${reason}`;
      if (!Object.hasOwn(errorMessages.zh, key)) missing.push(`${where}: zh ${key}`);
      if (!Object.hasOwn(errorMessages.en, key)) missing.push(`${where}: en ${key}`);
    }
  }
  assert.deepEqual(missing, []);
  // Chinese words are Chinese: no English sentence left untranslated.
  const zh = errorMessages.zh as Record<string, string>;
  for (const { code, reasons } of thrownErrors())
    for (const reason of reasons)
      assert.match(zh[`${code}_${reason}`] ?? '', /\p{Script=Han}/u, `${code}_${reason}`);
});

test("the errcode at the head of an authorizer's attention reason is given as a param", () => {
  assert.deepEqual(attentionErrcode('61003 component is not authorized by this account'), {
    errcode: 61003,
  });
  assert.deepEqual(attentionErrcode('61023 refresh_token is invalid'), { errcode: 61023 });
  assert.deepEqual(attentionErrcode('its refreshes failed'), {});
  assert.deepEqual(attentionErrcode(null), {});
});
