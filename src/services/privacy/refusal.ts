import { AppError } from '../../core/errors.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { WechatApiError } from '../../wechat/errors.ts';

/**
 * submit_audit's privacy answers with what they are about: 61039 (the privacy-interface scan of
 * the committed code still runs) and 61040 (interfaces used without a declaration or an
 * approval, listed from get_code_privacy_info). Other errors pass unchanged.
 */
export async function privacyRefusal(
  client: WechatClient,
  appid: string,
  err: unknown,
): Promise<unknown> {
  if (!(err instanceof WechatApiError) || (err.errcode !== 61039 && err.errcode !== 61040)) {
    return err;
  }
  const shown = { errcode: err.errcode, errmsg: err.errmsg };
  if (err.errcode === 61039) {
    return new AppError(
      'conflict',
      'WeChat is still scanning the committed code for privacy interfaces; submit again in a minute',
      { details: { ...shown, params: { reason: 'privacy_check_running' } } },
    );
  }
  let lists: Record<string, string[]> = {};
  try {
    const r = await client.call('get_code_privacy_info', {}, { appid });
    lists = {
      without_auth_list: r.without_auth_list ?? [],
      without_conf_list: r.without_conf_list ?? [],
    };
  } catch {
    // the refusal stands on its own; the lists are a help
  }
  const named = [
    ...new Set([...(lists['without_auth_list'] ?? []), ...(lists['without_conf_list'] ?? [])]),
  ];
  return new AppError(
    'conflict',
    `WeChat refused the submission: privacy interfaces used without a declaration in ext_json or an approval${named.length ? ` (${named.join(', ')})` : ''}; see /api/admin/authorizers/${appid}/code-privacy`,
    { details: { ...shown, params: { reason: 'privacy_interfaces_missing', ...lists } } },
  );
}
