import { describeConfig, type Config } from '../config/config.ts';

/** The few lines printed at start: where everything is. */
export function startupBanner(config: Readonly<Config>, url: string): string[] {
  const pub = config.publicUrl;
  const d = describeConfig(config);
  const lines = [
    `openwx is running in ${config.mode} mode${config.embeddedEmulator ? ' (WeChat emulator inside this process)' : ''}`,
    `  listening       ${url}  (public URL ${pub})`,
    `  API docs        ${pub}/docs`,
    `  admin token     ${config.mode === 'sandbox' ? config.adminToken : '(from OPENWX_ADMIN_TOKEN)'}  → Authorization: Bearer <token>`,
    `  data            ${String(d['database'])}`,
    `  push URLs       ${pub}/api/openwx/auth  and  ${pub}/api/openwx/callback/$APPID$`,
    `  WeChat API      ${config.wechatApiBase}`,
  ];
  if (config.embeddedEmulator)
    lines.push(`  emulator        ${pub}/emulator  (control API: ${pub}/emulator/control/stats)`);
  return lines;
}
