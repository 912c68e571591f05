import type { OffsetClock } from '../core/clock.ts';
import { createUsersState, type UsersState } from './user-state.ts';

/**
 * The emulator's in-memory model of one third-party platform (component) on WeChat's side.
 * Times are milliseconds on the emulator clock. Reference: ../shared/wechat/01 §9.
 */
export type MerchantType = 'miniprogram' | 'officialaccount';

export interface Merchant {
  appid: string;
  type: MerchantType;
  nickname: string;
  user_name: string;
  principal_name: string;
  createdAt: number;
}

export interface Ticket {
  value: string;
  issuedAt: number;
}

export interface TokenRecord {
  value: string;
  /** Authorizer appid for authorizer tokens; undefined for component tokens. */
  appid?: string;
  issuedAt: number;
  expiresAt: number;
  /** When a newer token was issued; the old one stays valid for the overlap after that. */
  supersededAt?: number;
  /** Set when the authorization was cancelled: the token stops working at once. */
  revoked?: boolean;
}

export interface PreAuthCode {
  value: string;
  issuedAt: number;
  expiresAt: number;
  used: boolean;
  /** Remembered when the authorization page is opened with this code. */
  redirectUri?: string;
  authType?: number;
  bizAppid?: string;
}

export interface AuthCode {
  value: string;
  authorizerAppid: string;
  preAuthCode: string;
  expiresAt: number;
  consumed: boolean;
}

export type AuthorizationStatus = 'authorized' | 'unauthorized';

export interface Authorization {
  appid: string;
  status: AuthorizationStatus;
  funcIds: number[];
  refreshToken: string;
  prevRefreshToken?: string;
  prevRefreshTokenUntil?: number;
  authTime: number;
  options: Record<string, string>;
}

export interface Quota {
  dailyLimit: number;
  used: number;
}

export interface Fault {
  /** Endpoint name or path. */
  endpoint: string;
  errcode?: number;
  latencyMs?: number;
  remaining: number;
}

/** A customer-service message an authorizer sent through `message/custom/send`. */
export interface SentMessage {
  /** The authorizer whose access token made the call. */
  appid: string;
  touser: string;
  msgtype: string;
  /** `text.content` of a text message. */
  content?: string;
  body: Record<string, unknown>;
  sentAt: number;
}

export interface PushHealth {
  lastAttemptAt?: number;
  lastOkAt?: number;
  lastStatus?: number;
  lastError?: string;
  consecutiveFailures: number;
  ok: boolean;
}

export interface ComponentConfig {
  appid: string;
  appsecret: string;
  token: string;
  aesKey: string;
}

export interface EmulatorState {
  component: ComponentConfig;
  clock: OffsetClock;
  tickets: Map<string, Ticket>;
  currentTicket?: string;
  componentTokens: Map<string, TokenRecord>;
  currentComponentToken?: string;
  preAuthCodes: Map<string, PreAuthCode>;
  authCodes: Map<string, AuthCode>;
  merchants: Map<string, Merchant>;
  authorizations: Map<string, Authorization>;
  authorizerTokens: Map<string, TokenRecord>;
  /** authorizer appid → its newest access token. */
  currentAuthorizerTokens: Map<string, string>;
  /** Key: `<owner appid> <cgi path>`. */
  quotas: Map<string, Quota>;
  /** Beijing-time day number the `used` counters belong to. */
  quotaDay: number;
  /** Key: `<appid> <yyyy-mm>` → quota resets this month. */
  quotaClears: Map<string, number>;
  faults: Fault[];
  /** Calls per endpoint path (without prefix or query), failed calls included. */
  calls: Map<string, number>;
  /**
   * Successful calls (errcode 0) made with an authorizer token: appid → path → count. Bounded by
   * the authorizers and the endpoint table.
   */
  callsByAppid: Map<string, Map<string, number>>;
  ticketPush: PushHealth;
  authEventPush: PushHealth;
  messagePush: PushHealth;
  /** Newest last. */
  sentMessages: SentMessage[];
  /** Key: `<authorizer appid> <openid>` → when the user last sent something (48-hour window). */
  userInteractions: Map<string, number>;
  /** The merchants' own users: login and OAuth codes, OAuth tokens, jsapi_tickets. */
  users: UsersState;
}

export function createState(component: ComponentConfig, clock: OffsetClock): EmulatorState {
  const health = (): PushHealth => ({ consecutiveFailures: 0, ok: true });
  return {
    component,
    clock,
    tickets: new Map(),
    componentTokens: new Map(),
    preAuthCodes: new Map(),
    authCodes: new Map(),
    merchants: new Map(),
    authorizations: new Map(),
    authorizerTokens: new Map(),
    currentAuthorizerTokens: new Map(),
    quotas: new Map(),
    quotaDay: 0,
    quotaClears: new Map(),
    faults: [],
    calls: new Map(),
    callsByAppid: new Map(),
    ticketPush: health(),
    authEventPush: health(),
    messagePush: health(),
    sentMessages: [],
    userInteractions: new Map(),
    users: createUsersState(),
  };
}

/**
 * How many pre-authorization and authorization codes are kept (they live minutes; the oldest are
 * dropped beyond this so that a long-running emulator does not grow without bound).
 */
export const CODES_MAX = 100_000;

/** Drops the oldest entries of a map once it grows past `max` (insertion order = age). */
export function capMap<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const first = map.keys().next();
    if (first.done) return;
    map.delete(first.value);
  }
}
