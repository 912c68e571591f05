import { fieldRefusal as bad } from '../../core/errors.ts';
import { declaredName } from '../privacy/interfaces.ts';

/**
 * The ext_json a mini program is committed with, rendered from its tenant's data:
 * `{extAppid, ext: {...tenant.ext, ...ext}}`, or a caller's own ext_json text; in both, every
 * `{{appid}}` and `{{tenant.name}}` (and `{{tenant.id}}`) is replaced; the privacy interfaces of the
 * mini program's profile are declared in requiredPrivateInfos. Reference: ../shared/wechat/02 §3.1.
 */
export const EXT_JSON_MAX = 64 * 1024;

export interface ExtInput {
  /** Merged over the tenant's ext object. */
  ext?: Record<string, unknown> | undefined;
  /** The whole ext_json, as text (instead of `ext`). */
  ext_json?: string | undefined;
}

export interface TenantData {
  id: string | null;
  name: string | null;
  ext: Record<string, unknown>;
}

/** `{{name}}` in every string value, at any depth. */
export function substitute(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string')
    return value.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (m, key: string) => vars[key] ?? m);
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, substitute(v, vars)]),
    );
  }
  return value;
}

/**
 * Adds the privacy interfaces the code calls (`wx.getLocation`) to the ext_json's
 * requiredPrivateInfos (`getLocation`), keeping what it declares already. WeChat reads the
 * declaration from ext.json as from app.json: https://developers.weixin.qq.com/miniprogram/dev/devtools/ext.html
 * and .../reference/configuration/app.html#requiredPrivateInfos.
 */
function declare(doc: Record<string, unknown>, apiNames: readonly string[]): void {
  if (apiNames.length === 0) return;
  const current = doc['requiredPrivateInfos'];
  if (current !== undefined && !Array.isArray(current)) {
    throw bad('ext_json', "ext_json's requiredPrivateInfos must be a list of interface names", {
      reason: 'ext_private_infos_not_list',
    });
  }
  const names = [...(current ?? []), ...apiNames.map(declaredName)];
  doc['requiredPrivateInfos'] = [...new Set(names)];
}

export function renderExtJson(
  appid: string,
  tenant: TenantData,
  input: ExtInput,
  privacyInterfaces: readonly string[] = [],
): string {
  const vars = { appid, 'tenant.name': tenant.name ?? '', 'tenant.id': tenant.id ?? '' };
  if (input.ext_json !== undefined && input.ext !== undefined) {
    throw bad('ext_json', 'give either ext or ext_json, not both', { reason: 'ext_and_ext_json' });
  }
  let doc: Record<string, unknown>;
  if (input.ext_json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.ext_json);
    } catch (err) {
      throw bad('ext_json', `ext_json is not valid JSON: ${(err as Error).message}`, {
        reason: 'ext_json_malformed',
      });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw bad('ext_json', 'ext_json must be a JSON object', { reason: 'ext_json_not_object' });
    }
    doc = substitute(parsed, vars) as Record<string, unknown>;
    if (doc['extAppid'] === undefined) doc = { extAppid: appid, ...doc };
    if (doc['extAppid'] !== appid) {
      throw bad(
        'ext_json',
        `ext_json's extAppid is ${JSON.stringify(doc['extAppid'])}; it must be the mini program's own appid ${appid} (or {{appid}})`,
        { reason: 'ext_appid_mismatch', appid, ext_appid: JSON.stringify(doc['extAppid']) },
      );
    }
  } else {
    doc = { extAppid: appid, ext: substitute({ ...tenant.ext, ...(input.ext ?? {}) }, vars) };
  }
  declare(doc, privacyInterfaces);
  const text = JSON.stringify(doc);
  const size = Buffer.byteLength(text);
  if (size > EXT_JSON_MAX) {
    throw bad(
      input.ext_json !== undefined ? 'ext_json' : 'ext',
      `ext_json would be ${size} bytes (at most ${EXT_JSON_MAX})`,
      { reason: 'ext_json_too_large', size, limit: EXT_JSON_MAX },
    );
  }
  return text;
}
