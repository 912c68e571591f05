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
import { securityHeaders } from './security-headers.ts';
import { callbackRoutes } from './routes/callbacks.ts';
import { webhookOpenApi } from '../services/webhook/openapi.ts';
import { finishDocument } from './openapi.ts';
import { errorBody } from './schemas.ts';
import { adminRoutes, type AdminDeps } from './routes/admin.ts';
import { OPERATIONS_ROUTES, publicRoutes, type PublicDeps } from './routes/public.ts';
import { LazyRequestLogger, requestLogger } from './request-logger.ts';
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
  /** Socket limits against slow or silent clients (defaults: SERVER_TIMEOUTS; tests shorten them). */
  serverTimeouts?: Partial<ServerTimeouts>;
}

/** How long a client may take, in ms. Node enforces the first two on a timer (checkEveryMs). */
export interface ServerTimeouts {
  /** From the connection (or the request's first byte) to the end of its headers. */
  headersMs: number;
  /** The whole request, headers and body. */
  requestMs: number;
  /** An idle keep-alive connection between two requests. */
  keepAliveMs: number;
  /** A socket on which nothing moves either way, whatever the request's state. */
  idleMs: number;
  /** How often Node looks for requests past headersMs or requestMs. */
  checkEveryMs: number;
}

/**
 * WeChat gives a push 5 s and sends it in one piece, and the largest legitimate request is a
 * 1 MiB body (bodyLimit; 10 MiB through the proxy): 10 s for the headers and 60 s for a whole
 * request (10 MiB at 1.4 Mbit/s) leave room for a slow link, while a client that trickles or says
 * nothing loses its socket within a minute instead of never.
 * Keep-alive 65 s outlasts the 60 s idle timeout of common load balancers and proxies (which
 * must close first, or a request can meet a socket openwx is closing). A socket silent both ways
 * for 2 minutes is closed, longer than any WeChat call a request waits for. Node checks the
 * header and request limits every 30 s by default; once a second makes them hold as written.
 */
export const SERVER_TIMEOUTS: ServerTimeouts = {
  headersMs: 10_000,
  requestMs: 60_000,
  keepAliveMs: 65_000,
  idleMs: 120_000,
  checkEveryMs: 1_000,
};

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
  const limits = { ...SERVER_TIMEOUTS, ...s.serverTimeouts };
  const app = Fastify({
    http: {
      headersTimeout: limits.headersMs,
      connectionsCheckingInterval: limits.checkEveryMs,
    },
    requestTimeout: limits.requestMs,
    keepAliveTimeout: limits.keepAliveMs,
    connectionTimeout: limits.idleMs,
    loggerInstance: s.loggerInstance,
    // Fastify's own two lines per request are replaced by one line of ours (logRequests).
    logController: new LogController({ disableRequestLogging: true }),
    // A request's logger is made when it first logs (request-logger.ts).
    childLoggerFactory: requestLogger,
    trustProxy: trustProxyOption(s.trustProxy),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: false,
  });
  registerErrorHandler(app);

  app.addHook('onRequest', async (req, reply) => {
    // Every line logged for this request carries its client address (behind a trusted proxy,
    // the one the proxy saw) next to its request id; read when a line is written.
    if (req.log instanceof LazyRequestLogger) req.log.attachRequest(req);
    reply.header('x-request-id', req.id);
    reply.headers(securityHeaders(req.url));
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
      openapi: '3.1.0',
      info: {
        title: 'openwx',
        version: s.version,
        description: 'A WeChat Open Platform third-party platform server.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      webhooks: webhookOpenApi(),
    },
    // The emulator stands in for WeChat: its routes are documented apart, at /emulator/docs.
    transform: ({ schema, url }) =>
      url === '/emulator' || url.startsWith('/emulator/')
        ? { schema: { ...schema, hide: true }, url }
        : { schema, url },
    transformObject: (d) => finishDocument('openapiObject' in d ? d.openapiObject : {}, errorBody),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(callbackRoutes(s.callbacks));
  await app.register(publicRoutes(s));
  await app.register(adminRoutes(s));
  for (const plugin of s.routes) await app.register(plugin);
  const emulatorPlugin = s.emulatorPlugin;
  if (emulatorPlugin) {
    // A scope of its own with its own document: GET /emulator/docs (and /emulator/docs/json).
    await app.register(
      async (scope) => {
        await scope.register(swagger, {
          openapi: {
            openapi: '3.1.0',
            info: {
              title: 'openwx WeChat emulator',
              version: s.version,
              description:
                "The sandbox's stand-in for WeChat's API (paths as on api.weixin.qq.com, under /emulator) and its control API (/emulator/control). Not part of openwx's API: see /docs for that.",
            },
          },
        });
        await scope.register(swaggerUi, { routePrefix: '/docs' });
        await scope.register(emulatorPlugin);
      },
      { prefix: '/emulator' },
    );
  }
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/console'));
  return app;
}
