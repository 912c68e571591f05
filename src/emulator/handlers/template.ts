import { addTemplate, authorizedLibrary } from '../templates.ts';
import { WxApiError } from '../wx-error.ts';
import { OK, type HandlerTable } from './types.ts';

/**
 * The template library APIs (component token): draft box, add a draft, list and delete templates.
 * Reference: ../shared/wechat/02 §4, §8.1.
 */
export const templateHandlers: HandlerTable = {
  gettemplatedraftlist: {
    handle({ ctx }) {
      const lib = authorizedLibrary(ctx);
      return { ...OK, draft_list: [...lib.drafts.values()].map((d) => ({ ...d })) };
    },
  },
  addtotemplate: {
    handle({ ctx, body }) {
      addTemplate(ctx, body.draft_id, body.template_type ?? 0);
      return { ...OK };
    },
  },
  gettemplatelist: {
    handle({ ctx, body }) {
      const lib = authorizedLibrary(ctx);
      const type = body.template_type === undefined ? undefined : Number(body.template_type);
      const list = [...lib.templates.values()]
        .filter((t) => type === undefined || t.template_type === type)
        .map((t) => ({ ...t, category_list: [] }));
      return { ...OK, template_list: list };
    },
  },
  deletetemplate: {
    handle({ ctx, body }) {
      const lib = authorizedLibrary(ctx);
      if (!lib.templates.delete(body.template_id)) {
        throw new WxApiError(85064, `template ${body.template_id} not found`);
      }
      return { ...OK };
    },
  },
};
