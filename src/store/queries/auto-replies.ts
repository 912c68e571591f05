import type { Queryable } from '../db.ts';

export interface AutoReplyRuleRow {
  match: 'exact' | 'contains' | 'any';
  keyword?: string;
  reply: string;
}

export interface AutoRepliesRow {
  appid: string;
  rules: AutoReplyRuleRow[];
  updated_at: Date;
}

export function createAutoReplyQueries(db: Queryable) {
  return {
    async findByAppid(appid: string): Promise<AutoRepliesRow | undefined> {
      const res = await db.query<AutoRepliesRow>(
        'SELECT appid, rules, updated_at FROM auto_replies WHERE appid = $1',
        [appid],
      );
      return res.rows[0];
    },

    /** Replaces the rules of one authorizer. */
    async upsert(appid: string, rules: AutoReplyRuleRow[], at: Date): Promise<AutoRepliesRow> {
      const res = await db.query<AutoRepliesRow>(
        `INSERT INTO auto_replies (appid, rules, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (appid) DO UPDATE SET rules = EXCLUDED.rules, updated_at = EXCLUDED.updated_at
         RETURNING appid, rules, updated_at`,
        [appid, JSON.stringify(rules), at],
      );
      return res.rows[0] as AutoRepliesRow;
    },
  };
}
