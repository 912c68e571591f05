/**
 * The answers the authorizers pages read, from the OpenAPI document's generated types (the named
 * schemas: fields the server always answers are required, the others optional).
 */
import type { Schemas } from '../../api-types.ts';

export type AuthorizerListPage = Schemas['AuthorizerList'];
export type AuthorizerListItem = AuthorizerListPage['items'][number];
export type AuthorizerDetail = Schemas['Authorizer'];
export type CodeState = Schemas['CodeState'];
export type Versions = Schemas['VersionHistory'];
export type VersionStep = Versions['items'][number];
export type Preflight = Schemas['AuditPreflight'];
export type Drift = Schemas['ProfileDrift'];
export type ApplyResult = Schemas['ProfileApplyResult'];
export type TemplateList = Schemas['TemplateList'];

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
