import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../core/errors.ts';

/**
 * One process at a time per PGlite directory: PGlite corrupts a data directory that two processes
 * open. The holder writes `openwx.lock` (its pid and start time) into the directory, created
 * exclusively; another process finds it and refuses while that pid is alive. A lock whose process
 * has died (a crash, SIGKILL) is taken over. The lock goes when the database closes, or at the
 * latest when the process exits.
 */
export const LOCK_FILE = 'openwx.lock';

interface LockContent {
  pid: number;
  startedAt: string;
  /** Tells this holder's lock from a later one with the same pid. */
  nonce: string;
}

export interface PgliteLock {
  readonly path: string;
  /** Removes the lock file if it is still this lock. Safe to call more than once. */
  release(): void;
}

export class DatabaseInUseError extends AppError {
  readonly pid: number;
  constructor(dir: string, holder: LockContent) {
    super(
      'conflict',
      `the PGlite database in ${dir} is in use by openwx (pid ${holder.pid}, since ${holder.startedAt}); stop it first, or use DATABASE_URL` +
        ` (if pid ${holder.pid} is not openwx, delete ${join(dir, LOCK_FILE)})`,
      { details: { dir, pid: holder.pid } },
    );
    this.name = 'DatabaseInUseError';
    this.pid = holder.pid;
  }
}

function readLock(path: string): LockContent | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockContent>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0)
      return undefined;
    return {
      pid: value.pid,
      startedAt: String(value.startedAt ?? 'an unknown time'),
      nonce: String(value.nonce ?? ''),
    };
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (one of another user counts: it answers EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function createExclusive(path: string, content: LockContent): boolean {
  try {
    writeFileSync(path, `${JSON.stringify(content)}\n`, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Takes the lock of a PGlite directory (which must exist), or throws DatabaseInUseError naming
 * the process that holds it.
 */
export function lockPgliteDir(
  dir: string,
  alive: (pid: number) => boolean = processAlive,
): PgliteLock {
  const path = join(dir, LOCK_FILE);
  const mine: LockContent = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; ; attempt++) {
    if (createExclusive(path, mine)) break;
    const holder = readLock(path);
    if (holder && alive(holder.pid)) throw new DatabaseInUseError(dir, holder);
    // Dead holder, or a file that is not a lock of ours: stale. Take it over once it is gone.
    if (attempt >= 3)
      throw new AppError('conflict', `cannot take over the stale lock ${path}; delete it`, {
        details: { params: { reason: 'stale_lock', path } },
      });
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    if (readLock(path)?.nonce !== mine.nonce) return;
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', release);
  return { path, release };
}
