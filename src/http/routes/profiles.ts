import type { FastifyInstance } from 'fastify';
import type { ProfileInput, ProfileService } from '../../services/profile/profiles.ts';
import type { ProfileSync } from '../../services/profile/sync.ts';
import type { BasicInfoInput, MpSettings } from '../../services/mp-settings.ts';
import type { PrivacySpec, ServerDomains } from '../../services/profile/spec.ts';
import { endpoints, type EndpointName } from '../../wechat/endpoints/index.ts';
import { callerGuard, requireAppidAccess, type GuardDeps } from '../auth.ts';
import { errorBody } from '../schemas.ts';

/** Configuration profiles, drift and apply, and per mini program settings by hand (admin). */
export interface ProfileRouteDeps extends GuardDeps {
  profiles: ProfileService;
  sync: ProfileSync;
  settings: MpSettings;
}

const security = [{ bearerAuth: [] }];
const errors = { 400: errorBody, 401: errorBody, 404: errorBody, 409: errorBody, 502: errorBody };
const list = { type: 'array', items: { type: 'string', maxLength: 300 }, maxItems: 300 } as const;
const serverDomains = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { request: list, socket: list, upload: list, download: list, udp: list, tcp: list },
} as const;
const domainsSet = {
  type: 'object',
  additionalProperties: false,
  required: ['request', 'socket', 'upload', 'download', 'udp', 'tcp'],
  properties: {
    ...serverDomains.properties,
    filtered: {
      type: 'object',
      additionalProperties: false,
      description:
        'Present when WeChat dropped some of the domains (modify_domain answered errcode 0 with invalid_* and no_icp_domain lists)',
      properties: { ...serverDomains.properties, no_icp: list },
    },
  },
} as const;
const category = {
  type: 'object',
  additionalProperties: false,
  required: ['first', 'second'],
  properties: { first: { type: 'integer' }, second: { type: 'integer' } },
} as const;
const privacy = {
  type: 'object',
  additionalProperties: false,
  required: ['owner_setting', 'setting_list'],
  properties: {
    owner_setting: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 500 },
    },
    setting_list: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['privacy_key', 'privacy_text'],
        properties: {
          privacy_key: { type: 'string', minLength: 1, maxLength: 64 },
          privacy_text: { type: 'string', minLength: 1, maxLength: 500 },
        },
      },
    },
  },
} as const;
const profileBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    default: { type: 'boolean' },
    server_domains: serverDomains,
    webview_domains: { ...list, type: ['array', 'null'] },
    categories: { type: ['array', 'null'], items: category, maxItems: 20 },
    privacy: { ...privacy, type: ['object', 'null'] },
    privacy_interfaces: {
      type: ['array', 'null'],
      maxItems: 20,
      description:
        "The privacy interfaces the template's code calls (e.g. wx.getLocation): applied for with apply_privacy_interface by drift/apply (content is the reason, and at least one of url_list, pic_list, video_list shows the use), and declared in the committed ext_json's requiredPrivateInfos",
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['api_name', 'content'],
        properties: {
          api_name: { type: 'string', minLength: 1, maxLength: 64 },
          content: { type: 'string', minLength: 1, maxLength: 600 },
          url_list: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 1000 } },
          pic_list: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 1000 } },
          video_list: { type: 'array', maxItems: 5, items: { type: 'string', maxLength: 1000 } },
        },
      },
    },
    basic_info: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { signature: { type: 'string', maxLength: 120 } },
    },
  },
} as const;
/** A profile as the routes answer it (services/profile/profiles.ts `Profile`). */
const profile = {
  title: 'Profile',
  type: 'object',
  required: ['id', 'name', 'default', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    default: { type: 'boolean' },
    server_domains: serverDomains,
    webview_domains: profileBody.properties.webview_domains,
    categories: profileBody.properties.categories,
    privacy: profileBody.properties.privacy,
    privacy_interfaces: profileBody.properties.privacy_interfaces,
    basic_info: profileBody.properties.basic_info,
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;
const profileList = {
  title: 'ProfileList',
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        ...profile,
        title: 'ProfileListItem',
        required: [...profile.required, 'tenant_ids'],
        properties: {
          ...profile.properties,
          tenant_ids: {
            type: 'array',
            items: { type: 'string' },
            description:
              'The tenants given this profile (the default also serves every other tenant)',
          },
        },
      },
    },
  },
} as const;
const tenantProfile = {
  title: 'TenantProfile',
  type: 'object',
  required: ['tenant_id', 'profile_id'],
  properties: {
    tenant_id: { type: 'string' },
    profile_id: { type: ['string', 'null'], description: 'null: the default profile' },
  },
} as const;
/** A WeChat call that removes a difference (services/profile/sync.ts `PlannedCall`). */
const plannedCall = {
  endpoint: {
    type: 'string',
    description: 'The WeChat API (modify_domain, setwebviewdomain, addcategory, …)',
  },
  body: {
    type: 'object',
    additionalProperties: true,
    description: 'The body sent to WeChat, as its documentation of the API writes it',
  },
} as const;
const difference = {
  type: 'object',
  required: ['area', 'field', 'expected', 'actual'],
  properties: {
    area: {
      type: 'string',
      enum: [
        'server_domains',
        'webview_domains',
        'categories',
        'privacy',
        'privacy_interfaces',
        'basic_info',
      ],
    },
    field: {
      type: 'string',
      description:
        'The kind of server domain, owner_setting.<key>, setting_list, the interface name, …',
    },
    expected: { description: "The profile's value (a list, a string, 'approved')" },
    actual: { description: "WeChat's value now (null when it has none)" },
  },
} as const;
const driftProperties = {
  appid: { type: 'string' },
  profile_id: { type: 'string' },
  in_sync: { type: 'boolean' },
  differences: { type: 'array', items: difference },
  calls: {
    type: 'array',
    items: { type: 'object', required: ['endpoint', 'body'], properties: plannedCall },
  },
} as const;
const driftRequired = ['appid', 'profile_id', 'in_sync', 'differences', 'calls'] as const;
const drift = {
  title: 'ProfileDrift',
  type: 'object',
  required: driftRequired,
  properties: driftProperties,
} as const;
const filteredDomains = domainsSet.properties.filtered;
const applyResult = {
  title: 'ProfileApplyResult',
  type: 'object',
  required: [...driftRequired, 'dry_run', 'ok', 'results'],
  properties: {
    ...driftProperties,
    dry_run: { type: 'boolean' },
    ok: { type: 'boolean', description: 'Every call succeeded (a dry run: true)' },
    results: {
      type: 'array',
      description: 'One per call made (none in a dry run)',
      items: {
        type: 'object',
        required: ['endpoint', 'body', 'ok'],
        properties: {
          ...plannedCall,
          ok: { type: 'boolean' },
          errcode: { type: 'integer', description: "WeChat's errcode when it refused the call" },
          errmsg: { type: 'string' },
          message: { type: 'string' },
          filtered: filteredDomains,
        },
      },
    },
  },
} as const;
const applyManyResult = {
  title: 'ProfileBulkApplyResult',
  type: 'object',
  required: ['dry_run', 'results'],
  properties: {
    dry_run: { type: 'boolean' },
    results: {
      type: 'array',
      items: {
        anyOf: [
          applyResult,
          {
            title: 'ProfileApplyFailure',
            type: 'object',
            description: 'The drift could not be read (no profile, WeChat failing, …)',
            required: ['appid', 'ok', 'error', 'code', 'params'],
            properties: {
              appid: { type: 'string' },
              ok: { type: 'boolean', enum: [false] },
              error: { type: 'string', description: 'In English, for logs' },
              code: {
                type: 'string',
                description:
                  "The error's stable code (as in an Error answer; wechat_error with params.errcode)",
              },
              params: {
                type: 'object',
                additionalProperties: true,
                description: 'params.reason and the values its words need',
              },
            },
          },
        ],
      },
    },
  },
} as const;
const domains = {
  title: 'ServerDomains',
  type: 'object',
  required: ['request', 'socket', 'upload', 'download', 'udp', 'tcp'],
  properties: serverDomains.properties,
} as const;
const webviewDomains = {
  title: 'WebviewDomains',
  type: 'object',
  required: ['webview_domains'],
  properties: { webview_domains: { type: 'array', items: { type: 'string' } } },
} as const;
/**
 * WeChat's own answer to the endpoint, passed on as it is (its errcode and errmsg included): the
 * contract test lists these routes as pass-throughs.
 */
