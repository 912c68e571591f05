/**
 * The metrics the domain records. Implemented with prom-client in the composition root;
 * a no-op in tests that do not look at metrics.
 */
export type Labels = Record<string, string>;

export interface Metrics {
  callback(kind: string, outcome: string, seconds: number): void;
  /** A WeChat API call; the implementation folds the labels into bounded sets. */
  wechatCall(endpoint: string, errcode: string, seconds: number): void;
  tokenRefresh(kind: string, outcome: 'ok' | 'failed'): void;
  /** An HTTP request answered: `route` is the route pattern (`unmatched` when none matched). */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  /** One webhook delivery attempt: delivered, failed (retried later) or dead (given up). */
  webhookDelivery(outcome: 'delivered' | 'failed' | 'dead'): void;
}

export const noopMetrics: Metrics = {
  callback: () => {},
  wechatCall: () => {},
  tokenRefresh: () => {},
  httpRequest: () => {},
  webhookDelivery: () => {},
};

/** The logger shape the domain uses (pino fits). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
};
