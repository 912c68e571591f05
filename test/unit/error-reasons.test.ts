import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { errorMessages } from '../../web/src/error-messages.ts';

/**
 * Every domain error the API throws carries a stable `params.reason`, and the console's catalogue
 * (web/src/error-messages.ts, zh and en) words each `<code>_<reason>`: otherwise a Chinese operator
 * reads the server's English. The scan reads the TypeScript of the covered paths:
 *
 * - each `new AppError(...)` must give a `reason` property in its arguments (a literal, or a
 *   parameter of the helper that builds it: `bad(field, message, { reason, ...params })`);
 * - each literal reason, where the AppError is built or where such a helper is called, needs
 *   `<code>_<reason>` in both catalogues, or a general `<code>` entry that takes params.
 */
/** All of src/ (the emulator answers WeChat's errcodes, never an AppError). */
const COVERED: readonly string[] = ['src'];

const ROOT = join(import.meta.dirname, '..', '..');

function tsFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (statSync(full).isFile()) return [full];
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(full, f));
}

/** The string literals an expression can evaluate to: `'a'`, `x ? 'a' : 'b'`, `y ?? 'c'`. */
function literals(e: ts.Node | undefined): string[] {
  if (!e) return [];
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
  if (ts.isConditionalExpression(e)) return [...literals(e.whenTrue), ...literals(e.whenFalse)];
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e))
    return literals(e.expression);
  if (
    ts.isBinaryExpression(e) &&
    (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
      e.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  )
    return [...literals(e.left), ...literals(e.right)];
  return [];
}

function descendants(node: ts.Node, visit: (n: ts.Node) => void): void {
  node.forEachChild((c) => {
    visit(c);
    descendants(c, visit);
  });
}

/** The `reason` properties (`reason: x`, `reason`) written in these nodes. */
function reasonProps(
  nodes: readonly ts.Node[],
): Array<ts.PropertyAssignment | ts.ShorthandPropertyAssignment> {
  const out: Array<ts.PropertyAssignment | ts.ShorthandPropertyAssignment> = [];
  for (const n of nodes) {
    const check = (c: ts.Node) => {
      if (
        (ts.isPropertyAssignment(c) || ts.isShorthandPropertyAssignment(c)) &&
        ts.isIdentifier(c.name) &&
        c.name.text === 'reason'
      )
        out.push(c);
    };
    check(n);
    descendants(n, check);
  }
  return out;
}

type Fn = ts.FunctionLikeDeclaration;
const isFn = (n: ts.Node): n is Fn =>
  ts.isFunctionDeclaration(n) ||
  ts.isArrowFunction(n) ||
  ts.isFunctionExpression(n) ||
  ts.isMethodDeclaration(n);

function enclosingFn(n: ts.Node): Fn | undefined {
  for (let p = n.parent; p; p = p.parent) if (isFn(p)) return p;
  return undefined;
}

function fnName(f: Fn): string | undefined {
  if (
    (ts.isFunctionDeclaration(f) || ts.isMethodDeclaration(f)) &&
    f.name &&
    ts.isIdentifier(f.name)
  )
    return f.name.text;
  if (f.parent && ts.isVariableDeclaration(f.parent) && ts.isIdentifier(f.parent.name))
    return f.parent.name.text;
  return undefined;
}

/** Where a parameter named `name` sits: itself (`reason: string`) or in an object (`{ reason, ...p }`). */
function paramOf(f: Fn, name: string): { index: number; inObject: boolean } | undefined {
  for (const [index, p] of f.parameters.entries()) {
    if (ts.isIdentifier(p.name) && p.name.text === name) return { index, inObject: false };
    if (
      ts.isObjectBindingPattern(p.name) &&
      p.name.elements.some((e) => ts.isIdentifier(e.name) && e.name.text === name)
    )
      return { index, inObject: true };
  }
  return undefined;
}

/** A function that builds an AppError from its parameters: which give the code and the reason. */
interface Helper {
  codes: string[] | { index: number };
  reason: { index: number; inObject: boolean };
}

export interface Found {
  /** `file:line` of AppErrors that give no reason. */
  missing: string[];
  /** Each literal reason with the code(s) it goes with. */
  reasons: Array<{ codes: string[]; reason: string; at: string }>;
  /** How many AppErrors were read. */
  errors: number;
}

const isAppError = (n: ts.Node): n is ts.NewExpression =>
  ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'AppError';

function parse(name: string, text: string): ts.SourceFile {
  return ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/** The helpers that build AppErrors from their parameters, by `file#name`, in these sources. */
function helpersIn(sources: readonly ts.SourceFile[]): Map<string, Helper[]> {
  const helpers = new Map<string, Helper[]>();
  for (const sf of sources) {
    descendants(sf, (n) => {
      if (!isAppError(n)) return;
      const f = enclosingFn(n);
      const name = f && fnName(f);
      if (!f || !name) return;
      const prop = reasonProps(n.arguments ?? []).find((p) =>
        ts.isShorthandPropertyAssignment(p) ? true : ts.isIdentifier(p.initializer),
      );
      const reasonName = prop
        ? ts.isShorthandPropertyAssignment(prop)
          ? prop.name.text
          : (prop.initializer as ts.Identifier).text
        : undefined;
      const reason = reasonName ? paramOf(f, reasonName) : undefined;
      if (!reason) return;
      const first = n.arguments?.[0];
      const codeParam = first && ts.isIdentifier(first) ? paramOf(f, first.text) : undefined;
      const codes = codeParam ? { index: codeParam.index } : literals(first);
      const key = `${sf.fileName}#${name}`;
      helpers.set(key, [...(helpers.get(key) ?? []), { codes, reason }]);
    });
  }
  return helpers;
}

/** Where each name a file calls is defined: the file itself, or the file it is imported from. */
function definitions(sf: ts.SourceFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of sf.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier)) continue;
    const from = s.moduleSpecifier.text;
    const named = s.importClause?.namedBindings;
    if (!from.startsWith('.') || !named || !ts.isNamedImports(named)) continue;
    const file = join(dirname(sf.fileName), from);
    for (const e of named.elements)
      out.set(e.name.text, `${file}#${(e.propertyName ?? e.name).text}`);
  }
  return out;
}

