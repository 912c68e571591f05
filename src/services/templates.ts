import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import type { WechatClient } from '../wechat/client.ts';
import { WechatApiError } from '../wechat/errors.ts';

/**
 * The platform's code template library. WeChat holds the draft box and the library; openwx keeps
 * its own record of every template it has seen (kept with `in_library: false` after WeChat's
 * library drops it) and the one default template that new merchants get. Listing warns when the
 * library is within `warnWithin` of its limit, naming the oldest templates that are not the
 * default as candidates to delete. When WeChat answers 48001 for these APIs, the account must use
 * the Open Platform web console instead, and the error says so.
 * Reference: ../shared/wechat/02 §4, §7.
 */
export interface TemplateDeps {
  db: Db;
  client: WechatClient;
  clock: Clock;
  /** WeChat's library capacity (200 per the reference). */
  libraryLimit: number;
  /** Warn when fewer than this many places are left. */
  warnWithin: number;
}

interface Row {
  template_id: number;
  draft_id: number | null;
  template_type: number;
  user_version: string;
  user_desc: string;
  source_miniprogram_appid: string | null;
  source_miniprogram: string | null;
  developer: string | null;
  created_at: Date | string | null;
  first_seen_at: Date | string;
  last_seen_at: Date | string;
  in_library: boolean;
  left_library_at: Date | string | null;
}

export interface TemplateView {
  template_id: number;
  draft_id: number | null;
  template_type: number;
  user_version: string;
  user_desc: string;
  source_miniprogram_appid: string | null;
  source_miniprogram: string | null;
  developer: string | null;
  created_at: string | null;
  first_seen_at: string;
  last_seen_at: string;
  in_library: boolean;
  left_library_at: string | null;
  is_default: boolean;
}

export const WEB_CONSOLE =
  'the WeChat Open Platform web console (管理中心 → 第三方平台 → 小程序模板库)';

const iso = (v: Date | string | null): string | null =>
  v === null ? null : new Date(v).toISOString();
const fromUnix = (s: number | undefined): Date | null =>
  typeof s === 'number' && s > 0 ? new Date(s * 1000) : null;

export type TemplateService = ReturnType<typeof createTemplateService>;

