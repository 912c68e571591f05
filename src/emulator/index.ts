import { buildEmulator, type Emulator, type EmulatorOptions } from './emulator.ts';

/**
 * The WeChat emulator: WeChat's side of a third-party platform (tickets, tokens, authorization
 * page, pushes, quotas, faults) behind the same endpoint table the client uses, plus a control
 * API. Reference: ../shared/wechat/01 §9.
 */
export function createEmulator(opts: EmulatorOptions): Emulator {
  return buildEmulator(opts, {
    authEventUrl: () => opts.authEventUrl,
    messageUrl: () => opts.messageUrl,
  });
}

export type { Emulator, EmulatorOptions, NotFoundHandler } from './emulator.ts';
export type { AuthorizeInput, AuthorizeResult } from './authorize.ts';
export type { MerchantInput, PermissionSet } from './merchants.ts';
export { PERMISSION_SETS } from './merchants.ts';
export type { MessagePushResult, PushResult } from './pushes.ts';
export type { EmulatorState, Merchant, MerchantType } from './state.ts';
export { findHandler, routeGroups } from './api.ts';
export { AUTH_PAGE_PATHS } from './auth-page.ts';
