import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/** Categories of an authorized mini program. Reference: ../shared/wechat/02 §5.5. */
const DOC =
  'https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/miniprogram-management/category-management/';

const ok = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });
const id = z.number().int();

export const categoryEndpoints = defineEndpoints({
  getallcategories: {
    name: 'getallcategories',
    method: 'GET',
    path: '/cgi-bin/wxopen/getallcategories',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({
      categories_list: z.looseObject({
        categories: z.array(
          z.looseObject({ id, name: z.string(), level: z.number(), father: z.number() }),
        ),
      }),
    }),
    errcodes: [41033],
    doc: `${DOC}getAllCategories.html`,
    summary: 'All categories a mini program may choose from',
  },
  getcategory: {
    name: 'getcategory',
    method: 'GET',
    path: '/cgi-bin/wxopen/getcategory',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({
      categories: z.array(
        z.looseObject({ first: id, second: id, audit_status: z.number().optional() }),
      ),
      limit: z.number().optional(),
      quota: z.number().optional(),
      category_limit: z.number().optional(),
    }),
    errcodes: [41033],
    doc: `${DOC}getSettingCategories.html`,
    summary: 'The categories configured on a mini program',
  },
  addcategory: {
    name: 'addcategory',
    method: 'POST',
    effect: 'write',
    path: '/cgi-bin/wxopen/addcategory',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      categories: z
        .array(
          z.object({
            first: id,
            second: id,
            certicates: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
          }),
        )
        .min(1),
    }),
    response: ok,
    errcodes: [53300, 53301, 53302, 53303, 53304, 53305, 53310, 53311, 41033],
    doc: `${DOC}addCategory.html`,
    summary: 'Add categories to a mini program',
  },
  deletecategory: {
    name: 'deletecategory',
    method: 'POST',
    effect: 'write',
    path: '/cgi-bin/wxopen/deletecategory',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ first: id, second: id }),
    response: ok,
    errcodes: [53303, 53308, 53309, 41033],
    doc: `${DOC}deleteCategory.html`,
    summary: 'Delete a category of a mini program',
  },
});
