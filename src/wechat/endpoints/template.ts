import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/**
 * The platform's code template library: the draft box (uploads of the development mini program),
 * templates made from drafts, and their removal. Platform-level, with the component token.
 * Reference: ../shared/wechat/02 §4, §7.
 */
const DOC = 'https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/';

const ok = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });
const shared = {
  create_time: z.number().optional(),
  user_version: z.string().optional(),
  user_desc: z.string().optional(),
  draft_id: z.number(),
  source_miniprogram_appid: z.string().optional(),
  source_miniprogram: z.string().optional(),
  developer: z.string().optional(),
};

export const templateEndpoints = defineEndpoints({
  gettemplatedraftlist: {
    name: 'gettemplatedraftlist',
    method: 'GET',
    path: '/wxa/gettemplatedraftlist',
    token: 'component',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({ draft_list: z.array(z.looseObject(shared)).default([]) }),
    errcodes: [-1, 48001, 85064],
    doc: `${DOC}thirdparty-management/template-management/getTemplatedRaftList.html`,
    summary: 'List the draft box (uploads of the development mini program)',
  },
  addtotemplate: {
    name: 'addtotemplate',
    method: 'POST',
    effect: 'write',
    path: '/wxa/addtotemplate',
    token: 'component',
    tokenParam: 'access_token',
    request: z.object({
      draft_id: z.number().int(),
      template_type: z.union([z.literal(0), z.literal(1)]).optional(),
    }),
    response: ok,
    errcodes: [-1, 48001, 85064, 85065],
    doc: `${DOC}thirdparty-management/template-management/addToTemplate.html`,
    summary:
      'Add a draft to the template library (template_type 0 normal, 1 standard); the answer has no template_id',
  },
  gettemplatelist: {
    name: 'gettemplatelist',
    method: 'GET',
    path: '/wxa/gettemplatelist',
    token: 'component',
    tokenParam: 'access_token',
    request: z.object({ template_type: z.enum(['0', '1']).optional() }),
    response: z.looseObject({
      template_list: z
        .array(
          z.looseObject({
            ...shared,
            template_id: z.number(),
            template_type: z.number().optional(),
          }),
        )
        .default([]),
    }),
    errcodes: [-1, 43001, 48001],
    doc: `${DOC}thirdparty-management/template-management/getTemplateList.html`,
    summary: 'List the template library (GET only; template_type filters, omitted lists all)',
  },
  deletetemplate: {
    name: 'deletetemplate',
    method: 'POST',
    effect: 'write',
    path: '/wxa/deletetemplate',
    token: 'component',
    tokenParam: 'access_token',
    request: z.object({ template_id: z.number().int() }),
    response: ok,
    errcodes: [-1, 48001, 85064],
    doc: `${DOC}thirdparty-management/template-management/deleteTemplate.html`,
    summary: 'Delete a template from the library',
  },
});
