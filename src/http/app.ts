import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { registerErrorHandler } from './errors.ts';
import { callbackRoutes } from './routes/callbacks.ts';
import { adminRoutes, type AdminDeps } from './routes/admin.ts';
import { publicRoutes, type PublicDeps } from './routes/public.ts';
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
}

export async function buildApp(s: AppServices): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: s.loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: false,
  });
  registerErrorHandler(app);

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
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/docs'));
  return app;
}