const wechatAnswer = (name: EndpointName) =>
  ({
    type: 'object',
    additionalProperties: true,
    description: `WeChat's answer to ${name}, as it is (${endpoints[name].doc})`,
  }) as const;
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } } as const;
const appidParams = {
  type: 'object',
  properties: { appid: { type: 'string', pattern: '^wx[0-9a-zA-Z]{16}$' } },
} as const;
/** A route's schema: its success answer under `status` (200 unless given), and the errors. */
const ok = (
  summary: string,
  tag: string,
  answer: object,
  extra: Record<string, unknown> = {},
  status = 200,
) => ({
  schema: { tags: [tag], security, summary, response: { [status]: answer, ...errors }, ...extra },
});

type Id = { Params: { id: string } };
type App = { Params: { appid: string } };

export function profileRoutes(deps: ProfileRouteDeps) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));
    const { profiles, sync, settings } = deps;
    const tag = 'Profiles';
    const base = '/api/admin/profiles';
    const P = { params: idParams };
    const A = { params: appidParams };

    app.post<{ Body: ProfileInput }>(
      base,
      ok(
        'Create a profile (the first one is the default)',
        tag,
        profile,
        { body: profileBody },
        201,
      ),
      async (req, reply) => reply.status(201).send(await profiles.create(req.body)),
    );
    app.get(base, ok('All profiles', tag, profileList), async () => ({
      items: await profiles.list(),
    }));
    app.get<Id>(`${base}/:id`, ok('One profile', tag, profile, P), (req) =>
      profiles.get(req.params.id),
    );
    app.patch<Id & { Body: ProfileInput }>(
      `${base}/:id`,
      ok('Change a profile (validated as a whole)', tag, profile, { ...P, body: profileBody }),
      (req) => profiles.update(req.params.id, req.body),
    );
    const deleted = { type: 'null', description: 'Deleted' } as const;
    app.delete<Id>(
      `${base}/:id`,
      ok('Delete a profile', tag, deleted, P, 204),
      async (req, reply) => {
        await profiles.remove(req.params.id);
        return reply.status(204).send();
      },
    );
    app.put<Id>(`${base}/:id/default`, ok('Make a profile the default', tag, profile, P), (req) =>
      profiles.setDefault(req.params.id),
    );
    app.put<{ Params: { id: string }; Body: { profile_id: string | null } }>(
      '/api/admin/tenants/:id/profile',
      ok('Give a tenant its own profile (null: the default)', tag, tenantProfile, {
        ...P,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['profile_id'],
          properties: { profile_id: { type: ['string', 'null'], maxLength: 64 } },
        },
      }),
      async (req) => {
        await profiles.assignToTenant(req.params.id, req.body.profile_id);
        return { tenant_id: req.params.id, profile_id: req.body.profile_id };
      },
    );
    app.post<{
      Body: { filter: { tenant_id?: string; appids?: string[]; all?: boolean }; dry_run?: boolean };
    }>(
      `${base}/apply`,
      ok('Apply the profiles to many mini programs', tag, applyManyResult, {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['filter'],
          properties: {
            dry_run: { type: 'boolean' },
            filter: {
              type: 'object',
              additionalProperties: false,
              properties: {
                tenant_id: { type: 'string', maxLength: 64 },
                appids: { type: 'array', items: { type: 'string' }, maxItems: 1000 },
                all: { type: 'boolean' },
              },
            },
          },
        },
      }),
      (req) => sync.applyMany(req.body.filter, req.body.dry_run === true),
    );

    const mp = '/api/admin/authorizers/:appid';
    const access = (
      req: { params: { appid: string } } & Parameters<typeof requireAppidAccess>[1],
    ) => requireAppidAccess(deps.db, req, req.params.appid);
    app.get<App>(
      `${mp}/drift`,
      ok('Differences between WeChat and the profile', tag, drift, A),
      async (req) => {
        await access(req);
        return sync.drift(req.params.appid);
      },
    );
    app.post<App & { Body: { dry_run?: boolean } | undefined }>(
      `${mp}/apply`,
      ok('Apply the profile (dry_run: only the calls)', tag, applyResult, {
        ...A,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { dry_run: { type: 'boolean' } },
        },
      }),
      async (req) => {
        await access(req);
        return sync.apply(req.params.appid, req.body?.dry_run === true);
      },
    );

    const mtag = 'Mini program settings';
    app.get<App>(`${mp}/domains`, ok('Server domains', mtag, domains, A), async (req) => {
      await access(req);
      return settings.domains(req.params.appid);
    });
    app.put<App & { Body: ServerDomains }>(
      `${mp}/domains`,
      {
        schema: {
          ...ok('Set the server domains (modify_domain set)', mtag, domainsSet).schema,
          ...A,
          description:
            'Answers the domains WeChat kept. WeChat filters rather than refuses: domains against its rules, not among the platform’s server domains or without an ICP filing are dropped and the rest applied (errcode 0); `filtered` then names the dropped ones per kind, and `no_icp` those without an ICP filing. Nothing left to apply is a 502 (errcode 85301).',
          body: { ...serverDomains, type: 'object' },
        },
      },
      async (req) => {
        await access(req);
        return settings.setDomains(req.params.appid, req.body);
      },
    );
    app.get<App>(
      `${mp}/webview-domains`,
      ok('Business domains', mtag, webviewDomains, A),
      async (req) => {
        await access(req);
        return { webview_domains: await settings.webviewDomains(req.params.appid) };
      },
    );
    app.put<App & { Body: { webview_domains: string[] } }>(
      `${mp}/webview-domains`,
      ok('Set the business domains (setwebviewdomain set)', mtag, webviewDomains, {
        ...A,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['webview_domains'],
          properties: { webview_domains: list },
        },
      }),
      async (req) => {
        await access(req);
        return {
          webview_domains: await settings.setWebviewDomains(
            req.params.appid,
            req.body.webview_domains,
          ),
        };
      },
    );
    app.get<App>(
      `${mp}/categories`,
      ok('Configured categories', mtag, wechatAnswer('getcategory'), A),
      async (req) => {
        await access(req);
        return settings.categories(req.params.appid);
      },
    );
    app.get<App>(
      `${mp}/categories/available`,
      ok('Categories WeChat offers', mtag, wechatAnswer('getallcategories'), A),
      async (req) => {
        await access(req);
        return settings.availableCategories(req.params.appid);
      },
    );
    app.post<App & { Body: { categories: Array<{ first: number; second: number }> } }>(
      `${mp}/categories`,
      ok('Add categories (answers getcategory after)', mtag, wechatAnswer('getcategory'), {
        ...A,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['categories'],
          properties: { categories: { type: 'array', items: category, minItems: 1, maxItems: 20 } },
        },
      }),
      async (req) => {
        await access(req);
        return settings.addCategories(req.params.appid, req.body.categories);
      },
    );
    app.delete<App & { Body: { first: number; second: number } }>(
      `${mp}/categories`,
      ok('Delete a category (answers getcategory after)', mtag, wechatAnswer('getcategory'), {
        ...A,
        body: category,
      }),
      async (req) => {
        await access(req);
        return settings.deleteCategory(req.params.appid, req.body);
      },
    );
    app.get<App>(
      `${mp}/privacy`,
      ok('Privacy guide (development version)', mtag, wechatAnswer('getprivacysetting'), A),
      async (req) => {
        await access(req);
        return settings.privacy(req.params.appid);
      },
    );
    app.put<App & { Body: PrivacySpec }>(
      `${mp}/privacy`,
      ok(
        'Set the privacy guide (answers getprivacysetting after)',
        mtag,
        wechatAnswer('getprivacysetting'),
        {
          ...A,
          body: privacy,
        },
      ),
      async (req) => {
        await access(req);
        return settings.setPrivacy(req.params.appid, req.body);
      },
    );
    app.put<App & { Body: BasicInfoInput }>(
      `${mp}/basic-info`,
      ok(
        'Change the signature, the name and/or the avatar (answers getaccountbasicinfo after)',
        mtag,
        wechatAnswer('getaccountbasicinfo'),
        {
          ...A,
          description:
            'The avatar is an image uploaded with POST /api/proxy/{appid}/cgi-bin/media/upload?type=image; give its media_id and optionally the crop box (fractions 0..1, default the whole image).',
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              signature: { type: 'string', maxLength: 120 },
              nickname: { type: 'string', minLength: 1, maxLength: 30 },
              head_img_media_id: { type: 'string', maxLength: 200 },
              head_img_crop: {
                type: 'object',
                additionalProperties: false,
                required: ['x1', 'y1', 'x2', 'y2'],
                properties: {
                  x1: { type: 'number' },
                  y1: { type: 'number' },
                  x2: { type: 'number' },
                  y2: { type: 'number' },
                },
              },
            },
          },
        },
      ),
      async (req) => {
        await access(req);
        return settings.setBasicInfo(req.params.appid, req.body);
      },
    );
  };
}
