import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/**
 * Server and business (web-view) domains of an authorized mini program, mode 1 (the platform's
 * registered domains). Reference: ../shared/wechat/02 §2.1–2.2.
 */
const DOC =
  'https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/miniprogram-management/domain-management/';

const list = z.array(z.string()).max(1000);
const action = z.enum(['add', 'delete', 'set', 'get']);

export const SERVER_DOMAIN_FIELDS = [
  'requestdomain',
  'wsrequestdomain',
  'uploaddomain',
  'downloaddomain',
  'udpdomain',
  'tcpdomain',
] as const;

export const domainEndpoints = defineEndpoints({
  modify_domain: {
    name: 'modify_domain',
    method: 'POST',
    effect: 'write',
    readWhen: { field: 'action', values: ['get'] },
    path: '/wxa/modify_domain',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      action,
      requestdomain: list.optional(),
      wsrequestdomain: list.optional(),
      uploaddomain: list.optional(),
      downloaddomain: list.optional(),
      udpdomain: list.optional(),
      tcpdomain: list.optional(),
    }),
    response: z.looseObject({
      requestdomain: list.optional(),
      wsrequestdomain: list.optional(),
      uploaddomain: list.optional(),
      downloaddomain: list.optional(),
      udpdomain: list.optional(),
      tcpdomain: list.optional(),
      // The domains WeChat filtered out (rules, platform list, ICP); the lists above are what
      // was kept. Source: community/develop/doc/0002c6d28486c00ed50daec9551000.
      invalid_requestdomain: list.optional(),
      invalid_wsrequestdomain: list.optional(),
      invalid_uploaddomain: list.optional(),
      invalid_downloaddomain: list.optional(),
      invalid_udpdomain: list.optional(),
      invalid_tcpdomain: list.optional(),
      no_icp_domain: list.optional(),
    }),
    errcodes: [85015, 85016, 85017, 85018, 85301, 85302, 85303],
    doc: `${DOC}modifyServerDomain.html`,
    summary: 'Get, add, delete or set the server domains of a mini program',
  },
  setwebviewdomain: {
    name: 'setwebviewdomain',
    method: 'POST',
    effect: 'write',
    readWhen: { field: 'action', values: ['get'] },
    path: '/wxa/setwebviewdomain',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ action: action.optional(), webviewdomain: list.optional() }),
    response: z.looseObject({ webviewdomain: list.optional() }),
    errcodes: [89019, 89020, 89021, 89029, 89231],
    doc: `${DOC}modifyJumpDomain.html`,
    summary: 'Get, add, delete or set the business (web-view) domains of a mini program',
  },
});
