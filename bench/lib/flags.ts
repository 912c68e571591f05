import { parseArgs } from 'node:util';
import { num } from './format.ts';

/** A numeric flag of a bench: its range and its default. */
export interface CountLimit {
  min: number;
  max: number;
  def: number;
}

/**
 * Reads a bench's whole-number flags (`--name N`, `_` and `,` allowed as separators). An unknown
 * flag or a value out of its range prints the usage and exits with code 2.
 */
export function readCountFlags<F extends string>(
  bench: string,
  limits: Readonly<Record<F, CountLimit>>,
): Record<F, number> {
  const keys = Object.keys(limits) as F[];
  const usage = (message: string): never => {
    console.error(
      `bench:${bench}: ${message}\nusage: npm run bench:${bench} -- ${keys.map((k) => `[--${k} N]`).join(' ')}\n` +
        keys
          .map((k) => {
            const l = limits[k];
            return `  --${k}  ${num(l.min)} to ${num(l.max)} (default ${num(l.def)})`;
          })
          .join('\n'),
    );
    process.exit(2);
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      options: Object.fromEntries(keys.map((k) => [k, { type: 'string' as const }])),
    }).values;
  } catch (err) {
    return usage(err instanceof Error ? err.message : String(err));
  }
  const out = {} as Record<F, number>;
  for (const key of keys) {
    const l = limits[key];
    const given = values[key];
    const raw = typeof given === 'string' ? given.replace(/[_,]/g, '') : undefined;
    if (raw === undefined) {
      out[key] = l.def;
      continue;
    }
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < l.min || n > l.max)
      usage(`--${key} must be a whole number from ${num(l.min)} to ${num(l.max)} (got "${given}")`);
    out[key] = n;
  }
  return out;
}
