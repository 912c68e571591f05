/** The template library's answers, typed from the server's services. */
import type { TemplateService } from '../../../../src/services/templates.ts';
import type { CodeHistory } from '../../../../src/services/code/code-history.ts';
import type { Json } from '../../api-types.ts';

type Answer<F extends (...args: never[]) => unknown> = Json<Awaited<ReturnType<F>>>;

export type TemplateList = Answer<TemplateService['list']>;
export type Template = TemplateList['items'][number];
export type LibraryWarning = TemplateList['warnings'][number];
export type DraftList = Answer<TemplateService['drafts']>;
export type Draft = DraftList['items'][number];
export type TemplateUsage = Answer<CodeHistory['templateUsage']>;