export function createTemplateService(deps: TemplateDeps) {
  const { db, client, clock } = deps;
  const now = () => new Date(clock.now());

  /** WeChat's 48001 on a template API becomes an error that points to the web console. */
  async function wechat<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof WechatApiError && err.errcode === 48001) {
        throw new AppError(
          'wechat_error',
          `WeChat refused ${err.endpoint} for this account (errcode 48001, api unauthorized): ` +
            `this account must manage its template library in ${WEB_CONSOLE} instead`,
          {
            details: {
              errcode: err.errcode,
              errmsg: err.errmsg,
              params: { reason: 'template_library_unauthorized', endpoint: err.endpoint },
            },
          },
        );
      }
      throw err;
    }
  }

  async function defaultId(): Promise<number | null> {
    const res = await db.query<{ template_id: number }>(
      'SELECT template_id FROM default_template WHERE only_row',
    );
    return res.rows[0] ? Number(res.rows[0].template_id) : null;
  }

  function view(r: Row, def: number | null): TemplateView {
    const id = Number(r.template_id);
    return {
      template_id: id,
      draft_id: r.draft_id === null ? null : Number(r.draft_id),
      template_type: r.template_type,
      user_version: r.user_version,
      user_desc: r.user_desc,
      source_miniprogram_appid: r.source_miniprogram_appid,
      source_miniprogram: r.source_miniprogram,
      developer: r.developer,
      created_at: iso(r.created_at),
      first_seen_at: iso(r.first_seen_at) as string,
      last_seen_at: iso(r.last_seen_at) as string,
      in_library: r.in_library,
      left_library_at: iso(r.left_library_at),
      is_default: id === def,
    };
  }

  async function find(templateId: number): Promise<Row | undefined> {
    const res = await db.query<Row>('SELECT * FROM templates WHERE template_id = $1', [templateId]);
    return res.rows[0];
  }

  /** Reads WeChat's library and records it: new templates added, missing ones marked gone. */
  async function sync(): Promise<void> {
    const res = await wechat(() => client.call('gettemplatelist', {}));
    const at = now();
    await db.transaction(async (tx) => {
      const seen: number[] = [];
      for (const t of res.template_list) {
        seen.push(t.template_id);
        await tx.query(
          `INSERT INTO templates (template_id, draft_id, template_type, user_version, user_desc,
             source_miniprogram_appid, source_miniprogram, developer, created_at, first_seen_at,
             last_seen_at, in_library, left_library_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, TRUE, NULL)
           ON CONFLICT (template_id) DO UPDATE SET
             draft_id = EXCLUDED.draft_id, template_type = EXCLUDED.template_type,
             user_version = EXCLUDED.user_version, user_desc = EXCLUDED.user_desc,
             source_miniprogram_appid = EXCLUDED.source_miniprogram_appid,
             source_miniprogram = EXCLUDED.source_miniprogram, developer = EXCLUDED.developer,
             created_at = COALESCE(EXCLUDED.created_at, templates.created_at),
             last_seen_at = EXCLUDED.last_seen_at, in_library = TRUE, left_library_at = NULL`,
          [
            t.template_id,
            t.draft_id,
            t.template_type ?? 0,
            t.user_version ?? '',
            t.user_desc ?? '',
            t.source_miniprogram_appid ?? null,
            t.source_miniprogram ?? null,
            t.developer ?? null,
            fromUnix(t.create_time),
            at,
          ],
        );
      }
      await tx.query(
        `UPDATE templates SET in_library = FALSE, left_library_at = $1
         WHERE in_library AND NOT (template_id = ANY($2::bigint[]))`,
        [at, seen],
      );
    });
  }

  async function all(): Promise<Row[]> {
    const res = await db.query<Row>(
      'SELECT * FROM templates ORDER BY created_at ASC NULLS FIRST, template_id ASC',
    );
    return res.rows;
  }

  /** How many mini programs run each template online (their latest release or rollback). */
  async function onlineUsage(): Promise<Map<number, number>> {
    const res = await db.query<{ template_id: number | string; n: number }>(
      `SELECT template_id, count(*)::int AS n FROM (
         SELECT DISTINCT ON (appid) appid, template_id FROM code_events
         WHERE kind IN ('released', 'rolled_back') ORDER BY appid, id DESC) online
       WHERE template_id IS NOT NULL GROUP BY template_id`,
    );
    return new Map(res.rows.map((r) => [Number(r.template_id), r.n]));
  }

  function nearLimitWarning(rows: Row[], def: number | null) {
    const inLibrary = rows.filter((r) => r.in_library);
    const free = deps.libraryLimit - inLibrary.length;
    if (free > deps.warnWithin) return undefined;
    const needed = Math.max(1, deps.warnWithin - free + 1);
    const candidates = inLibrary
      .filter((r) => Number(r.template_id) !== def)
      .slice(0, needed)
      .map((r) => ({
        template_id: Number(r.template_id),
        user_version: r.user_version,
        created_at: iso(r.created_at),
      }));
    return {
      code: 'library_near_limit',
      message:
        `the template library holds ${inLibrary.length} of ${deps.libraryLimit} templates ` +
        `(${Math.max(0, free)} left); delete old templates before adding more` +
        (candidates.length
          ? `: oldest not used as default: ${candidates.map((c) => c.template_id).join(', ')}`
          : ''),
      candidates,
    };
  }

  return {
    async drafts() {
      const res = await wechat(() => client.call('gettemplatedraftlist', {}));
      return {
        items: res.draft_list.map((d) => ({
          draft_id: d.draft_id,
          user_version: d.user_version ?? '',
          user_desc: d.user_desc ?? '',
          source_miniprogram_appid: d.source_miniprogram_appid ?? null,
          source_miniprogram: d.source_miniprogram ?? null,
          developer: d.developer ?? null,
          created_at: iso(fromUnix(d.create_time)),
        })),
      };
    },

    async list() {
      await sync();
      const rows = await all();
      const def = await defaultId();
      const warning = nearLimitWarning(rows, def);
      const usage = await onlineUsage();
      return {
        items: rows
          .map((r) => ({ ...view(r, def), usage: usage.get(Number(r.template_id)) ?? 0 }))
          .reverse(),
        library: {
          count: rows.filter((r) => r.in_library).length,
          limit: deps.libraryLimit,
        },
        default_template_id: def,
        warnings: warning ? [warning] : [],
      };
    },

    /** addtotemplate, then the library is read again to find the new template_id. */
    async add(input: { draft_id: number; template_type?: 0 | 1 }): Promise<TemplateView> {
      await wechat(() =>
        client.call('addtotemplate', {
          draft_id: input.draft_id,
          template_type: input.template_type ?? 0,
        }),
      );
      await sync();
      const res = await db.query<Row>(
        `SELECT * FROM templates WHERE draft_id = $1 AND in_library
         ORDER BY template_id DESC LIMIT 1`,
        [input.draft_id],
      );
      const row = res.rows[0];
      if (!row) {
        throw new AppError(
          'upstream_unavailable',
          `WeChat accepted draft ${input.draft_id} but its template is not in the library yet; list the templates again`,
          { details: { params: { reason: 'template_not_listed_yet', draft_id: input.draft_id } } },
        );
      }
      return view(row, await defaultId());
    },

    async remove(templateId: number): Promise<TemplateView> {
      const def = await defaultId();
      if (def === templateId) {
        throw new AppError(
          'conflict',
          `template ${templateId} is the default template; set another default first`,
          {
            details: {
              field: 'template_id',
              params: { reason: 'template_is_default', template_id: templateId },
            },
          },
        );
      }
      await wechat(() => client.call('deletetemplate', { template_id: templateId }));
      await sync();
      const row = await find(templateId);
      if (!row) {
        throw new AppError('not_found', `no template ${templateId}`, {
          details: { params: { reason: 'template', template_id: templateId } },
        });
      }
      return view(row, def);
    },

    async setDefault(templateId: number): Promise<TemplateView> {
      await sync();
      const row = await find(templateId);
      if (!row) {
        throw new AppError('not_found', `no template ${templateId} in the template library`, {
          details: {
            field: 'template_id',
            params: { reason: 'template', template_id: templateId },
          },
        });
      }
      if (!row.in_library) {
        throw new AppError(
          'conflict',
          `template ${templateId} is no longer in WeChat's template library; it cannot be the default`,
          {
            details: {
              field: 'template_id',
              params: { reason: 'template_left_library', template_id: templateId },
            },
          },
        );
      }
      await db.query(
        `INSERT INTO default_template (only_row, template_id, set_at) VALUES (TRUE, $1, $2)
         ON CONFLICT (only_row) DO UPDATE SET template_id = EXCLUDED.template_id, set_at = EXCLUDED.set_at`,
        [templateId, now()],
      );
      return view(row, templateId);
    },

    async getDefault(): Promise<
      TemplateView & { warning?: string; warning_code?: string; warning_params?: object }
    > {
      const def = await defaultId();
      const row = def === null ? undefined : await find(def);
      if (!row) {
        throw new AppError('not_found', 'no default template is set', {
          details: { params: { reason: 'default_template_unset' } },
        });
      }
      const v = view(row, def);
      return v.in_library
        ? v
        : {
            ...v,
            warning: `template ${def} has left WeChat's template library; set another default template`,
            warning_code: 'default_left_library',
            warning_params: { template_id: def },
          };
    },
  };
}
