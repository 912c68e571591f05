import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSealer, parseMasterKey } from '../../src/crypto/seal.ts';
import type { Db } from '../../src/store/db.ts';
import { nextRefreshAt } from '../../src/tokens/refresh-policy.ts';
import { refreshTokenAad } from '../../src/tokens/token-service.ts';
import { stopIpcChild } from './child.ts';

/**
 * The token bench's pieces: openwx's database seeded with authorizers the emulator created as
 * authorized (what api_query_auth would have stored, sealed the same way, each token's next
 * refresh spread as openwx spreads it), openwx instances as child processes, and the check of
 * the emulator's record of issued tokens.
 */
export interface SeededAuthorization {
  authorizer_appid: string;
  authorizer_access_token: string;
  authorizer_refresh_token: string;
  expires_in: number;
  issued_at: number;
}

/** Inserts authorizers and their tokens in chunks; issued_at is the emulator's (seconds). */
export async function seedAuthorizers(
  db: Db,
  masterKeyHex: string,
  auths: SeededAuthorization[],
  issuedAtMs: Map<string, number>,
  refreshAheadMs: number,
): Promise<void> {
  const sealer = createSealer(parseMasterKey(masterKeyHex));
  for (let i = 0; i < auths.length; i += 2000) {
    const chunk = auths.slice(i, i + 2000);
    const appids: string[] = [];
    const refresh: string[] = [];
    const sealed: string[] = [];
    const hashes: string[] = [];
    const issued: Date[] = [];
    const expires: Date[] = [];
    const refreshAt: Date[] = [];
    for (const a of chunk) {
      const appid = a.authorizer_appid;
      const at = issuedAtMs.get(appid) ?? a.issued_at * 1000;
      const key = `authorizer:${appid}`;
      appids.push(appid);
      refresh.push(sealer.seal(a.authorizer_refresh_token, refreshTokenAad(appid)));
      sealed.push(sealer.seal(a.authorizer_access_token, `token:${key}`));
      hashes.push(createHash('sha256').update(a.authorizer_access_token).digest('hex'));
      issued.push(new Date(at));
      expires.push(new Date(at + a.expires_in * 1000));
      refreshAt.push(
        new Date(nextRefreshAt(at, a.expires_in * 1000, refreshAheadMs, Math.random())),
      );
    }
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO authorizers (appid, status, refresh_token_sealed, func_info, authorized_at, created_at, updated_at)
         SELECT u.appid, 'authorized', u.rt, '[]'::jsonb, u.at, u.at, u.at
         FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(appid, rt, at)`,
        [appids, refresh, issued],
      );
      await tx.query(
        `INSERT INTO tokens (key, kind, appid, token_sealed, token_hash, expires_at, refreshed_at, refresh_count, failures, refresh_at)
         SELECT 'authorizer:' || u.appid, 'authorizer', u.appid, u.ts, u.th, u.exp, u.at, 1, 0, u.ra
         FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[])
           AS u(appid, ts, th, at, exp, ra)`,
        [appids, sealed, hashes, issued, expires, refreshAt],
      );
    });
  }
}

/** Holds off periodic tasks that are not token refresh (their leases taken for a day). */
export async function holdOtherPeriodicTasks(db: Db, untilMs: number): Promise<void> {
  await db.query(
    `INSERT INTO locks (key, holder, expires_at)
     SELECT k, 'bench:tokens', $1 FROM unnest($2::text[]) AS k
     ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at`,
    [new Date(untilMs), ['reconcile', 'drift_check', 'audit_poll', 'retention']],
  );
}

export interface Instance {
  index: number;
  url: string;
  pid: number;
  child: ChildProcess;
  /** api_authorizer_token calls made and answered with a token, as last reported. */
  calls: number;
  ok: number;
  killed: boolean;
  peakRssMb: number;
  stop(): Promise<void>;
  kill(): void;
}

export async function startInstance(index: number, env: Record<string, string>): Promise<Instance> {
  const script = join(import.meta.dirname, '..', 'tokens-child.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inst: Instance = {
    index,
    url: '',
    pid: child.pid ?? -1,
    child,
    calls: 0,
    ok: 0,
    killed: false,
    peakRssMb: 0,
    async stop() {
      await stopIpcChild(child, 20_000);
    },
    kill() {
      inst.killed = true;
      child.kill('SIGKILL');
    },
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${index} did not start`)), 60_000);
    child.on(
      'message',
      (m: { type: string; url?: string; calls?: number; ok?: number; error?: string }) => {
        if (m.type === 'ready') {
          inst.url = m.url ?? '';
          clearTimeout(timer);
          resolve();
        } else if (m.type === 'count') {
          inst.calls = m.calls ?? inst.calls;
          inst.ok = m.ok ?? inst.ok;
        } else if (m.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(`instance ${index} failed to start: ${m.error}`));
        }
      },
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance ${index} exited (${code}) before it was ready`));
    });
  });
  return inst;
}

/** VmRSS of a process in MiB, undefined once it is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface WindowCheck {
  authorizers: number;
  /** Authorizers that passed both checks. */
  passed: number;
  /** Authorizers with a token that expired before the next one was issued. */
  late: number;
  /** Refreshes per authorizer per window: how many authorizers had 0, 1, 2+ in each. */
  perWindow: Array<{ zero: number; one: number; more: number }>;
  /** Examples of authorizers that failed a check. */
  examples: string[];
}

/**
 * Window w of an authorizer is [t0 + (w-1)·T, t0 + w·T), t0 its first token's issue: in each it
 * must have exactly one api_authorizer_token call, and every token must have been replaced
 * before it expired (issue time of the next < issue time + T) up to the end of window 2.
 */
export function checkWindows(
  issued: Record<string, number[]>,
  appids: string[],
  lifetimeMs: number,
  windows = 2,
): WindowCheck {
  const perWindow = Array.from({ length: windows }, () => ({ zero: 0, one: 0, more: 0 }));
  let passed = 0;
  let late = 0;
  const examples: string[] = [];
  for (const appid of appids) {
    const times = [...(issued[appid] ?? [])].sort((a, b) => a - b);
    const t0 = times[0];
    if (t0 === undefined) {
      if (examples.length < 5) examples.push(`${appid}: no token at all`);
      continue;
    }
    let ok = true;
    for (let w = 0; w < windows; w++) {
      const from = t0 + w * lifetimeMs;
      const to = from + lifetimeMs;
      const n = times.filter((t) => t > t0 && t >= from && t < to).length;
      const slot = perWindow[w] as { zero: number; one: number; more: number };
      if (n === 0) slot.zero++;
      else if (n === 1) slot.one++;
      else slot.more++;
      if (n !== 1) ok = false;
    }
    const end = t0 + windows * lifetimeMs;
    for (let k = 0; k < times.length && (times[k] as number) + lifetimeMs < end; k++) {
      const next = times[k + 1];
      if (next === undefined || next >= (times[k] as number) + lifetimeMs) {
        late++;
        ok = false;
        break;
      }
    }
    if (ok) passed++;
    else if (examples.length < 5) {
      examples.push(
        `${appid}: issued at +${times.map((t) => Math.round((t - t0) / 1000)).join(', +')} s`,
      );
    }
  }
  return { authorizers: appids.length, passed, late, perWindow, examples };
}
