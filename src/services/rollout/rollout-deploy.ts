import { AppError } from '../../core/errors.ts';
import type { Db } from '../../store/db.ts';
import type { RolloutInput } from './rollouts.ts';

/**
 * A tenant's own deployment of one of its mini programs: the default template (or the one
 * given), committed, audited and released, as a rollout of one. The first deployment is always
 * allowed; later ones only when the operator lets this tenant upgrade itself (the tenant's
 * `self_upgrade`, else the server's default).
 */
export async function deployForTenant<T>(
  deps: {
    db: Db;
    selfUpgradeDefault: boolean;
    create: (input: RolloutInput, actor: string) => Promise<T>;
  },
  tenant: { id: string; self_upgrade: boolean | null },
  input: { appid: string; template_id?: number },
): Promise<T> {
  const deployed = await deps.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM code_events
     WHERE appid = $1 AND kind IN ('committed', 'released', 'rolled_back')`,
    [input.appid],
  );
  const first = (deployed.rows[0]?.n ?? 0) === 0;
  const allowed = tenant.self_upgrade ?? deps.selfUpgradeDefault;
  if (!first && !allowed) {
    throw new AppError(
      'forbidden',
      'this mini program has been deployed before; upgrades are made by the platform operator',
      { details: { params: { reason: 'upgrade_by_operator', appid: input.appid } } },
    );
  }
  if (first && input.template_id !== undefined && !allowed) {
    throw new AppError(
      'forbidden',
      'the first deployment uses the default template; choosing a template needs self-upgrade rights',
      {
        details: {
          field: 'template_id',
          params: { reason: 'template_choice_not_allowed', field: 'template_id' },
        },
      },
    );
  }
  return deps.create(
    {
      ...(input.template_id === undefined ? {} : { template_id: input.template_id }),
      target: { appids: [input.appid] },
      options: { auto_release: true },
    },
    `tenant:${tenant.id}`,
  );
}
