import { AppError, namedFieldRefusal as bad } from '../../core/errors.ts';
import { checkApplication, PRIVACY_INTERFACE_NAMES } from '../privacy/interfaces.ts';

/**
 * A profile's desired state for a mini program, and its validation. Server domains are written
 * as WeChat wants them for modify_domain (`https://host[:port]`, `wss://…`, `udp://…`,
 * `tcp://…`); web-view domains as `https://host`. Reference: ../shared/wechat/02 §2, §5.5–5.6.
 */
export const SERVER_KINDS = ['request', 'socket', 'upload', 'download', 'udp', 'tcp'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

export const WX_FIELD: Record<ServerKind, string> = {
  request: 'requestdomain',
  socket: 'wsrequestdomain',
  upload: 'uploaddomain',
  download: 'downloaddomain',
  udp: 'udpdomain',
  tcp: 'tcpdomain',
};
const SCHEME: Record<ServerKind, string> = {
  request: 'https',
  socket: 'wss',
  upload: 'https',
  download: 'https',
  udp: 'udp',
  tcp: 'tcp',
};

export type ServerDomains = Partial<Record<ServerKind, string[]>>;
export interface PrivacySpec {
  owner_setting: Record<string, string>;
  setting_list: Array<{ privacy_key: string; privacy_text: string }>;
}
/** A privacy interface the template's code calls, and the reason given when applying for it. */
export interface PrivacyInterfaceSpec {
  api_name: string;
  content: string;
  /** Where the use shows (at least one of the three, as apply_privacy_interface wants). */
  url_list?: string[];
  pic_list?: string[];
  video_list?: string[];
}
export interface ProfileSpec {
  server_domains?: ServerDomains | null;
  webview_domains?: string[] | null;
  categories?: Array<{ first: number; second: number }> | null;
  privacy?: PrivacySpec | null;
  /** Applied for (apply_privacy_interface) and declared in ext_json's requiredPrivateInfos. */
  privacy_interfaces?: PrivacyInterfaceSpec[] | null;
  basic_info?: { signature?: string } | null;
}

/** The platform's registered domains (bare hosts); empty means any valid domain is accepted. */
export interface PlatformDomains {
  server: readonly string[];
  webview: readonly string[];
}

const HOST = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/;

/** Splits `scheme://host[:port]`, refusing paths, queries and other shapes. */
function parseDomain(
  value: string,
  field: string,
): { scheme: string; host: string; port?: string } {
  const m = /^([a-z]+):\/\/([^/:?#]+)(?::(\d{1,5}))?(.*)$/.exec(value);
  if (!m)
    throw bad(field, `"${value}" must be written scheme://host, e.g. https://api.example.com`, {
      reason: 'domain_malformed',
      value,
    });
  const [, scheme = '', host = '', port, rest = ''] = m;
  if (rest !== '') {
    throw bad(field, `"${value}" has a path; give the domain only`, {
      reason: 'domain_has_path',
      value,
    });
  }
  if (!HOST.test(host)) {
    throw bad(field, `"${host}" is not a valid host name (no IP addresses)`, {
      reason: 'host_invalid',
      host,
    });
  }
  return { scheme, host, ...(port ? { port } : {}) };
}

function checkList(values: string[], field: string, check: (v: string, f: string) => void): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    const f = `${field}[${i}]`;
    check(v, f);
    if (seen.has(v)) throw bad(f, `"${v}" is listed twice`, { reason: 'listed_twice', value: v });
    seen.add(v);
  });
}

export function checkServerDomains(
  domains: ServerDomains,
  platform: PlatformDomains,
  prefix = 'server_domains',
): void {
  for (const kind of SERVER_KINDS) {
    checkList(domains[kind] ?? [], `${prefix}.${kind}`, (v, f) => {
      const d = parseDomain(v, f);
      if (d.scheme !== SCHEME[kind]) {
        throw bad(f, `"${v}": ${kind} domains start with ${SCHEME[kind]}://`, {
          reason: 'domain_scheme',
          value: v,
          kind,
          scheme: SCHEME[kind],
        });
      }
      if (platform.server.length > 0 && !platform.server.includes(d.host)) {
        throw bad(f, `"${d.host}" is not among the platform's registered server domains`, {
          reason: 'domain_not_on_platform',
          host: d.host,
        });
      }
    });
  }
}

