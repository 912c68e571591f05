import { pino, type Logger as PinoLogger } from 'pino';
import type { Config } from '../config/config.ts';

/** Log fields that may never be written in clear, wherever they appear. */
const REDACT_PATHS = [
  'access_token',
  'token',
  'secret',
  'appsecret',
  'refresh_token',
  'ticket',
  '*.access_token',
  '*.authorizer_refresh_token',
  '*.component_appsecret',
  'session_key',
  '*.session_key',
  'req.headers.authorization',
];

/** openwx's logger: JSON lines at the configured level, credentials redacted. */
export function createLogger(config: Readonly<Config>): PinoLogger {
  return pino({
    level: config.logLevel,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  });
}
