import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { newId } from '../../core/random.ts';
import type { Db } from '../../store/db.ts';
import { createProfileQueries, type ProfileRow } from '../../store/queries/profiles.ts';
import { checkSpec, type PlatformDomains, type ProfileSpec } from './spec.ts';

/** Configuration profiles: the desired state of mini programs, one default, others per tenant. */
export interface Profile extends ProfileSpec {
  id: string;
  name: string;
  default: boolean;
  created_at: string;
  updated_at: string;
}

export interface ProfileInput extends ProfileSpec {
  name?: string;
  default?: boolean;
}

type Row = ProfileRow<ProfileSpec>;

const SPEC_KEYS = [
  'server_domains',
  'webview_domains',
  'categories',
  'privacy',
  'privacy_interfaces',
  'basic_info',
] as const;

function view(r: Row): Profile {
  return {
    id: r.id,
    name: r.name,
    default: r.is_default,
    ...r.spec,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

function specOf(input: ProfileSpec): ProfileSpec {
  const out: ProfileSpec = {};
  for (const k of SPEC_KEYS) if (input[k] !== undefined) Object.assign(out, { [k]: input[k] });
  return out;
}

export type ProfileService = ReturnType<typeof createProfileService>;

export function createProfileService(deps: { db: Db; clock: Clock; platform: PlatformDomains }) {
  const { db, clock } = deps;
  const now = () => new Date(clock.now());
  const q = createProfileQueries<ProfileSpec>(db);

  async function find(id: string): Promise<Row> {
    const row = await q.find(id);
    if (!row) {
      throw new AppError('not_found', `profile ${id} not found`, {
        details: { params: { reason: 'profile', id } },
      });
    }
    return row;
  }

  async function save(row: Row, makeDefault: boolean): Promise<Profile> {
    checkSpec(row.spec, deps.platform);
    if (await q.nameTakenByOther(row.name, row.id)) {
      throw new AppError('conflict', `a profile named ${row.name} exists`, {
        details: { field: 'name', params: { reason: 'profile_name_taken', name: row.name } },
      });
    }
    await db.transaction((tx) => q.save(row, makeDefault, now(), tx));
    return view(await find(row.id));
  }

  return {
    async create(input: ProfileInput): Promise<Profile> {
      if (!input.name) {
        throw new AppError('bad_request', 'name is required', {
          details: { field: 'name', params: { reason: 'required', field: 'name' } },
        });
      }
      const isDefault = input.default === true || (await q.count()) === 0;
      const row: Row = {
        id: `prof_${newId().replaceAll('-', '').slice(0, 16)}`,
        name: input.name,
        spec: specOf(input),
        is_default: isDefault,
        created_at: now(),
        updated_at: now(),
      };
      return save(row, isDefault);
    },
    /** Every profile with the tenants given it (the default also serves every other tenant). */
    async list(): Promise<Array<Profile & { tenant_ids: string[] }>> {
      const given = await q.assignments();
      return (await q.list()).map((r) => ({
        ...view(r),
        tenant_ids: given.filter((g) => g.profile_id === r.id).map((g) => g.tenant_id),
      }));
    },
    async get(id: string): Promise<Profile> {
      return view(await find(id));
    },
    async update(id: string, input: ProfileInput): Promise<Profile> {
      const row = await find(id);
      const next: Row = {
        ...row,
        name: input.name ?? row.name,
        spec: { ...row.spec, ...specOf(input) },
        is_default: input.default === true ? true : row.is_default,
      };
      return save(next, input.default === true && !row.is_default);
    },
    async remove(id: string): Promise<void> {
      const row = await find(id);
      if (row.is_default) {
        throw new AppError(
          'conflict',
          'the default profile cannot be deleted; choose another first',
          { details: { params: { reason: 'profile_is_default', id } } },
        );
      }
      await q.remove(id);
    },
    async setDefault(id: string): Promise<Profile> {
      const row = await find(id);
      return save({ ...row, is_default: true }, true);
    },
    async assignToTenant(tenantId: string, profileId: string | null): Promise<void> {
      if (!(await q.tenantExists(tenantId))) {
        throw new AppError('not_found', `tenant ${tenantId} not found`, {
          details: { params: { reason: 'tenant', tenant_id: tenantId } },
        });
      }
      if (profileId !== null) await find(profileId);
      await q.assign(tenantId, profileId);
    },
    /** The tenant's profile, else the default; undefined when there is none. */
    async forTenant(tenantId: string | null): Promise<Profile | undefined> {
      const row = await q.forTenant(tenantId);
      return row ? view(row) : undefined;
    },
    /** The profile of the mini program's tenant, else the default; undefined when there is none. */
    async forAuthorizer(appid: string): Promise<Profile | undefined> {
      const row = await q.forAuthorizer(appid);
      return row ? view(row) : undefined;
    },
  };
}
