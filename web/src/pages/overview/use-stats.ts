import type { operations } from '../../../../packages/client/src/openapi.ts';
import { get } from '../../api.ts';
import type { Present } from '../../api-types.ts';
import { useApi } from '../../use-api.ts';

/** GET /api/admin/stats's answer, as the OpenAPI document describes it (operation getStats). */
export type StatsChart = Present<
  operations['getStats']['responses'][200]['content']['application/json']
>;
export type StatsRange = StatsChart['range'];
export type StatSeries = keyof StatsChart['series'];

/** The browser's time zone: the 30-day chart's days are the operator's days. */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The stats of one range (GET /api/admin/stats), in the browser's time zone. */
export function useStats(range: StatsRange) {
  return useApi(
    () => get<StatsChart>('/api/admin/stats', { range, tz: browserTimeZone() }),
    [range],
  );
}
