import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import { xmlText, type XmlObject } from '../crypto/xml.ts';
import type { Db } from '../store/db.ts';
import { createAutoReplyQueries, type AutoReplyRuleRow } from '../store/queries/auto-replies.ts';
import { textReplyXml } from './passive-reply.ts';

/**
 * Passive auto-replies per authorizer: an ordered list of rules (`exact` keyword, `contains`
 * keyword, or `any` text); the first rule matching a user's text message gives the reply.
 * Matching ignores case and surrounding spaces. The reply path reads rules through a small
 * in-process cache (cleared on update here; other instances see a change within `cacheTtlMs`).
 */
export type AutoReplyRule = AutoReplyRuleRow;

export interface AutoReplies {
  appid: string;
  rules: AutoReplyRule[];
  updatedAt: Date | null;
}

export const MAX_AUTO_REPLY_RULES = 100;
export const MAX_AUTO_REPLY_LENGTH = 2048;
const MAX_KEYWORD_LENGTH = 128;

const ruleSchema = z
  .object({
    match: z.enum(['exact', 'contains', 'any'], {
      error: (iss) =>
        iss.input === undefined
          ? 'match is required'
          : 'match must be "exact", "contains" or "any"',
    }),
    keyword: z
      .string({ error: 'keyword must be a string' })
      .trim()
      .max(MAX_KEYWORD_LENGTH, { error: `keyword is longer than ${MAX_KEYWORD_LENGTH}` })
      .optional(),
    reply: z
      .string({
        error: (iss) => (iss.input === undefined ? 'reply is required' : 'reply must be a string'),
      })
      .min(1, { error: 'reply must not be empty' })
      .max(MAX_AUTO_REPLY_LENGTH, { error: `reply is longer than ${MAX_AUTO_REPLY_LENGTH}` }),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.match !== 'any' && !rule.keyword) {
      ctx.addIssue({
        code: 'custom',
        path: ['keyword'],
        message: `keyword is required when match is "${rule.match}"`,
      });
    }
  });

const rulesSchema = z
  .object({
    rules: z
      .array(ruleSchema, {
        error: (iss) => (iss.input === undefined ? 'rules is required' : 'rules must be an array'),
      })
      .max(MAX_AUTO_REPLY_RULES, { error: `at most ${MAX_AUTO_REPLY_RULES} rules` }),
  })
  .strict();

/** `rules[2].keyword` from a zod path. */
function fieldOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || 'body';
}

/** The `params.reason` of a refused rules body, one per kind of mistake (the console words each). */
export const AUTO_REPLY_RULE_REASONS = [
  'rules_field_missing',
  'rules_field_type',
  'rules_match_unknown',
  'rules_value_empty',
  'rules_value_too_long',
  'rules_too_many',
  'rules_keyword_required',
  'rules_unknown_field',
  'rules_invalid',
] as const;

type RulesIssue = z.core.$ZodIssue | undefined;

function ruleReason(issue: RulesIssue): (typeof AUTO_REPLY_RULE_REASONS)[number] {
  switch (issue?.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'rules_field_missing' : 'rules_field_type';
    case 'invalid_value':
      return 'rules_match_unknown';
    case 'too_small':
      return 'rules_value_empty';
    case 'too_big':
      return issue.origin === 'array' ? 'rules_too_many' : 'rules_value_too_long';
    case 'custom':
      return 'rules_keyword_required';
    case 'unrecognized_keys':
      return 'rules_unknown_field';
    default:
      return 'rules_invalid';
  }
}

/** The limit a too long value or list broke (`{max}` in its sentence). */
function limitOf(issue: RulesIssue): { max?: number } {
  return issue?.code === 'too_big' ? { max: Number(issue.maximum) } : {};
}

/** Validates a `{rules: [...]}` body; a bad one is a 400 naming the first wrong field. */
export function parseAutoReplyRules(body: unknown): AutoReplyRule[] {
  const parsed = rulesSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const field = fieldOf(
      issue?.code === 'unrecognized_keys' ? [...path, ...issue.keys.slice(0, 1)] : path,
    );
    const message =
      issue?.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.join(', ')}`
        : (issue?.message ?? 'invalid rules');
    throw new AppError('bad_request', `${field}: ${message}`, {
      details: { field, params: { reason: ruleReason(issue), field, ...limitOf(issue) } },
    });
  }
  return parsed.data.rules.map((r) =>
    r.match === 'any'
      ? { match: r.match, reply: r.reply }
      : { match: r.match, keyword: r.keyword ?? '', reply: r.reply },
  );
}

/** The first rule matching `content`, if any. */
export function matchRule(
  rules: readonly AutoReplyRule[],
  content: string,
): AutoReplyRule | undefined {
  const text = content.trim().toLowerCase();
  return rules.find((r) => {
    if (r.match === 'any') return true;
    const keyword = (r.keyword ?? '').toLowerCase();
    if (!keyword) return false;
    return r.match === 'exact' ? text === keyword : text.includes(keyword);
  });
}

export interface AutoReplyDeps {
  db: Db;
  clock: Clock;
  /** How long a cached rule list is used before it is read again (default 10 s). */
  cacheTtlMs?: number;
  /** Most authorizers kept in the cache (default 10 000). */
  cacheMax?: number;
}

export type AutoReplyService = ReturnType<typeof createAutoReplyService>;

export function createAutoReplyService(deps: AutoReplyDeps) {
  const { clock } = deps;
  const rows = createAutoReplyQueries(deps.db);
  const ttlMs = deps.cacheTtlMs ?? 10_000;
  const cacheMax = deps.cacheMax ?? 10_000;
  const cache = new Map<string, { rules: AutoReplyRule[]; at: number }>();

  async function cachedRules(appid: string): Promise<AutoReplyRule[]> {
    const hit = cache.get(appid);
    const now = clock.now();
    if (hit && now - hit.at < ttlMs) return hit.rules;
    const rules = (await rows.findByAppid(appid))?.rules ?? [];
    cache.delete(appid);
    cache.set(appid, { rules, at: now });
    if (cache.size > cacheMax) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    return rules;
  }

  return {
    async find(appid: string): Promise<AutoReplies> {
      const row = await rows.findByAppid(appid);
      return { appid, rules: row?.rules ?? [], updatedAt: row?.updated_at ?? null };
    },

    /** Replaces the rules (already validated by parseAutoReplyRules). */
    async update(appid: string, rules: AutoReplyRule[]): Promise<AutoReplies> {
      const row = await rows.upsert(appid, rules, new Date(clock.now()));
      cache.delete(appid);
      return { appid, rules: row.rules, updatedAt: row.updated_at };
    },

    /** The passive reply (plaintext XML) to a user's text message, or undefined. */
    async reply(appid: string, fields: XmlObject): Promise<string | undefined> {
      if (xmlText(fields, 'MsgType') !== 'text') return undefined;
      const content = xmlText(fields, 'Content');
      if (content === undefined) return undefined;
      const rules = await cachedRules(appid);
      if (rules.length === 0) return undefined;
      const rule = matchRule(rules, content);
      return rule ? textReplyXml(fields, rule.reply, clock.now()) : undefined;
    },
  };
}
