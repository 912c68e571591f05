import { createServer } from 'node:http';
import type { Logger } from '../core/metrics.ts';

/**
 * The separate metrics port (OPENWX_METRICS_PORT): GET /metrics without auth, nothing else. It
 * listens on the same host as the main port; keep the port closed to the outside.
 */
export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsListener(o: {
  host: string;
  port: number;
  text: () => Promise<{ contentType: string; body: string }>;
  log: Logger;
}): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { code: 'not_found', message: 'this port serves only GET /metrics' },
        }),
      );
      return;
    }
    o.text().then(
      (m) => {
        res.writeHead(200, { 'content-type': m.contentType });
        res.end(req.method === 'HEAD' ? undefined : m.body);
      },
      (err: unknown) => {
        o.log.error({ err }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'metrics failed' } }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const host = o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