export function checkWebviewDomains(
  domains: string[],
  platform: PlatformDomains,
  field = 'webview_domains',
): void {
  checkList(domains, field, (v, f) => {
    const d = parseDomain(v, f);
    if (d.scheme !== 'https') {
      throw bad(f, `"${v}": business domains start with https://`, {
        reason: 'domain_scheme',
        value: v,
        kind: 'webview',
        scheme: 'https',
      });
    }
    if (d.port) {
      throw bad(f, `"${v}": business domains take no port`, {
        reason: 'webview_domain_port',
        value: v,
      });
    }
    const registered = platform.webview.some((p) => d.host === p || d.host.endsWith(`.${p}`));
    if (platform.webview.length > 0 && !registered) {
      throw bad(f, `"${d.host}" is not a platform business domain or one of its subdomains`, {
        reason: 'webview_domain_not_on_platform',
        host: d.host,
      });
    }
  });
}

export function checkCategories(list: Array<{ first: number; second: number }>, field: string) {
  const seen = new Set<string>();
  list.forEach((c, i) => {
    const key = `${c.first}/${c.second}`;
    if (seen.has(key)) {
      throw bad(`${field}[${i}]`, `category ${key} is listed twice`, {
        reason: 'listed_twice',
        value: key,
      });
    }
    seen.add(key);
  });
}

export function checkPrivacy(p: PrivacySpec, field = 'privacy'): void {
  const o = p.owner_setting;
  const contacts = ['contact_email', 'contact_phone', 'contact_qq', 'contact_weixin'];
  if (!contacts.some((k) => (o[k] ?? '') !== '')) {
    throw bad(`${field}.owner_setting`, `give at least one of ${contacts.join(', ')}`, {
      reason: 'privacy_contact_missing',
      fields: contacts.join(', '),
    });
  }
  if (!o['notice_method']) {
    throw bad(`${field}.owner_setting.notice_method`, 'say how users are told of changes', {
      reason: 'privacy_notice_missing',
    });
  }
  const seen = new Set<string>();
  p.setting_list.forEach((s, i) => {
    if (seen.has(s.privacy_key)) {
      throw bad(`${field}.setting_list[${i}]`, `privacy_key ${s.privacy_key} is listed twice`, {
        reason: 'listed_twice',
        value: s.privacy_key,
      });
    }
    seen.add(s.privacy_key);
  });
}

export function checkPrivacyInterfaces(
  list: PrivacyInterfaceSpec[],
  field = 'privacy_interfaces',
): void {
  const known: readonly string[] = PRIVACY_INTERFACE_NAMES;
  const seen = new Set<string>();
  list.forEach((p, i) => {
    const f = `${field}[${i}]`;
    if (!known.includes(p.api_name)) {
      throw new AppError(
        'bad_request',
        `${f}.api_name: "${p.api_name}" is not a privacy interface (names are case-sensitive: ${known.join(', ')})`,
        {
          details: {
            field: `${f}.api_name`,
            params: { reason: 'privacy_interface_unknown', api_name: p.api_name, known },
          },
        },
      );
    }
    if (seen.has(p.api_name)) {
      throw bad(`${f}.api_name`, `${p.api_name} is listed twice`, {
        reason: 'listed_twice',
        value: p.api_name,
      });
    }
    seen.add(p.api_name);
    checkApplication(p, `${f}.`);
  });
}

/** Every check of a profile, before anything is saved. */
export function checkSpec(spec: ProfileSpec, platform: PlatformDomains): void {
  if (spec.server_domains) checkServerDomains(spec.server_domains, platform);
  if (spec.webview_domains) checkWebviewDomains(spec.webview_domains, platform);
  if (spec.categories) checkCategories(spec.categories, 'categories');
  if (spec.privacy) checkPrivacy(spec.privacy);
  if (spec.privacy_interfaces) checkPrivacyInterfaces(spec.privacy_interfaces);
}
