import type { OffsetClock } from '../core/clock.ts';
import type { RandomSource } from '../core/random.ts';
import type { WxBizMsgCrypt } from '../crypto/wx-biz-msg-crypt.ts';
import type { IdSource } from './ids.ts';
import type { EmulatorState } from './state.ts';

export type LogFn = (msg: string, extra?: Record<string, unknown>) => void;

/** Resolved settings (defaults applied); durations in milliseconds unless named otherwise. */
export interface EmulatorSettings {
  tokenTtlSeconds: number;
  /** How long an old token (or a rotated refresh token) keeps working after a newer one. */
  overlapMs: number;
  ticketTtlMs: number;
  preAuthCodeTtlSeconds: number;
  authCodeTtlSeconds: number;
  rotateRefreshTokens: boolean;
  pushTimeoutMs: number;
  pushAttempts: number;
  defaultDailyLimit: number;
  quotaClearsPerMonth: number;
  /** Whether the legacy fastregisterweapp still answers (WeChat took it offline on 2026-04-30). */
  legacyEnterpriseRegistration: boolean;
  /** Hostname (no port) of 授权发起页域名, when checked. */
  authDomain?: string;
}

/** Where pushes go; called once per HTTP attempt so that several receivers can rotate. */
export interface PushTargets {
  authEventUrl(): string;
  messageUrl(): string;
}

/** Everything the emulator's parts share. */
export interface EmulatorContext {
  state: EmulatorState;
  settings: EmulatorSettings;
  clock: OffsetClock;
  random: RandomSource;
  ids: IdSource;
  crypt: WxBizMsgCrypt;
  targets: PushTargets;
  fetch: typeof fetch;
  log: LogFn;
  /** Keeps a background promise so that stop() can wait for it. */
  track(p: Promise<unknown>): void;
}

export const nowMs = (ctx: EmulatorContext): number => ctx.clock.now();
export const nowSeconds = (ctx: EmulatorContext): number => Math.floor(ctx.clock.now() / 1000);
