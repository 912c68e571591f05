/**
 * What a tenant key may call through `/api/proxy/:appid/<path>`: an explicit allow list of the
 * WeChat APIs a merchant's own systems call with their authorizer token, grouped by permission.
 * Everything else — the code pipeline, registration, domains, categories, privacy, basic info,
 * code templates, testers, quotas, the authorization options — belongs to the platform and is
 * done through openwx's own routes, which keep its records (version history, profiles) true.
 * Tenant keys carry no scopes today: every tenant key holds every permission below. The admin
 * token may call any path. Paths follow developers.weixin.qq.com (mini program and official
 * account server APIs) and ../shared/wechat/03 §3.
 */
export interface ProxyPermission {
  /** The permission's name, as shown in the proxy's refusals and the README. */
  readonly name: string;
  readonly summary: string;
  /** Exact WeChat paths. */
  readonly paths: readonly string[];
  /** Path prefixes (ending in `/`) whose every path is allowed: areas that are the merchant's own. */
  readonly prefixes?: readonly string[];
}

export const TENANT_PROXY_PERMISSIONS: readonly ProxyPermission[] = [
  {
    name: 'messages',
    summary:
      'customer service, subscribe, template, mass and updatable messages, and their message templates',
    paths: [
      '/cgi-bin/message/custom/send',
      '/cgi-bin/message/custom/typing',
      '/cgi-bin/message/subscribe/send',
      '/cgi-bin/message/subscribe/bizsend',
      '/cgi-bin/message/template/send',
      '/cgi-bin/message/mass/sendall',
      '/cgi-bin/message/mass/send',
      '/cgi-bin/message/mass/preview',
      '/cgi-bin/message/mass/get',
      '/cgi-bin/message/mass/delete',
      '/cgi-bin/message/wxopen/activityid/create',
      '/cgi-bin/message/wxopen/updatablemsg/send',
      '/wxaapi/newtmpl/addtemplate',
      '/wxaapi/newtmpl/deltemplate',
      '/wxaapi/newtmpl/getcategory',
      '/wxaapi/newtmpl/getpubtemplatetitles',
      '/wxaapi/newtmpl/getpubtemplatekeywords',
      '/wxaapi/newtmpl/gettemplate',
      '/cgi-bin/template/api_add_template',
      '/cgi-bin/template/get_all_private_template',
      '/cgi-bin/template/del_private_template',
      '/cgi-bin/template/get_industry',
      '/cgi-bin/customservice/getkflist',
      '/cgi-bin/customservice/getonlinekflist',
    ],
    prefixes: [
      '/customservice/kfaccount/',
      '/customservice/kfsession/',
      '/customservice/msgrecord/',
    ],
  },
  {
    name: 'users',
    summary: 'user information, tags, remarks, the blacklist and phone numbers',
    paths: [
      '/cgi-bin/user/info',
      '/cgi-bin/user/info/batchget',
      '/cgi-bin/user/info/updateremark',
      '/cgi-bin/user/get',
      '/cgi-bin/user/tag/get',
      '/cgi-bin/tags/create',
      '/cgi-bin/tags/get',
      '/cgi-bin/tags/update',
      '/cgi-bin/tags/delete',
      '/cgi-bin/tags/getidlist',
      '/cgi-bin/tags/members/batchtagging',
      '/cgi-bin/tags/members/batchuntagging',
      '/cgi-bin/tags/members/getblacklist',
      '/cgi-bin/tags/members/batchblacklist',
      '/cgi-bin/tags/members/batchunblacklist',
      '/wxa/business/getuserphonenumber',
      '/wxa/getpaidunionid',
      '/wxa/getuserriskrank',
    ],
  },
  {
    name: 'qrcodes',
    summary: 'mini program codes, QR codes, URL schemes, URL links and short links',
    paths: [
      '/wxa/getwxacode',
      '/wxa/getwxacodeunlimit',
      '/cgi-bin/wxaapp/createwxaqrcode',
      '/wxa/generatescheme',
      '/wxa/queryscheme',
      '/wxa/generate_urllink',
      '/wxa/query_urllink',
      '/wxa/genwxashortlink',
      '/cgi-bin/qrcode/create',
      '/cgi-bin/shorten/gen',
      '/cgi-bin/shorten/fetch',
    ],
  },
  {
    name: 'media',
    summary: 'temporary media and an official account’s materials',
    paths: [
      '/cgi-bin/media/upload',
      '/cgi-bin/media/uploadimg',
      '/cgi-bin/media/get',
      '/cgi-bin/material/add_material',
      '/cgi-bin/material/add_news',
      '/cgi-bin/material/update_news',
      '/cgi-bin/material/get_material',
      '/cgi-bin/material/del_material',
      '/cgi-bin/material/get_materialcount',
      '/cgi-bin/material/batchget_material',
    ],
  },
  {
    name: 'menus',
    summary: 'an official account’s custom menus',
    paths: [
      '/cgi-bin/menu/create',
      '/cgi-bin/menu/get',
      '/cgi-bin/menu/delete',
      '/cgi-bin/menu/addconditional',
      '/cgi-bin/menu/delconditional',
      '/cgi-bin/menu/trymatch',
      '/cgi-bin/get_current_selfmenu_info',
    ],
  },
  {
    name: 'analysis',
    summary: 'data analysis (visits, retention, user portraits, messages, articles)',
    paths: [],
    prefixes: ['/datacube/'],
  },
  {
    name: 'content_security',
    summary: 'text and media content checks',
    paths: ['/wxa/msg_sec_check', '/wxa/media_check_async', '/wxa/img_sec_check'],
  },
  {
    name: 'diagnostics',
    summary: 'an API’s daily quota and a request id’s details (read only)',
    paths: ['/cgi-bin/openapi/quota/get', '/cgi-bin/openapi/rid/get'],
  },
];

