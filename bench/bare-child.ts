import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runChild } from './lib/protocol.ts';

/** The yardstick: node:http reading the body and answering `success`, nothing else. */
await runChild(async () => {
  const server = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('success');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((ok) => server.close(() => ok())),
  };
});
