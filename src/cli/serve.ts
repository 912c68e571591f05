import { join } from 'node:path';
import { describeConfig, type Config } from '../config/config.ts';

/**
 * The few lines printed at start: where everything is. Secrets only in sandbox mode (its
 * generated admin token, so the console can be opened); live mode names where they come from.
 */
export function startupBanner(config: Readonly<Config>, url: string): string[] {
  const pub = config.publicUrl;
  const d = describeConfig(config);
  const sandbox = config.mode === 'sandbox';
  const lines = [
    `openwx is running in ${config.mode} mode${config.embeddedEmulator ? ' (WeChat emulator inside this process)' : ''}`,
    `  console         ${pub}/console`,
  ];
  if (config.embeddedEmulator)
    lines.push(
      `  sandbox         ${pub}/console/sandbox  (simulated merchants, authorizations and pushes)`,
    );
  lines.push(
    `  listening       ${url}  (public URL ${pub})`,
    `  API docs        ${pub}/docs`,
    `  admin token     ${sandbox ? config.adminToken : '(from OPENWX_ADMIN_TOKEN)'}  → Authorization: Bearer <token>`,
    `  data            ${String(d['database'])}`,
    `  push URLs       ${pub}/api/openwx/auth  and  ${pub}/api/openwx/callback/$APPID$`,
    `  WeChat API      ${config.wechatApiBase}`,
  );
  if (config.embeddedEmulator)
    lines.push(
      `  emulator        control API ${pub}/emulator/control/stats`,
      `  emulator world  kept in ${join(config.dataDir, 'emulator-state.json')} across restarts (openwx sandbox reset clears it)`,
    );
  if (config.mode === 'live' && new URL(pub).protocol !== 'https:')
    lines.push(
      `  warning         OPENWX_PUBLIC_URL is not https://: WeChat needs https to push to it (openwx doctor)`,
    );
  return lines;
}
