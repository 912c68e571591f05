import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import type { WechatClient } from '../../wechat/client.ts';
import type { CodeHistory } from './code-history.ts';

/**
 * What a rejected audit asks for. WeChat's rejection reason (`Reason` of the weapp_audit_fail push,
 * `reason` of get_auditstatus / get_latest_auditstatus) often names the categories the mini program
 * must add, e.g. `请补充选择：医疗-健康（资讯）类目`, several joined with `、` or `或`, inside
 * HTML-ish text with <br> and numbered items. The names are matched against WeChat's category tree
 * (getallcategories: categories_list.categories[{id, name, level, father, children, sensitive_type,
 * qualify{exter_list[{inner_list[{name, url}]}]}}]) and the mini program's own categories
 * (getcategory: categories[{first, second, audit_status}]).
 * Reference: ../shared/wechat/02 §3.7–3.8 (audit status, reason) and §5.5 (categories).
 */

export type CategoryStatus = 'can_add' | 'needs_qualification' | 'already_added' | 'not_found';

export interface ReasonCategory {
  /** The name as the reason gives it, dashes and parentheses made ASCII. */
  name: string;
  status: CategoryStatus;
  /** The category's id in WeChat's tree (a second-level id when the reason names two levels). */
  id?: number;
  /** The first-level category it sits under (its own id for a first-level category). */
  first?: number;
  first_name?: string;
  level?: number;
  /** Qualification documents WeChat asks for when the category is added (qualify.exter_list). */
  qualifications?: string[];
  sensitive?: boolean;
  /** getcategory's audit_status when the mini program has it: 1 in review, 2 rejected, 3 approved. */
  audit_status?: number;
}

export type AdviceCode =
  | 'add_category'
  | 'add_category_with_qualification'
  | 'category_already_added'
  | 'category_in_review'
  | 'category_not_available'
  | 'no_category_named';

export interface Advice {
  code: AdviceCode;
  params: Record<string, unknown>;
}

export interface ReasonAdvice {
  categories: ReasonCategory[];
  advice: Advice[];
}

export interface TreeNode {
  id: number;
  name: string;
  level: number;
  father: number;
  sensitive_type?: number;
  qualify?: { exter_list?: Array<{ inner_list?: Array<{ name?: string }> }> };
}

export interface OwnedCategory {
  first: number;
  second: number;
  audit_status?: number;
}

const MAX_REASON_CHARS = 20_000;
const DASHES = /[－—–‐‑‒―﹣−ー]/g;
const TRIGGER = /(?:补充选择|重新选择|请选择|需选择|补充|申请|添加|增加|选择)/g;
/** Where a named category ends: the word 类目, or the end of the clause. */
const CLAUSE_END = /[，,。；;！!？?\n]|类目/;
const SPLIT = /、|或者|或|以及|\|/;
const QUALIFIER = /^(?:(?:企业|个人|政府|媒体|其他组织)?主体)?(?:的)?(?:小程序)?/;
const NOT_A_NAME = /的|该|相应|对应|相关|正确|合适|其他|其它|以下|此|上述|服务类目/;

