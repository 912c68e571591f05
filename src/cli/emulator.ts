import { resolve } from 'node:path';
import { commandUsage, UsageError, type FlagValues } from './commands.ts';

/** `openwx emulator`: its flags, checked. The server itself is started by src/app. */
export interface EmulatorFlags {
  host: string;
  port: number;
  pushTo: string[];
  ticketIntervalSeconds: number;
  tokenTtlSeconds: number;
  /** Where the world is kept across restarts (absolute); undefined: in memory only. */
  stateFile?: string;
}

function bad(message: string): never {
  throw new UsageError(`emulator: ${message}`, commandUsage('emulator'));
}

function wholeNumber(values: FlagValues, flag: string, min: number, max: number): number {
  const raw = String(values[flag]);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    bad(`--${flag} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return n;
}

export function emulatorFlags(values: FlagValues): EmulatorFlags {
  const given = values['push-to'];
  const pushTo = (Array.isArray(given) ? given : [])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (pushTo.length === 0)
    bad('--push-to is required (the base URL of openwx, e.g. http://127.0.0.1:3000)');
  for (const u of pushTo)
    if (!/^https?:\/\/[^/]+/.test(u)) bad(`--push-to "${u}" must be an http(s) base URL`);
  const state = values['state'];
  if (state !== undefined && (typeof state !== 'string' || state.trim() === ''))
    bad('--state needs a file name');
  return {
    ...(typeof state === 'string' ? { stateFile: resolve(state) } : {}),
    host: String(values['host']),
    port: wholeNumber(values, 'port', 0, 65535),
    pushTo,
    ticketIntervalSeconds: wholeNumber(values, 'ticket-interval', 0, 86_400),
    tokenTtlSeconds: wholeNumber(values, 'token-ttl', 10, 86_400),
  };
}
