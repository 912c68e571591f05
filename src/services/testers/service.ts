import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import type { Db } from '../../store/db.ts';
import { createTesterQueries } from '../../store/queries/testers.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { checkWechatId } from '../registration/registration-rules.ts';

/**
 * Testers (体验者) of an authorized mini program: they may open its trial version. WeChat keeps
 * the list and names testers only by `userstr`; openwx keeps the WeChat ID given when binding,
 * to show next to it (null for testers bound elsewhere). Bad input is refused before WeChat is
 * called and changes nothing; WeChat's refusals (85001 not found or not searchable, 85002 the
 * mini program's limit, 85003 the WeChat ID's limit, 85004 already a tester) surface as
 * wechat_error with the errcode. Reference: src/wechat/endpoints/testers.ts.
 */
export interface TesterDeps {
  db: Db;
  client: WechatClient;
  clock: Clock;
}

export interface Tester {
  userstr: string;
  /** The WeChat ID, when the tester was bound through openwx. */
  wechatid: string | null;
  bound_at: string | null;
}

const USERSTR = /^[A-Za-z0-9_-]{1,128}$/;

export type TesterService = ReturnType<typeof createTesterService>;

export function createTesterService(deps: TesterDeps) {
  const { client } = deps;
  const rows = createTesterQueries(deps.db);

  async function members(appid: string): Promise<string[]> {
    const res = await client.call('memberauth', { action: 'get_experiencer' }, { appid });
    return (res.members ?? []).map((m) => m.userstr);
  }

  async function list(appid: string): Promise<{ items: Tester[] }> {
    const present = await members(appid);
    await rows.deleteMissing(appid, present);
    const known = new Map((await rows.listByAppid(appid)).map((r) => [r.userstr, r]));
    return {
      items: present.map((userstr) => {
        const row = known.get(userstr);
        return {
          userstr,
          wechatid: row?.wechatid ?? null,
          bound_at: row ? new Date(row.bound_at).toISOString() : null,
        };
      }),
    };
  }

  async function bind(appid: string, wechatid: unknown): Promise<Tester> {
    if (typeof wechatid !== 'string' || wechatid === '') {
      throw new AppError('bad_request', 'wechatid is required', {
        details: { field: 'wechatid', params: { reason: 'required', field: 'wechatid' } },
      });
    }
    checkWechatId(wechatid, 'wechatid');
    const res = await client.call('bind_tester', { wechatid }, { appid });
    if (!res.userstr) {
      throw new AppError('internal', 'WeChat bound the tester but answered no userstr', {
        details: { params: { reason: 'wechat_answer_incomplete', field: 'userstr' } },
      });
    }
    const at = new Date(deps.clock.now());
    await rows.upsert({ appid, userstr: res.userstr, wechatid, at });
    return { userstr: res.userstr, wechatid, bound_at: at.toISOString() };
  }

  async function unbind(appid: string, userstr: string): Promise<void> {
    if (!USERSTR.test(userstr)) {
      throw new AppError('bad_request', 'userstr must be 1 to 128 letters, digits, - or _', {
        details: { field: 'userstr', params: { reason: 'userstr_invalid', field: 'userstr' } },
      });
    }
    // WeChat answers an unknown tester with -1 "system error": ask its list first, for a 404.
    if (!(await members(appid)).includes(userstr)) {
      await rows.deleteById(appid, userstr);
      throw new AppError('not_found', `${userstr} is not a tester of ${appid}`, {
        details: { field: 'userstr', params: { reason: 'tester', userstr, appid } },
      });
    }
    await client.call('unbind_tester', { userstr }, { appid });
    await rows.deleteById(appid, userstr);
  }

  return { list, bind, unbind };
}
