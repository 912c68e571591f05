import { nowSeconds, type EmulatorContext } from './context.ts';
import type { EmulatorState } from './state.ts';
import { WxApiError } from './wx-error.ts';

/**
 * The platform's draft box and template library. Drafts arrive through the control API, as an
 * upload from WeChat DevTools or miniprogram-ci would put them there; templates are made from
 * drafts by addtotemplate. The library has a limit (200 by default; 85065 when full), and the
 * template APIs can be switched to answer 48001 as they do for some accounts.
 * Reference: ../shared/wechat/02 §4, §8.1.
 */
export interface Draft {
  draft_id: number;
  user_version: string;
  user_desc: string;
  create_time: number;
  source_miniprogram_appid: string;
  source_miniprogram: string;
  developer: string;
}

export interface Template extends Draft {
  template_id: number;
  template_type: 0 | 1;
}

export interface TemplateLibrary {
  drafts: Map<number, Draft>;
  templates: Map<number, Template>;
  draftSeq: number;
  templateSeq: number;
  limit: number;
  /** The template APIs answer 48001 (api unauthorized). */
  unauthorized: boolean;
}

export const DEFAULT_TEMPLATE_LIMIT = 200;

const byState = new WeakMap<EmulatorState, TemplateLibrary>();

export function templateLibrary(ctx: EmulatorContext): TemplateLibrary {
  let lib = byState.get(ctx.state);
  if (!lib) {
    lib = {
      drafts: new Map(),
      templates: new Map(),
      draftSeq: 0,
      templateSeq: 0,
      limit: DEFAULT_TEMPLATE_LIMIT,
      unauthorized: false,
    };
    byState.set(ctx.state, lib);
  }
  return lib;
}

/** 48001 when the switch is on; otherwise the library. */
export function authorizedLibrary(ctx: EmulatorContext): TemplateLibrary {
  const lib = templateLibrary(ctx);
  if (lib.unauthorized) throw new WxApiError(48001);
  return lib;
}

export function uploadDraft(
  ctx: EmulatorContext,
  input: {
    user_version: string;
    user_desc: string;
    source_miniprogram_appid?: string | undefined;
    source_miniprogram?: string | undefined;
    developer?: string | undefined;
  },
): Draft {
  const lib = templateLibrary(ctx);
  lib.draftSeq++;
  const draft: Draft = {
    draft_id: lib.draftSeq,
    user_version: input.user_version,
    user_desc: input.user_desc,
    create_time: nowSeconds(ctx),
    source_miniprogram_appid: input.source_miniprogram_appid ?? 'wxdevtemplate00001',
    source_miniprogram: input.source_miniprogram ?? 'Template development mini program',
    developer: input.developer ?? 'developer',
  };
  lib.drafts.set(draft.draft_id, draft);
  return draft;
}

export function addTemplate(ctx: EmulatorContext, draftId: number, type: 0 | 1): Template {
  const lib = authorizedLibrary(ctx);
  const draft = lib.drafts.get(draftId);
  if (!draft) throw new WxApiError(85064, `draft ${draftId} not found`);
  if (lib.templates.size >= lib.limit) throw new WxApiError(85065);
  lib.templateSeq++;
  const template: Template = {
    ...draft,
    template_id: lib.templateSeq,
    template_type: type,
    create_time: nowSeconds(ctx),
  };
  lib.templates.set(template.template_id, template);
  return template;
}
