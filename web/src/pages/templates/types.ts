/** The template library's answers, typed from the OpenAPI document (the generated client types). */
import type { Answer } from '../../api-types.ts';

export type TemplateList = Answer<'listTemplates'>;
export type Template = TemplateList['items'][number];
export type LibraryWarning = TemplateList['warnings'][number];
export type DraftList = Answer<'listTemplateDrafts'>;
export type Draft = DraftList['items'][number];
export type TemplateUsage = Answer<'getTemplateUsage'>;
