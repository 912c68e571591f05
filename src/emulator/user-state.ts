import type { TokenRecord } from './state.ts';

/**
 * The emulator's model of the merchants' own users: fake WeChat users, their login and OAuth
 * codes, their web OAuth access tokens, and the official accounts' jsapi_tickets.
 */
export interface FakeUser {
  /** Who the user is across accounts (the control API's `user`). */
  key: string;
  appid: string;
  openid: string;
  unionid: string;
  nickname: string;
  sessionKey?: string;
}

/** A `wx.login` code or a web OAuth code: single use, short-lived. */
export interface UserCode {
  value: string;
  appid: string;
  userKey: string;
  /** OAuth codes only. */
  scope?: string;
  expiresAt: number;
  used: boolean;
}

/** A user's web OAuth access token (not an account token). */
export interface SnsToken {
  value: string;
  appid: string;
  openid: string;
  scope: string;
  expiresAt: number;
}

export interface UsersState {
  /** Key: `<appid> <user key>`. */
  users: Map<string, FakeUser>;
  /** User key → unionid (one person, the same unionid in every account). */
  unionids: Map<string, string>;
  jsCodes: Map<string, UserCode>;
  oauthCodes: Map<string, UserCode>;
  snsTokens: Map<string, SnsToken>;
  jsapiTickets: Map<string, TokenRecord>;
  /** Official account appid → its newest jsapi_ticket. */
  currentJsapiTickets: Map<string, string>;
}

export function createUsersState(): UsersState {
  return {
    users: new Map(),
    unionids: new Map(),
    jsCodes: new Map(),
    oauthCodes: new Map(),
    snsTokens: new Map(),
    jsapiTickets: new Map(),
    currentJsapiTickets: new Map(),
  };
}
