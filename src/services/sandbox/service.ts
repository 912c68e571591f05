import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/metrics.ts';
import type { Db } from '../../store/db.ts';
import { createSandboxQueries } from '../../store/queries/sandbox.ts';

/**
 * "Reset the sandbox": openwx's data (authorizers, tokens, tickets, tenants, templates, rollouts,
 * webhooks, events, jobs, ...) and the emulator's world are cleared together, so that the two
 * never disagree about which accounts exist. Operator accounts, their sessions and the audit
 * trail stay (KEPT_TABLES). Refused in live mode: there it would delete a real platform's data.
 */
export const EMULATOR_STATE_FILE = 'emulator-state.json';

/** The emulator's state file of a sandbox data directory. */
export const emulatorStateFile = (dataDir: string): string => join(dataDir, EMULATOR_STATE_FILE);

/** What the service needs of the in-process emulator (the emulator itself is not imported). */
export interface ResettableWorld {
  reset(): Promise<void>;
  pushTicket(): Promise<unknown>;
}

export interface SandboxResetResult {
  /** The tables of openwx's data that were emptied. */
  tablesCleared: string[];
  /** Whether the in-process emulator's world was made new. */
  emulatorReset: boolean;
  /** Whether a component_verify_ticket was pushed at once into the new world. */
  ticketPushed: boolean;
}

export function refuseInLiveMode(mode: 'sandbox' | 'live'): void {
  if (mode === 'live')
    throw new AppError(
      'sandbox_only',
      'a reset is for the sandbox only: in live mode it would delete the data of a real platform',
      { details: { params: { reason: 'live_mode', mode } } },
    );
}

export function createSandboxService(deps: {
  mode: 'sandbox' | 'live';
  db: Db;
  emulator?: ResettableWorld | undefined;
  /** This process's token service: its component token is of the old world. */
  tokens?: { forceRefresh(kind: 'component'): Promise<unknown> };
  log?: Logger;
}) {
  const queries = createSandboxQueries(deps.db);
  let running: Promise<SandboxResetResult> | undefined;
  const reset = async (): Promise<SandboxResetResult> => {
    refuseInLiveMode(deps.mode);
    const tablesCleared = await queries.clearData();
    await deps.emulator?.reset();
    let ticketPushed = false;
    if (deps.emulator) {
      // The new world's first ticket, so that a component token can be had at once.
      try {
        await deps.emulator.pushTicket();
        ticketPushed = true;
        // The component token this process keeps in memory belongs to the old world.
        await deps.tokens?.forceRefresh('component');
      } catch (err) {
        deps.log?.warn({ err }, "sandbox reset: the new world's first ticket or token failed");
      }
    }
    deps.log?.info({ tables: tablesCleared.length }, 'sandbox reset');
    return { tablesCleared, emulatorReset: deps.emulator !== undefined, ticketPushed };
  };
  return {
    /** Clears openwx's data and the emulator's world; one reset at a time. */
    reset(): Promise<SandboxResetResult> {
      running ??= reset().finally(() => (running = undefined));
      return running;
    },
  };
}

export type SandboxService = ReturnType<typeof createSandboxService>;

/** The stopped sandbox's half of a reset (the CLI): its data cleared, the state file removed. */
export async function resetStoppedSandbox(opts: {
  mode: 'sandbox' | 'live';
  db: Db;
  dataDir: string;
}): Promise<{ tablesCleared: string[]; stateFile: string }> {
  refuseInLiveMode(opts.mode);
  const tablesCleared = await createSandboxQueries(opts.db).clearData();
  const stateFile = emulatorStateFile(opts.dataDir);
  rmSync(stateFile, { force: true });
  return { tablesCleared, stateFile };
}
