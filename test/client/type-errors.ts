/**
 * Compile-time checks of @openwx/client: each line below is a wrong call that `tsc` (npm run lint)
 * must refuse. Should one compile, its @ts-expect-error is unused and tsc fails. Never run.
 */
import {
  createAdminClient,
  createTenantClient,
  type ApiError,
  type Schemas,
} from '../../packages/client/src/index.ts';

export async function wrongCalls(): Promise<void> {
  const tenant = createTenantClient({ baseUrl: 'http://127.0.0.1:3000', apiKey: 'owx_example' });
  const admin = createAdminClient({ baseUrl: 'http://127.0.0.1:3000', token: 'example-token' });

  // @ts-expect-error a tenant's API key cannot call the admin API
  await tenant.GET('/api/admin/tenants');
  // @ts-expect-error no such route
  await admin.GET('/api/admin/tenantz');
  // @ts-expect-error the path parameter appid is required
  await tenant.GET('/api/tenant/authorizers/{appid}', { params: { path: {} } });
  // @ts-expect-error appid is a string
  await tenant.GET('/api/tenant/authorizers/{appid}', { params: { path: { appid: 42 } } });
  // @ts-expect-error the deployment needs an appid
  await tenant.POST('/api/tenant/deploy', { body: {} });
  // @ts-expect-error auth_type is one of 1, 2, 3, 4, 5, 6, 8
  await tenant.POST('/api/tenant/authorizations', { body: { auth_type: 'all' } });
  // @ts-expect-error a tenant's name is a string
  await admin.POST('/api/admin/tenants', { body: { name: 7 } });
  // @ts-expect-error no such query parameter
  await admin.GET('/api/admin/tenants', { params: { query: { page: 2 } } });
  // @ts-expect-error GET has no body
  await admin.GET('/api/admin/tenants', { body: { name: 'x' } });

  const { data, error } = await tenant.GET('/api/tenant/authorizers');
  // @ts-expect-error the list has items, not authorizers
  void data?.authorizers;
  // The error is the Error schema: its code is a string.
  const code: string | undefined = error?.error.code;
  // @ts-expect-error and not a number
  const wrong: number | undefined = error?.error.code;
  void code;
  void wrong;

  const tenantSchema: Schemas['Tenant'] = { id: 't_1', name: 'Tea house' };
  // @ts-expect-error a Tenant's token_access is a boolean
  const badTenant: Schemas['Tenant'] = { token_access: 'yes' };
  const refusal: ApiError = { error: { code: 'not_found', message: 'no such tenant' } };
  // @ts-expect-error an Error has a code
  const badRefusal: ApiError = { error: { message: 'no code' } };
  void tenantSchema;
  void badTenant;
  void refusal;
  void badRefusal;
}
