import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { packageRoot } from '../../core/package-info.ts';

/**
 * The admin console: the built single-page app in dist/console, served under /console. Hashed assets
 * are cached for a year; index.html is revalidated, and answers every deep link (/console/…) that
 * is not a file. Without a build, /console says how to make one. Not part of the API document.
 */
export interface ConsoleDeps {
  mode: 'sandbox' | 'live';
  version: string;
  /** Where the built console is (default: dist/console of openwx's install directory). */
  distDir?: string;
  /** Whether operator accounts exist (the sign-in page then offers them first). */
  hasAccounts?: () => Promise<boolean>;
}

/** dist/console beside openwx's package.json: the same from src/ (tsx) and from dist/server. */
export function defaultConsoleDir(): string {
  return join(packageRoot(), 'dist', 'console');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT =
  'The admin console is not built. Run `npm run build` (npm start does it for you), then reload.\n';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export function consoleRoutes(deps: ConsoleDeps) {
  const dist = deps.distDir ?? defaultConsoleDir();
  const index = join(dist, 'index.html');
  const hide = { schema: { hide: true } };

  async function sendIndex(reply: FastifyReply): Promise<FastifyReply> {
    if (!(await isFile(index))) {
      return reply
        .status(503)
        .header('cache-control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send(NOT_BUILT);
    }
    return reply
      .header('cache-control', 'no-cache')
      .type(TYPES['.html'] as string)
      .send(await readFile(index));
  }

  return async function plugin(app: FastifyInstance): Promise<void> {
    // What the sign-in page needs before it has a token: the mode (sandbox banner).
    app.get('/console/info.json', hide, async (_req, reply) =>
      reply.header('cache-control', 'no-store').send({
        mode: deps.mode,
        version: deps.version,
        accounts: (await deps.hasAccounts?.()) ?? false,
      }),
    );
    app.get('/console', hide, (_req, reply) => sendIndex(reply));
    app.get<{ Params: { '*': string } }>('/console/*', hide, async (req, reply) => {
      const rel = normalize(req.params['*'] ?? '').replace(/^([/\\])+/, '');
      const ext = extname(rel);
      if (!ext || rel === 'index.html') return sendIndex(reply);
      const file = join(dist, rel);
      if (rel.startsWith('..') || !file.startsWith(dist + sep) || !(await isFile(file))) {
        return reply
          .status(404)
          .type('text/plain; charset=utf-8')
          .send(`no file /console/${rel}\n`);
      }
      const immutable = rel.startsWith(`assets${sep}`) || rel.startsWith('assets/');
      return reply
        .header(
          'cache-control',
          immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
        )
        .type(TYPES[ext] ?? 'application/octet-stream')
        .send(await readFile(file));
    });
  };
}
