/**
 * The answers the authorizers pages read, typed from the server's services (`import type` only).
 */
import type { Json } from '../../api-types.ts';
import type { AuthorizerDirectory } from '../../../../src/services/authorizer-directory.ts';
import type { CodePipeline } from '../../../../src/services/code/code-pipeline.ts';
import type { ProfileSync } from '../../../../src/services/profile/sync.ts';
import type { TemplateService } from '../../../../src/services/templates.ts';

type Answer<F extends (...args: never[]) => unknown> = Json<Awaited<ReturnType<F>>>;

export type AuthorizerListPage = Answer<AuthorizerDirectory['list']>;
export type AuthorizerListItem = AuthorizerListPage['items'][number];
export type AuthorizerDetail = Answer<AuthorizerDirectory['detail']>;
export type CodeState = Answer<CodePipeline['current']>;
export type Versions = Answer<CodePipeline['versions']>;
export type VersionStep = Versions['items'][number];
export type Preflight = Answer<CodePipeline['checkPreflight']>;
export type Drift = Answer<ProfileSync['drift']>;
export type ApplyResult = Answer<ProfileSync['apply']>;
export type TemplateList = Answer<TemplateService['list']>;

/** The list's filters, as they appear in the query string (`/authorizers?status=…`). */
export const FILTER_KEYS = [
  'q',
  'type',
  'status',
  'tenant_id',
  'released_version',
  'audit',
  'token',
  'drift',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;
