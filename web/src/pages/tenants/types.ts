import type { Json } from '../../api-types.ts';
import type { TenantService } from '../../../../src/services/tenants.ts';

/** The tenant routes' answers (src/http/routes/tenants.ts). */
type Answer<F extends (...args: never[]) => unknown> = Json<Awaited<ReturnType<F>>>;

export type TenantKey = Answer<TenantService['listKeys']>[number];
export type NewTenantKey = Answer<TenantService['createKey']>;
export interface TenantPatch {
  name?: string;
  ext?: Record<string, unknown>;
  self_upgrade?: boolean | null;
  token_access?: boolean;
}