const exact = new Map<string, string>();
for (const p of TENANT_PROXY_PERMISSIONS) for (const path of p.paths) exact.set(path, p.name);

/** The permission that lets a tenant key call `path`, or undefined when the path is refused. */
export function tenantProxyPermission(path: string): string | undefined {
  const named = exact.get(path);
  if (named) return named;
  for (const p of TENANT_PROXY_PERMISSIONS) {
    for (const prefix of p.prefixes ?? []) {
      // One more path segment after the prefix, nothing deeper.
      if (path.startsWith(prefix) && /^[A-Za-z0-9_]+$/.test(path.slice(prefix.length))) {
        return p.name;
      }
    }
  }
  return undefined;
}

const CODE_PATHS =
  /^\/wxa\/(commit|submit_audit|release|revertcoderelease|grayrelease|revertgrayrelease|getgrayreleaseplan|undocodeaudit|speedupaudit|change_visitstatus|getvisitstatus|get_qrcode|getversioninfo|get_auditstatus|get_latest_auditstatus|get_page|get_category|queryquota|uploadmedia)$/;

const TESTER_PATHS = /^\/wxa\/(bind_tester|unbind_tester|memberauth)$/;

/** The openwx route a tenant uses instead of a refused path, when there is one. */
export function insteadOf(path: string): string | undefined {
  if (path.startsWith('/wxa/icp/')) {
    return 'GET /api/tenant/authorizers/:appid/icp (the operator files the mini program)';
  }
  if (TESTER_PATHS.test(path)) {
    return 'GET, POST or DELETE /api/tenant/authorizers/:appid/testers';
  }
  if (CODE_PATHS.test(path)) {
    return 'POST /api/tenant/deploy (state: GET /api/tenant/authorizers/:appid/code and …/versions)';
  }
  if (path === '/cgi-bin/ticket/getticket') {
    return 'POST /api/tenant/officialaccount/:appid/jssdk/signature';
  }
  if (path.startsWith('/sns/')) {
    return 'POST /api/tenant/miniprogram/:appid/session or GET /api/tenant/officialaccount/:appid/oauth-url';
  }
  return undefined;
}
