import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString } from 'pino';

/**
 * The logger of one request, made when the request first logs something. Every line it writes
 * carries the request id and the client's address (behind a trusted proxy, the one the proxy
 * saw), as a pino child of the server's logger would; but most requests log nothing, and a pino
 * child (bindings serialized, redaction set up) for each of them was a tenth of a push's server
 * CPU. Fastify calls `requestLogger` for each request (its childLoggerFactory); the onRequest
 * hook gives it the request (`attachRequest`) so that the address is read only when needed.
 */
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** pino's isLevelEnabled; a logger without it is taken to write every level. */
function enabled(logger: FastifyBaseLogger, level: LevelWithSilentOrString): boolean {
  const check = (logger as { isLevelEnabled?: (l: LevelWithSilentOrString) => boolean })
    .isLevelEnabled;
  return typeof check === 'function' ? check.call(logger, level) : true;
}

export class LazyRequestLogger {
  #real: FastifyBaseLogger | undefined;
  #request: FastifyRequest | undefined;
  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  // Methods on the prototype: a request that logs nothing allocates nothing but this object.
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  private write(level: Level, args: unknown[]): void {
    if (!this.#real && !enabled(this.parent, level)) return;
    (this.real()[level] as (...a: unknown[]) => void)(...args);
  }

  attachRequest(req: FastifyRequest): void {
    this.#request = req;
  }

  private real(): FastifyBaseLogger {
    if (!this.#real) {
      const ip = this.#request?.ip;
      this.#real = this.parent.child(
        ip === undefined ? this.bindings : { ...this.bindings, ip },
        this.options,
      );
    }
    return this.#real;
  }

  get level(): LevelWithSilentOrString {
    return this.#real ? this.#real.level : this.parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.real().level = level;
  }

  isLevelEnabled(level: LevelWithSilentOrString): boolean {
    return enabled(this.#real ?? this.parent, level);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }
}

/** Fastify's childLoggerFactory for openwx's server. */
export function requestLogger(
  this: unknown,
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
