import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Metrics } from '../core/metrics.ts';
import { registerErrorHandler, sendError } from './errors.ts';
import { callbackRoutes } from './routes/callbacks.ts';
import { adminRoutes, type AdminDeps } from './routes/admin.ts';
import { OPERATIONS_ROUTES, publicRoutes, type PublicDeps } from './routes/public.ts';
import type { CallbackService } from '../callbacks/callback-service.ts';

/** Everything the HTTP layer serves, built by the composition root. */
export interface AppServices extends AdminDeps, PublicDeps {
  callbacks: CallbackService;
  loggerInstance: FastifyBaseLogger;
  /** Further route plugins (each an encapsulated scope with its own auth hook). */
  routes: FastifyPluginAsync[];
  /** The in-process emulator's routes (sandbox mode), mounted under /emulator. */
  emulatorPlugin?: FastifyPluginAsync;
  version: string;
  /** Requests by route and status (openwx_http_request_duration_seconds). */
  metrics: Pick<Metrics, 'httpRequest'>;
  /** Which proxies to believe about the client address (OPENWX_TRUST_PROXY, Fastify's trustProxy). */
  trustProxy: boolean | number | string[];
  /** One log line per request (OPENWX_LOG_REQUESTS). */
  logRequests: boolean;
}

/**
 * Fastify's trustProxy for OPENWX_TRUST_PROXY. A hop count becomes "trust the first n hops" (as
 * proxy-addr counts them, the peer first): Fastify itself trusts no bare number, since a client
 * that reaches openwx directly could then choose its address. A list of addresses is safer.
 */
export function trustProxyOption(
  v: boolean | number | string[],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof v !== 'number') return v;
  return (_address, hop) => hop < v;
}

export async function buildApp(s: AppServices): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: s.loggerInstance,
    // Fastify's own two lines per request are replaced by one line of ours (logRequests).
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(s.trustProxy),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: false,
  });
  registerErrorHandler(app);

  app.addHook('onRequest', async (req, reply) => {
    // Every line logged for this request carries its client address (behind a trusted proxy,
    // the one the proxy saw) next to its request id.
    req.log = reply.log = req.log.child({ ip: req.ip });
    reply.header('x-request-id', req.id);
    // Until the database is connected and migrated only the operations routes answer; WeChat
    // retries a push that gets a 5xx.
    const waiting = s.readiness.starting();
    if (!waiting || OPERATIONS_ROUTES.has(req.routeOptions.url ?? '')) return;
    reply.header('retry-after', String(waiting.retryAfterSeconds));
    return sendError(
      reply,
      503,
      'not_ready',
      `openwx is starting: the database is not ready yet (${waiting.reason.code}); GET /readyz tells why`,
      { params: { reason: waiting.reason.code } },
    );
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    s.metrics.httpRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (s.logRequests)
      req.log.info(
        {
          method: req.method,
          route,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request',
      );
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'openwx',
        version: s.version,
        description: 'A WeChat Open Platform third-party platform server.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(callbackRoutes(s.callbacks));
  await app.register(publicRoutes(s));
  await app.register(adminRoutes(s));
  for (const plugin of s.routes) await app.register(plugin);
  if (s.emulatorPlugin) await app.register(s.emulatorPlugin, { prefix: '/emulator' });
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/console'));
  return app;
}
