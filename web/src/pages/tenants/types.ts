import type { Answer, Schema } from '../../api-types.ts';

/** The tenant routes' answers (OpenAPI: TenantKey, createTenantKey). */
export type TenantKey = Schema<'TenantKey'>;
export type NewTenantKey = Answer<'createTenantKey', 201>;
export interface TenantPatch {
  name?: string;
  ext?: Record<string, unknown>;
  self_upgrade?: boolean | null;
  token_access?: boolean;
}
