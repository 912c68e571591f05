/**
 * The time series openwx keeps aggregated for its charts (table stat_buckets). Each series counts
 * one kind of thing happening; a bucket holds how many happened in its minute or hour.
 */
export const STAT_SERIES = [
  /** Pushes from WeChat stored (authorization events and messages; duplicates not counted). */
  'pushes',
  /** Token refreshes that obtained a new token (component and authorizer tokens). */
  'token_refreshes',
  /** Token refreshes that failed. */
  'token_failures',
  /** Code submitted for audit. */
  'audits_submitted',
  /** Audits passed. */
  'audits_passed',
  /** Audits rejected. */
  'audits_rejected',
  /** Webhook deliveries accepted by the receiver. */
  'webhook_delivered',
  /** Webhook delivery attempts that failed and will be retried. */
  'webhook_failed',
  /** Webhook deliveries given up after 24 h of retries. */
  'webhook_dead',
] as const;
export type StatSeries = (typeof STAT_SERIES)[number];

/** Minute buckets are kept this long (the 24 h chart needs one day). */
export const MINUTE_BUCKETS_KEEP_DAYS = 2;
/** Hour buckets are kept this long (the 30-day chart needs 31 days; more for later use). */
export const HOUR_BUCKETS_KEEP_DAYS = 400;
