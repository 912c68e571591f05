import type { Queryable } from '../db.ts';

/** WeChat IDs of the testers bound through openwx (WeChat lists testers only by userstr). */
export interface TesterRow {
  appid: string;
  userstr: string;
  wechatid: string;
  bound_at: Date;
}

export function createTesterQueries(db: Queryable) {
  return {
    async upsert(r: { appid: string; userstr: string; wechatid: string; at: Date }) {
      await db.query(
        `INSERT INTO testers (appid, userstr, wechatid, bound_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (appid, userstr) DO UPDATE SET wechatid = EXCLUDED.wechatid,
           bound_at = EXCLUDED.bound_at`,
        [r.appid, r.userstr, r.wechatid, r.at],
      );
    },

    async listByAppid(appid: string): Promise<TesterRow[]> {
      const res = await db.query<TesterRow>(
        'SELECT * FROM testers WHERE appid = $1 ORDER BY bound_at',
        [appid],
      );
      return res.rows;
    },

    async deleteById(appid: string, userstr: string): Promise<void> {
      await db.query('DELETE FROM testers WHERE appid = $1 AND userstr = $2', [appid, userstr]);
    },

    /** Rows WeChat no longer lists (unbound elsewhere, e.g. in the mini program's console). */
    async deleteMissing(appid: string, present: readonly string[]): Promise<void> {
      await db.query('DELETE FROM testers WHERE appid = $1 AND NOT (userstr = ANY($2::text[]))', [
        appid,
        present,
      ]);
    },
  };
}
