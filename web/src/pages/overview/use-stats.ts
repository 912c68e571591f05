import { get } from '../../api.ts';
import type { StatsChart } from '../../../../src/services/stats/service.ts';
import { useApi } from '../../use-api.ts';

export type StatsRange = StatsChart['range'];

/** The browser's time zone: the 30-day chart's days are the operator's days. */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The stats of one range (GET /api/admin/stats), in the browser's time zone. */
export function useStats(range: StatsRange) {
  return useApi(
    () => get<StatsChart>('/api/admin/stats', { range, tz: browserTimeZone() }),
    [range],
  );
}
