import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import {
  emulatorStateFile,
  refuseInLiveMode,
  resetStoppedSandbox,
} from '../services/sandbox/service.ts';
import { openPglite, postgresDb, type Db } from '../store/db.ts';

/**
 * `openwx sandbox reset`: clears openwx's data and the emulator's world of a stopped sandbox;
 * returns the lines to print. The PGlite database's lock refuses it while a server runs on the
 * same data directory (DatabaseInUseError names the process).
 */
export async function runSandboxReset(config: Readonly<Config>): Promise<string[]> {
  refuseInLiveMode(config.mode);
  const pgliteDir = join(config.dataDir, 'pglite');
  let db: Db | undefined;
  if (config.databaseUrl) db = postgresDb(config.databaseUrl, 1);
  else if (existsSync(pgliteDir)) db = await openPglite(pgliteDir);
  let result: Awaited<ReturnType<typeof resetStoppedSandbox>> | undefined;
  try {
    if (db) result = await resetStoppedSandbox({ mode: config.mode, db, dataDir: config.dataDir });
  } finally {
    await db?.close();
  }
  if (!result) {
    // No database yet: only the emulator's world (if any) goes.
    rmSync(emulatorStateFile(config.dataDir), { force: true });
  }
  const lines = [
    `sandbox reset: ${result ? `${result.tablesCleared.length} tables of openwx's data cleared` : 'no openwx data yet'}; the emulator's world removed`,
    '  operator accounts and the audit trail stay; the next start begins with a new world',
  ];
  if (!config.embeddedEmulator)
    lines.push(
      `  note: the emulator at ${config.wechatApiBase} runs on its own: POST /control/reset there (or restart it without its --state file) for a new world`,
    );
  return lines;
}
