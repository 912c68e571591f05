import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/**
 * Testers (体验者) of a mini program: bind a WeChat ID, unbind by WeChat ID or userstr, list by
 * userstr (WeChat never lists WeChat IDs). Permission set 18, authorizer_access_token.
 * Reference: ../shared/wechat/02 §3.19; ../shared/wechat/03-fidelity-audit.md §3 ("Testers").
 */
const DOC =
  'https://developers.weixin.qq.com/doc/oplatform/openApi/miniprogram-management/member-management/';

export const testerEndpoints = defineEndpoints({
  // Doc api_bindtester (body {wechatid}, answer userstr, errcodes 85001–85004); SKIT
  // WxaBindTesterRequest/Response; WxJava WxOpenMaService API_BIND_TESTER.
  bind_tester: {
    name: 'bind_tester',
    method: 'POST',
    effect: 'write',
    path: '/wxa/bind_tester',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ wechatid: z.string().min(1) }),
    response: z.looseObject({ userstr: z.string().optional() }),
    errcodes: [-1, 85001, 85002, 85003, 85004],
    doc: `${DOC}api_bindtester.html`,
    summary: 'Bind a WeChat ID as a tester of the mini program; answered with its userstr',
  },
  // Doc api_unbindtester (body wechatid or userstr, one of them); SKIT WxaUnbindTesterRequest.
  // An unknown WeChat ID is answered -1 (community/develop/doc/000e682de2cd2825470b4f1af56800).
  unbind_tester: {
    name: 'unbind_tester',
    method: 'POST',
    effect: 'write',
    path: '/wxa/unbind_tester',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      wechatid: z.string().min(1).optional(),
      userstr: z.string().min(1).optional(),
    }),
    response: z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() }),
    errcodes: [-1],
    doc: `${DOC}api_unbindtester.html`,
    summary: 'Unbind a tester by WeChat ID or by userstr',
  },
  // Doc api_gettester (body {"action":"get_experiencer"}, answer members[{userstr}]); SKIT
  // WxaMemberAuthGetExperiencerRequest/Response; WxJava API_GET_TESTERLIST.
  memberauth: {
    name: 'memberauth',
    method: 'POST',
    effect: 'read',
    path: '/wxa/memberauth',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ action: z.string().min(1) }),
    response: z.looseObject({
      members: z.array(z.looseObject({ userstr: z.string() })).optional(),
    }),
    errcodes: [-1],
    doc: `${DOC}api_gettester.html`,
    summary: 'The testers of the mini program (action get_experiencer), by userstr',
  },
});
