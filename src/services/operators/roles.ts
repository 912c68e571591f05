import type { OperatorRole } from '../../store/queries/operators.ts';

export type { OperatorRole };
export const ROLES: readonly OperatorRole[] = ['admin', 'operator', 'viewer'];

/**
 * What each role may do, decided on the route pattern (`/api/admin/rollouts/:id`) and method:
 * - `admin`: everything the admin token may do, including accounts, tenants, webhooks, settings
 *   and the WeChat proxy;
 * - `operator`: reads, and acts on mini programs, merchants' onboarding, templates and rollouts;
 * - `viewer`: reads only.
 * Routes that hand out or reveal secrets, manage accounts or call WeChat freely stay with admins.
 */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const ADMIN_ONLY: readonly RegExp[] = [
  /^\/api\/proxy\//,
  /^\/api\/tokens\//,
  /^\/api\/admin\/operators(\/|$)/,
  /^\/api\/admin\/sign-ins(\/|$)/,
  /\/reveal/,
];

const OPERATOR_ACTS_ON: readonly RegExp[] = [
  /^\/api\/admin\/authorizers(\/|$)/,
  /^\/api\/admin\/authorizations$/,
  /^\/api\/admin\/registrations(\/|$)/,
  /^\/api\/admin\/templates(\/|$)/,
  /^\/api\/admin\/rollouts(\/|$)/,
];

/** Every operator manages their own session, password and second factor. */
const OWN_ACCOUNT = /^\/api\/session(\/|$)/;

/** The least role allowed to call `method route`. */
export function requiredRole(method: string, route: string): OperatorRole {
  if (OWN_ACCOUNT.test(route)) return 'viewer';
  if (ADMIN_ONLY.some((re) => re.test(route))) return 'admin';
  if (SAFE.has(method.toUpperCase())) return 'viewer';
  if (OPERATOR_ACTS_ON.some((re) => re.test(route))) return 'operator';
  return 'admin';
}

const RANK: Record<OperatorRole, number> = { viewer: 0, operator: 1, admin: 2 };

export function permits(role: OperatorRole, method: string, route: string): boolean {
  return RANK[role] >= RANK[requiredRole(method, route)];
}
