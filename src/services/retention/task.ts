import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/metrics.ts';
import type { Queryable } from '../../store/db.ts';
import {
  createRetentionService,
  RETENTION_TABLES,
  type PruneCounts,
  type RetentionSettings,
} from './service.ts';

/** How often one instance (whose turn it is, see app/periodic-work.ts) deletes old rows. */
export const RETENTION_EVERY_MS = 10 * 60_000;

/**
 * The periodic retention task: one pass of the retention service, with the rows deleted counted
 * in `openwx_retention_deleted_rows_total{table}` (table: one of RETENTION_TABLES).
 */
export function createRetentionTask(deps: {
  db: Queryable;
  clock: Clock;
  log: Logger;
  settings: RetentionSettings;
  registry?: Registry;
}): () => Promise<PruneCounts> {
  const deleted = deps.registry
    ? new Counter({
        name: 'openwx_retention_deleted_rows_total',
        help: `Rows deleted by the retention task because they were past their retention, by table (${RETENTION_TABLES.join(', ')})`,
        labelNames: ['table'],
        registers: [deps.registry],
      })
    : undefined;
  if (deleted) for (const table of RETENTION_TABLES) deleted.inc({ table }, 0);
  const service = createRetentionService({
    db: deps.db,
    clock: deps.clock,
    log: deps.log,
    settings: deps.settings,
    onDeleted: (table, rows) => deleted?.inc({ table }, rows),
  });
  return () => service.prune();
}
