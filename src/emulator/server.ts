import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildEmulator, type Emulator, type EmulatorOptions } from './emulator.ts';

/**
 * A standalone emulator server. Pushes go to `<base>/api/openwx/auth` and
 * `<base>/api/openwx/callback/$APPID$`; with several bases (several openwx instances sharing one
 * emulator) each HTTP attempt goes to the next base in turn.
 */
export interface EmulatorServerOptions extends Omit<
  EmulatorOptions,
  'authEventUrl' | 'messageUrl'
> {
  host: string;
  port: number;
  /** openwx base URLs, e.g. `http://127.0.0.1:3000`. */
  pushTo: string[];
  /** Mount prefix of the emulator routes (default: the root). */
  prefix?: string;
}

export interface EmulatorServer {
  url: string;
  emulator: Emulator;
  close(): Promise<void>;
}

export function roundRobin(bases: readonly string[], suffix: string): () => string {
  if (bases.length === 0) throw new Error('pushTo needs at least one base URL');
  const trimmed = bases.map((b) => b.replace(/\/+$/, ''));
  let next = 0;
  return () => {
    const base = trimmed[next % trimmed.length] ?? '';
    next = (next + 1) % trimmed.length;
    return `${base}${suffix}`;
  };
}

export async function startEmulatorServer(opts: EmulatorServerOptions): Promise<EmulatorServer> {
  const { host, port, pushTo, prefix, ...rest } = opts;
  const authEvents = roundRobin(pushTo, '/api/openwx/auth');
  const messages = roundRobin(pushTo, '/api/openwx/callback/$APPID$');
  const first = (pushTo[0] ?? '').replace(/\/+$/, '');
  const emulator = buildEmulator(
    {
      ...rest,
      authEventUrl: `${first}/api/openwx/auth`,
      messageUrl: `${first}/api/openwx/callback/$APPID$`,
    },
    { authEventUrl: authEvents, messageUrl: messages },
  );
  const server = Fastify({ logger: false });
  await server.register(emulator.plugin, prefix ? { prefix } : {});
  if (!prefix) server.setNotFoundHandler(emulator.notFound);
  await server.listen({ host, port });
  const address = server.server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  emulator.start();
  return {
    url: `http://${shownHost}:${address.port}${prefix ?? ''}`,
    emulator,
    async close() {
      await emulator.stop();
      server.server.closeAllConnections();
      await server.close();
    },
  };
}