/** Reads the AppErrors of `covered` (helpers may come from any of `all`). */
export function scan(covered: readonly ts.SourceFile[], all: readonly ts.SourceFile[]): Found {
  const helpers = helpersIn(all);
  const found: Found = { missing: [], reasons: [], errors: 0 };
  for (const sf of covered) {
    const imported = definitions(sf);
    const helperOf = (name: string) =>
      helpers.get(`${sf.fileName}#${name}`) ?? helpers.get(imported.get(name) ?? '') ?? [];
    const at = (n: ts.Node) =>
      `${relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    descendants(sf, (n) => {
      if (isAppError(n)) {
        found.errors++;
        const props = reasonProps(n.arguments ?? []);
        if (props.length === 0) found.missing.push(at(n));
        const codes = literals(n.arguments?.[0]);
        for (const p of props) {
          if (ts.isPropertyAssignment(p))
            for (const reason of literals(p.initializer))
              found.reasons.push({ codes, reason, at: at(p) });
        }
        return;
      }
      if (!ts.isCallExpression(n) || !ts.isIdentifier(n.expression)) return;
      for (const h of helperOf(n.expression.text)) {
        const codes = Array.isArray(h.codes) ? h.codes : literals(n.arguments[h.codes.index]);
        const arg = n.arguments[h.reason.index];
        const given = !h.reason.inObject
          ? literals(arg)
          : arg && ts.isObjectLiteralExpression(arg)
            ? reasonProps(arg.properties).flatMap((p) =>
                ts.isPropertyAssignment(p) ? literals(p.initializer) : [],
              )
            : [];
        for (const reason of given) found.reasons.push({ codes, reason, at: at(n) });
      }
    });
  }
  return found;
}

const zh: Record<string, string> = errorMessages.zh;
const en: Record<string, string> = errorMessages.en;

/** The catalogue key that words this reason, or undefined when none does. */
function wording(code: string, reason: string): string | undefined {
  const specific = `${code}_${reason}`;
  if (Object.hasOwn(zh, specific) && Object.hasOwn(en, specific)) return specific;
  // A general entry that takes the error's params ({errcode}, ...) still speaks the operator's language.
  if (Object.hasOwn(zh, code) && /\{\w+\}/.test(zh[code] ?? '')) return code;
  return undefined;
}

describe('every error reason is in the operator’s language', () => {
  const read = (f: string) => parse(f, readFileSync(f, 'utf8'));
  const covered = COVERED.flatMap(tsFiles).map(read);
  const all = tsFiles('src').map(read);
  const found = scan(covered, all);

  test('the scan reads AppErrors, and finds one without a reason', () => {
    assert.ok(found.errors > 50, `only ${found.errors} AppErrors read in ${COVERED.join(', ')}`);
    const sample = parse(
      'sample.ts',
      `const bad = (f: string, m: string, { reason, ...p }: { reason: string }) =>
         new AppError('bad_request', m, { details: { field: f, params: { reason, ...p } } });
       function g() {
         bad('x', 'm', { reason: 'too_odd' });
         throw new AppError('conflict', 'no reason', { details: { field: 'y' } });
         throw new AppError('not_found', 'gone', { details: { params: { reason: c ? 'a' : 'b' } } });
       }`,
    );
    const s = scan([sample], [sample]);
    assert.deepEqual(s.missing, [relative(ROOT, 'sample.ts') + ':5']);
    assert.deepEqual(s.reasons.map((r) => `${r.codes.join('|')}_${r.reason}`).sort(), [
      'bad_request_too_odd',
      'not_found_a',
      'not_found_b',
    ]);
  });

  test('each AppError gives params.reason', () => {
    assert.deepEqual(found.missing, [], 'AppErrors without a reason');
  });

  test('each reason is stable snake_case and worded in zh and en', () => {
    const problems: string[] = [];
    for (const r of found.reasons) {
      if (!/^[a-z][a-z0-9_]*$/.test(r.reason))
        problems.push(`${r.at}: "${r.reason}" is not snake_case`);
      if (r.codes.length === 0)
        problems.push(`${r.at}: the code of "${r.reason}" is not a literal`);
      for (const code of r.codes) {
        if (!wording(code, r.reason)) problems.push(`${r.at}: no entry ${code}_${r.reason}`);
      }
    }
    assert.deepEqual([...new Set(problems)], []);
  });

  test('each rule of a schema validation error is worded in zh and en', () => {
    const text = readFileSync(join(ROOT, 'src/http/errors.ts'), 'utf8');
    const reasons = [
      ...[...text.matchAll(/reason: '([a-z_]+)'/g)].map((m) => m[1] as string),
      ...[...text.matchAll(/return '([a-z_]+)'/g)].map((m) => m[1] as string),
    ];
    assert.ok(reasons.includes('required') && reasons.includes('body_malformed'));
    const missing = reasons.filter(
      (r) => !wording('bad_request', r) || wording('bad_request', r) !== `bad_request_${r}`,
    );
    assert.deepEqual(missing, []);
  });
});
