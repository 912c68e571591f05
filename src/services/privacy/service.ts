import type { Clock } from '../../core/clock.ts';
import { createAuthorizerQueries } from '../../store/queries/authorizers.ts';
import { AppError } from '../../core/errors.ts';
import type { Db } from '../../store/db.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { WechatApiError } from '../../wechat/errors.ts';
import { checkApplication, interfaceState, refuse, type ApplyInput } from './interfaces.ts';
import {
  checkAuditMedia,
  checkPrivacyFile,
  mediaContentType,
  mediaFilename,
  multipartFile,
  type FileInput,
} from './media.ts';

/**
 * Privacy interfaces (隐私接口) of an authorized mini program: the location APIs WeChat grants
 * on application (get_privacy_interface, apply_privacy_interface), what its privacy-interface
 * detection found in the committed code (get_code_privacy_info), and the uploads that go with a
 * submission (uploadmedia for preview_info) or a privacy guide (uploadprivacyextfile). openwx
 * keeps nothing of its own: WeChat's answers are read each time. Bad input is refused before
 * WeChat is called. Reference: src/wechat/endpoints/privacy.ts.
 */
export interface PrivacyDeps {
  db: Db;
  client: WechatClient;
  clock: Clock;
}

export interface PrivacyInterface {
  api_name: string;
  api_ch_name: string | null;
  api_desc: string | null;
  group_name: string | null;
  api_link: string | null;
  /** WeChat's status: 1 to apply for, 2 no permission, 3 applying, 4 rejected, 5 approved. */
  status: number | null;
  state: string;
  audit_id: number | null;
  apply_time: string | null;
  fail_reason: string | null;
}

export interface CodePrivacyItem {
  api_name: string;
  /** Declared in the committed ext_json (requiredPrivateInfos). */
  declared: boolean;
  /** WeChat granted the interface to the mini program. */
  approved: boolean;
  /** Where its application stands (not_applied, applying, rejected, ...), when WeChat lists it. */
  application: string | null;
  /** What to do, in plain words. */
  advice: string;
}

export interface CodePrivacy {
  appid: string;
  /** done: WeChat's detection finished; running: still scanning; no_code: nothing committed. */
  detection: 'done' | 'running' | 'no_code';
  ok: boolean;
  without_auth_list: string[];
  without_conf_list: string[];
  items: CodePrivacyItem[];
}

/** uploadmedia ids are valid 3 days (doc api_uploadmediatocodeaudit). */
const MEDIA_TTL_MS = 3 * 86_400_000;

function row(i: Record<string, unknown>): PrivacyInterface {
  const str = (k: string) => (typeof i[k] === 'string' ? (i[k] as string) : null);
  const num = (k: string) => (typeof i[k] === 'number' ? (i[k] as number) : null);
  const status = num('status');
  const applied = num('apply_time');
  return {
    api_name: String(i['api_name']),
    api_ch_name: str('api_ch_name'),
    api_desc: str('api_desc'),
    group_name: str('group_name'),
    api_link: str('api_link'),
    status,
    state: interfaceState(status),
    audit_id: num('audit_id'),
    apply_time: applied ? new Date(applied * 1000).toISOString() : null,
    fail_reason: str('fail_reason'),
  };
}

export type { ApplyInput };

export type PrivacyService = ReturnType<typeof createPrivacyService>;