/** Plain text of a reason: tags become line breaks, the common entities are decoded. */
function plainText(reason: string): string {
  return reason
    .replace(/<\s*br\s*\/?\s*>/gi, '\n')
    .replace(/<\/?\s*(?:p|div|li|ol|ul)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** A category name as compared: ASCII dash and parentheses, no spaces, quotes or brackets. */
export function normalizeCategoryName(name: string): string {
  return name
    .replace(DASHES, '-')
    .replace(/（/g, '(')
    .replace(/）/g, ')')
    .replace(/[\s"'“”‘’「」『』《》【】[\]]/g, '')
    .replace(/_+$/, '')
    .replace(/\s*-\s*/g, '-');
}

function cleanName(raw: string): string | undefined {
  const name = normalizeCategoryName(raw)
    .replace(/^[:：、.．]+/, '')
    .replace(QUALIFIER, '')
    .replace(/^-+|-+$/g, '');
  if (name === '' || name.length > 40 || NOT_A_NAME.test(name)) return undefined;
  if (/^[\d()（）.:：]+$/.test(name)) return undefined; // a numbering left over
  return name;
}

/**
 * The category names a rejection reason asks the mini program to add, in order, each once;
 * empty for a reason that names none. A name follows a request (补充选择, 申请, 添加, ...) and
 * ends at 类目 or at the end of its clause; without 类目 it must look like a category
 * (first-second, or in 【】).
 */
export function parseReasonCategories(reason: string | null | undefined): string[] {
  if (!reason) return [];
  const found: string[] = [];
  // WeChat's reasons are a few hundred characters; a longer text is read up to a bound.
  for (const line of plainText(reason.slice(0, MAX_REASON_CHARS)).split('\n')) {
    TRIGGER.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = TRIGGER.exec(line)) !== null) {
      const after = m.index + m[0].length;
      const rest = line.slice(after).replace(/^[\s:：]+/, '');
      const end = CLAUSE_END.exec(rest);
      const segment = end ? rest.slice(0, end.index) : rest;
      const withSuffix = end?.[0] === '类目';
      const bracketed = [...segment.matchAll(/【([^】]+)】/g)].map((b) => b[1] ?? '');
      const parts = bracketed.length > 0 ? bracketed : segment.split(SPLIT);
      for (const part of parts) {
        const name = cleanName(part);
        if (!name) continue;
        if (!withSuffix && bracketed.length === 0 && !name.includes('-')) continue;
        if (!found.includes(name)) found.push(name);
      }
      // The next request starts after this one's names.
      TRIGGER.lastIndex = after + (line.length - after - rest.length) + segment.length;
    }
  }
  return found;
}

function qualificationsOf(node: TreeNode): string[] {
  const names: string[] = [];
  for (const group of node.qualify?.exter_list ?? []) {
    for (const q of group.inner_list ?? []) {
      if (q.name && !names.includes(q.name)) names.push(q.name);
    }
  }
  return names;
}

/** Finds a name in the tree: first-second as a pair, a single name at either level. */
function lookUp(name: string, tree: TreeNode[]): TreeNode | undefined {
  const key = (n: TreeNode) => normalizeCategoryName(n.name);
  const dash = name.indexOf('-');
  if (dash > 0) {
    const firstName = name.slice(0, dash);
    const secondName = name.slice(dash + 1);
    const firsts = tree.filter((n) => n.level === 1 && key(n) === firstName);
    for (const f of firsts) {
      const second = tree.find((n) => n.father === f.id && key(n) === secondName);
      if (second) return second;
    }
    return undefined;
  }
  const seconds = tree.filter((n) => n.level !== 1 && key(n) === name);
  if (seconds.length === 1) return seconds[0];
  return tree.find((n) => n.level === 1 && key(n) === name);
}

/** What each named category means for this mini program, and what to do about it. */
export function matchCategories(
  names: string[],
  tree: TreeNode[],
  owned: OwnedCategory[],
): ReasonAdvice {
  const categories: ReasonCategory[] = [];
  const advice: Advice[] = [];
  for (const name of names) {
    const node = lookUp(name, tree);
    if (!node) {
      categories.push({ name, status: 'not_found' });
      advice.push({
        code: 'category_not_available',
        params: { name, action: 'remove_feature_or_change_subject' },
      });
      continue;
    }
    const first = node.level === 1 ? node : tree.find((n) => n.id === node.father);
    const firstId = first?.id ?? node.father;
    const mine = owned.find((o) => (node.level === 1 ? o.first === node.id : o.second === node.id));
    const qualifications = qualificationsOf(node);
    const base = {
      name,
      id: node.id,
      first: firstId,
      ...(first ? { first_name: first.name } : {}),
      level: node.level,
      sensitive: (node.sensitive_type ?? 0) !== 0,
      ...(qualifications.length > 0 ? { qualifications } : {}),
    };
    if (mine && mine.audit_status !== 2) {
      categories.push({
        ...base,
        status: 'already_added',
        ...(mine.audit_status === undefined ? {} : { audit_status: mine.audit_status }),
      });
      advice.push({
        code: mine.audit_status === 1 ? 'category_in_review' : 'category_already_added',
        params: { name, id: node.id },
      });
      continue;
    }
    const status: CategoryStatus = qualifications.length > 0 ? 'needs_qualification' : 'can_add';
    categories.push({
      ...base,
      status,
      ...(mine ? { audit_status: mine.audit_status } : {}),
    });
    advice.push(
      status === 'needs_qualification'
        ? {
            code: 'add_category_with_qualification',
            params: { name, first: firstId, second: node.id, qualifications },
          }
        : { code: 'add_category', params: { name, first: firstId, second: node.id } },
    );
  }
  if (names.length === 0) advice.push({ code: 'no_category_named', params: {} });
  return { categories, advice };
}

export interface AuditAdvisorDeps {
  client: WechatClient;
  history: CodeHistory;
  clock: Clock;
  /** How long one mini program's category tree is kept in this process (default 1 hour). */
  treeTtlMs?: number;
}

export type AuditAdvisor = ReturnType<typeof createAuditAdvisor>;

const TREE_CACHE_LIMIT = 1000;

export function createAuditAdvisor(deps: AuditAdvisorDeps) {
  const { client, history, clock } = deps;
  const ttl = deps.treeTtlMs ?? 3600_000;
  /** getallcategories per mini program (the tree depends on the account's subject). */
  const trees = new Map<string, { at: number; tree: Promise<TreeNode[]> }>();

  function treeOf(appid: string): Promise<TreeNode[]> {
    const now = clock.now();
    const cached = trees.get(appid);
    if (cached && now - cached.at < ttl) return cached.tree;
    const tree = client
      .call('getallcategories', {}, { appid })
      .then((res) => res.categories_list.categories as TreeNode[]);
    tree.catch(() => trees.delete(appid));
    trees.delete(appid);
    if (trees.size >= TREE_CACHE_LIMIT) trees.delete(trees.keys().next().value as string);
    trees.set(appid, { at: now, tree });
    return tree;
  }

  /** The categories a reason names, matched against WeChat now (no WeChat call when it names none). */
  async function forReason(appid: string, reason: string | null): Promise<ReasonAdvice> {
    const names = parseReasonCategories(reason);
    if (names.length === 0) return matchCategories([], [], []);
    const [tree, owned] = await Promise.all([
      treeOf(appid),
      client.call('getcategory', {}, { appid }).then((r) => r.categories as OwnedCategory[]),
    ]);
    return matchCategories(names, tree, owned);
  }

  return {
    forReason,
    /** The latest failed audit of a mini program with what its reason asks for; 404 without one. */
    async latest(appid: string) {
      const steps = await history.steps(appid);
      const failed = steps.filter((s) => s.kind === 'audit_failed').pop();
      if (!failed) {
        throw new AppError('not_found', `mini program ${appid} has no failed audit`, {
          details: { params: { reason: 'no_failed_audit', appid } },
        });
      }
      const later = steps.some(
        (s) => s.id > failed.id && (s.kind === 'submitted' || s.kind === 'audit_passed'),
      );
      return {
        appid,
        auditid: failed.auditid,
        user_version: failed.user_version,
        reason: failed.reason,
        failed_at: failed.at,
        /** false once a later audit was submitted: the advice is about an older version. */
        current: !later,
        ...(await forReason(appid, failed.reason)),
      };
    },
  };
}
