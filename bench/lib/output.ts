import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BenchDatabase } from './postgres.ts';
import * as report from './report.ts';
import { pgliteNotes, verdict } from './verdict.ts';
import type { RunSettings } from './measure.ts';

/** Prints the tables and the verdict; writes everything to bench/results/callbacks-<time>.json. */
export function printResults(r: report.Results, pg: BenchDatabase | undefined): string {
  const v = verdict(r);
  const pgSettings = pg
    ? [
        `postgres: ${Object.entries(pg.settings)
          .map(([k, s]) => `${k}=${s}`)
          .join(' ')}`,
      ]
    : [];
  const lines = [
    '',
    report.httpTable(r),
    '',
    'Where the time goes over HTTP (measured run; CPU per 2xx answer):',
    report.costTable(r),
    '',
    report.cryptoTable(r),
    '',
    report.dbTable(r),
    '',
    ...report.uniquenessNotes(r).map((n) => `rows: ${n}`),
    ...report.qualityNotes(r).map((n) => `note: ${n}`),
    ...(r.postgresSkipped ? [`note: ${r.postgresSkipped}; PGlite rows only`] : []),
    ...pgSettings,
    '',
    `Verdict: ${v.text}`,
    '',
    ...pgliteNotes(r).map((n) => `PGlite (no target): ${n}`),
  ];
  console.log(lines.join('\n'));
  return v.text;
}

export function writeJson(
  r: report.Results,
  settings: RunSettings,
  pg: BenchDatabase | undefined,
  machine: Record<string, unknown>,
): string {
  const v = verdict(r);
  const maps = <T>(m: Partial<Record<string, Map<string, T>>>) =>
    Object.fromEntries(Object.entries(m).map(([k, x]) => [k, x ? Object.fromEntries(x) : {}]));
  const json = {
    at: new Date().toISOString(),
    settings,
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, ...machine },
    postgres: pg ? { settings: pg.settings } : { skipped: r.postgresSkipped },
    target: { ratio: report.TARGET_RATIO, p99Ms: report.TARGET_P99_MS, met: v.met },
    bareReqPerSec: r.bare?.reqPerSec,
    runs: r.runs,
    inProcess: { crypto: maps(r.crypto), db: maps(r.db) },
    verdict: v.text,
    pglite: pgliteNotes(r),
  };
  const dir = join(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `callbacks-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}