export function createPrivacyService(deps: PrivacyDeps) {
  const { client, db } = deps;

  async function authorizedMiniProgram(appid: string): Promise<void> {
    const r = await createAuthorizerQueries(db).findByAppid(appid);
    if (!r || r.status !== 'authorized' || !r.info || !('MiniProgramInfo' in r.info)) {
      throw new AppError('not_found', `no authorized mini program ${appid}`, {
        details: { field: 'appid', params: { reason: 'mini_program', appid } },
      });
    }
  }

  async function interfaces(appid: string): Promise<{ appid: string; items: PrivacyInterface[] }> {
    await authorizedMiniProgram(appid);
    const res = await client.call('get_privacy_interface', {}, { appid });
    return { appid, items: (res.interface_list ?? []).map((i) => row(i)) };
  }

  async function apply(
    appid: string,
    input: ApplyInput,
  ): Promise<{ audit_id: number | null; interface: PrivacyInterface }> {
    checkApplication(input);
    const { items } = await interfaces(appid);
    const current = items.find((i) => i.api_name === input.api_name);
    if (!current) {
      refuse(
        'bad_request',
        'api_name',
        'privacy_interface_unknown',
        `${input.api_name} is not a privacy interface WeChat grants on application (names are case-sensitive: ${items.map((i) => i.api_name).join(', ')})`,
        { api_name: input.api_name, known: items.map((i) => i.api_name) },
      );
    }
    if (current.state === 'approved' || current.state === 'applying') {
      refuse(
        'conflict',
        'api_name',
        current.state === 'approved' ? 'privacy_interface_approved' : 'privacy_interface_applying',
        current.state === 'approved'
          ? `${input.api_name} is already approved for ${appid}`
          : `an application for ${input.api_name} is under review; wait for its result`,
        { api_name: input.api_name, audit_id: current.audit_id },
      );
    }
    const res = await client.call(
      'apply_privacy_interface',
      {
        api_name: input.api_name,
        content: input.content.trim(),
        ...(input.url_list?.length ? { url_list: input.url_list } : {}),
        ...(input.pic_list?.length ? { pic_list: input.pic_list } : {}),
        ...(input.video_list?.length ? { video_list: input.video_list } : {}),
      },
      { appid },
    );
    const after = (await interfaces(appid)).items.find((i) => i.api_name === input.api_name);
    return { audit_id: res.audit_id ?? null, interface: after ?? current };
  }

  /** What WeChat's detection found in the committed code, each interface in plain words. */
  async function codePrivacy(appid: string): Promise<CodePrivacy> {
    await authorizedMiniProgram(appid);
    const empty = { appid, without_auth_list: [], without_conf_list: [], items: [] };
    let found;
    try {
      found = await client.call('get_code_privacy_info', {}, { appid });
    } catch (err) {
      if (err instanceof WechatApiError && err.errcode === 61039) {
        return { ...empty, detection: 'running', ok: false };
      }
      if (err instanceof WechatApiError && err.errcode === 86001) {
        return { ...empty, detection: 'no_code', ok: true };
      }
      throw err;
    }
    const withoutAuth = found.without_auth_list ?? [];
    const withoutConf = found.without_conf_list ?? [];
    const names = [...new Set([...withoutAuth, ...withoutConf])].sort();
    const listed =
      names.length > 0
        ? new Map((await interfaces(appid)).items.map((i) => [i.api_name, i]))
        : new Map<string, PrivacyInterface>();
    const items = names.map((api_name): CodePrivacyItem => {
      const declared = !withoutConf.includes(api_name);
      const approved = !withoutAuth.includes(api_name);
      const application = listed.get(api_name)?.state ?? null;
      const todo = [
        ...(declared ? [] : ['declare it in ext_json requiredPrivateInfos and commit again']),
        ...(approved
          ? []
          : [
              application === 'applying'
                ? 'wait for the application under review'
                : application === 'rejected'
                  ? 'apply again (the last application was rejected)'
                  : 'apply for it',
            ]),
      ];
      return {
        api_name,
        declared,
        approved,
        application,
        advice: `The code uses ${api_name}: ${todo.join('; ')}${declared ? '' : ' (or submit with privacy_api_not_use if it is never called)'}.`,
      };
    });
    return {
      appid,
      detection: 'done',
      ok: items.length === 0,
      without_auth_list: withoutAuth,
      without_conf_list: withoutConf,
      items,
    };
  }

  async function upload(
    appid: string,
    path: string,
    endpoint: string,
    file: { body: Buffer; contentType: string },
  ): Promise<Record<string, unknown>> {
    const res = await client.raw({
      method: 'POST',
      path,
      token: 'authorizer',
      appid,
      body: file.body,
      contentType: file.contentType,
    });
    const json = res.json ?? {};
    const errcode = typeof json['errcode'] === 'number' ? json['errcode'] : 0;
    if (errcode !== 0) {
      throw new WechatApiError(
        endpoint,
        errcode,
        typeof json['errmsg'] === 'string' ? json['errmsg'] : '',
        {},
      );
    }
    return json;
  }

  /** An audit material for submit_audit preview_info (pic_id_list / video_id_list). */
  async function uploadMedia(
    appid: string,
    input: FileInput,
  ): Promise<{ type: 'image' | 'video'; mediaid: string; expires_at: string }> {
    const file = checkAuditMedia(input);
    await authorizedMiniProgram(appid);
    const json = await upload(
      appid,
      '/wxa/uploadmedia',
      'uploadmedia',
      multipartFile('media', mediaFilename(file.format), mediaContentType(file.format), file.bytes),
    );
    // The doc names the id mediaid; older SDK models read media_id.
    const id = json['mediaid'] ?? json['media_id'];
    if (typeof id !== 'string' || id === '') {
      throw new AppError('internal', 'WeChat took the material but answered no mediaid', {
        details: { params: { reason: 'wechat_answer_incomplete', field: 'mediaid' } },
      });
    }
    return {
      type: file.type,
      mediaid: id,
      expires_at: new Date(deps.clock.now() + MEDIA_TTL_MS).toISOString(),
    };
  }

  /** A custom privacy guide for owner_setting.ext_file_media_id of the privacy settings. */
  async function uploadPrivacyExtFile(
    appid: string,
    input: FileInput,
  ): Promise<{ ext_file_media_id: string }> {
    const bytes = checkPrivacyFile(input);
    await authorizedMiniProgram(appid);
    const json = await upload(
      appid,
      '/cgi-bin/component/uploadprivacyextfile',
      'uploadprivacyextfile',
      multipartFile('file', 'privacy.txt', 'text/plain', bytes),
    );
    const id = json['ext_file_media_id'];
    if (typeof id !== 'string' || id === '') {
      throw new AppError('internal', 'WeChat took the file but answered no ext_file_media_id', {
        details: { params: { reason: 'wechat_answer_incomplete', field: 'ext_file_media_id' } },
      });
    }
    return { ext_file_media_id: id };
  }

  return { interfaces, apply, codePrivacy, uploadMedia, uploadPrivacyExtFile };
}
