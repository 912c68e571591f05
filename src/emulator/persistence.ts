import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage } from '../core/errors.ts';
import { codeState } from './code.ts';
import type { EmulatorContext } from './context.ts';
import { replies } from './customer-service.ts';
import { extFilesOf } from './handlers/privacy.ts';
import { testersByApp } from './handlers/testers.ts';
import { icpState } from './icp.ts';
import { stateOf as mpConfigState } from './mp-config.ts';
import { privacyState } from './privacy-interfaces.ts';
import { rateState } from './rate-limit.ts';
import { registrations } from './registrations.ts';
import { decodeGraph, encodeGraph } from './snapshot.ts';
import { createState, type EmulatorState } from './state.ts';
import { templateLibrary } from './templates.ts';
import { verificationState } from './verification.ts';

/**
 * The emulator's world on disk, so that a sandbox keeps its accounts, authorizations, tokens,
 * drafts, templates, code states, registrations, filings, audit policy and quotas across a
 * restart. The file is one JSON snapshot (snapshot.ts) written atomically (a temporary file, then
 * a rename) with mode 0600 — it holds the fake world's secrets — a moment after a change and
 * once more when the emulator stops; it is read when the emulator is built.
 *
 * The world is the EmulatorState (but its clock and component, which come from the
 * configuration) and every area kept beside it (AREAS). A new area keyed by the state must be
 * added to AREAS, or it is lost on restart (test/emulator/persistence.test.ts lists them).
 * The emulator clock's offset (control API's time travel) is kept too: WeChat's time never goes
 * back.
 */
export const STATE_FORMAT = 'openwx-emulator-state';
export const STATE_VERSION = 1;

/** The areas kept beside the EmulatorState, by name; each accessor creates its area if missing. */
export const AREAS: Record<string, (ctx: EmulatorContext) => object> = {
  code: codeState,
  templates: templateLibrary,
  registrations,
  icp: icpState,
  verification: verificationState,
  mpConfig: mpConfigState,
  privacy: privacyState,
  privacyExtFiles: extFilesOf,
  testers: testersByApp,
  rateLimit: rateState,
  customerServiceReplies: replies,
};

/** The EmulatorState's own fields that are not part of the world. */
const NOT_WORLD = new Set<string>(['component', 'clock']);

interface StateFile {
  format: string;
  version: number;
  savedAt: string;
  componentAppid: string;
  clockOffsetMs: number;
  world: unknown;
}

/** The world as JSON-ready data. */
export function snapshotWorld(ctx: EmulatorContext): unknown {
  const core: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ctx.state)) if (!NOT_WORLD.has(k)) core[k] = v;
  const areas: Record<string, unknown> = {};
  for (const [name, area] of Object.entries(AREAS)) areas[name] = area(ctx);
  return encodeGraph({ core, areas });
}

/** Empties `target` and fills it with `source`'s entries (a Map) or properties. */
function replaceContents(target: object, source: unknown): void {
  if (target instanceof Map) {
    if (!(source instanceof Map)) return;
    target.clear();
    for (const [k, v] of source) target.set(k, v);
    return;
  }
  if (typeof source === 'object' && source !== null) Object.assign(target, source);
}

/** Puts a snapshot's world in place of the current one (same objects, new contents). */
export function restoreWorld(ctx: EmulatorContext, snapshot: unknown): void {
  const { core, areas } = (decodeGraph(snapshot) ?? {}) as {
    core?: Record<string, unknown>;
    areas?: Record<string, unknown>;
  };
  const state = ctx.state as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(core ?? {})) if (!NOT_WORLD.has(k)) state[k] = v;
  for (const [name, area] of Object.entries(AREAS)) {
    const saved = areas?.[name];
    if (saved !== undefined) replaceContents(area(ctx), saved);
  }
}

/**
 * Makes the world a new one, as a freshly built emulator has (only `seed` run on it, e.g. the
 * default merchants); the clock and the component stay.
 */
export function resetWorld(ctx: EmulatorContext, seed: (fresh: EmulatorContext) => void): void {
  const fresh: EmulatorContext = {
    ...ctx,
    state: createState(ctx.state.component, ctx.clock) as EmulatorState,
  };
  seed(fresh);
  // Every area in its initial form, so that nothing of the old world is left in them.
  for (const area of Object.values(AREAS)) area(fresh);
  restoreWorld(ctx, snapshotWorld(fresh));
}

export class StateFileError extends Error {
  constructor(file: string, problem: string) {
    super(
      `the emulator state in ${file} cannot be used: ${problem} (move it away to start with a new world, or run "openwx sandbox reset")`,
    );
    this.name = 'StateFileError';
  }
}

/**
 * Reads the world of `file` into the emulator. False when there is no file (a new world);
 * a file of another platform (component appid) is set aside as `<file>.<appid>.old` and false.
 */
export function loadWorld(ctx: EmulatorContext, file: string): boolean {
  if (!existsSync(file)) return false;
  let parsed: StateFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
  } catch (err) {
    throw new StateFileError(file, errorMessage(err));
  }
  if (parsed.format !== STATE_FORMAT || parsed.version !== STATE_VERSION)
    throw new StateFileError(
      file,
      `it is not an emulator state of version ${STATE_VERSION} (format ${String(parsed.format)}, version ${String(parsed.version)})`,
    );
  if (parsed.componentAppid !== ctx.state.component.appid) {
    const aside = `${file}.${parsed.componentAppid}.old`;
    renameSync(file, aside);
    ctx.log('emulator: the saved world belongs to another platform; starting a new one', {
      file,
      setAside: aside,
    });
    return false;
  }
  try {
    restoreWorld(ctx, parsed.world);
  } catch (err) {
    throw new StateFileError(file, errorMessage(err));
  }
  const behind = parsed.clockOffsetMs - ctx.clock.offsetMs;
  if (Number.isFinite(behind) && behind > 0) ctx.clock.advance(behind);
  return true;
}

/** Writes the world to `file` atomically, readable by the owner only. */
function writeWorld(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export interface WorldSaver {
  /** Something changed: the world is written `delayMs` later (changes meanwhile join it). */
  changed(): void;
  /** Writes now if anything is unsaved (stop, reset). */
  flush(): void;
  /** Stops the pending write (flush first to keep the last changes). */
  close(): void;
}

export function createWorldSaver(ctx: EmulatorContext, file: string, delayMs = 1000): WorldSaver {
  let timer: NodeJS.Timeout | undefined;
  let lastWorld: string | undefined;
  let dirty = false;
  const save = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    try {
      const world = JSON.stringify(snapshotWorld(ctx));
      if (world === lastWorld && existsSync(file)) return;
      const head: Omit<StateFile, 'world'> = {
        format: STATE_FORMAT,
        version: STATE_VERSION,
        savedAt: new Date(ctx.clock.now()).toISOString(),
        componentAppid: ctx.state.component.appid,
        clockOffsetMs: ctx.clock.offsetMs,
      };
      const text = JSON.stringify(head);
      writeWorld(file, `${text.slice(0, -1)},"world":${world}}\n`);
      lastWorld = world;
    } catch (err) {
      dirty = true;
      ctx.log('emulator: saving the world failed', { file, error: errorMessage(err) });
    }
  };
  return {
    changed() {
      dirty = true;
      if (timer) return;
      timer = setTimeout(save, delayMs);
      timer.unref();
    },
    flush() {
      dirty = true;
      save();
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
