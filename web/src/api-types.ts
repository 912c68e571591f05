/**
 * The admin API's request and answer types, taken from the server's own code (`import type`
 * only: nothing of the server is bundled). A change on the server that breaks a page fails
 * `npm run lint` (tsc checks web/ together with src/).
 */
import type { Overview } from '../../src/services/overview.ts';
import type { PlatformSettings } from '../../src/services/platform-settings.ts';
import type { PlatformStatus } from '../../src/services/status.ts';
import type { LinkRequest, OnboardingService } from '../../src/services/onboarding.ts';
import type { TenantService } from '../../src/services/tenants.ts';
import type { AuthorizerDirectory } from '../../src/services/authorizer-directory.ts';
import type { Audit } from '../../src/emulator/code.ts';
import type { OperatorService } from '../../src/services/operators/service.ts';
import type { AuditTrail } from '../../src/services/audit/trail.ts';

/** What JSON makes of a server value: dates become ISO strings. */
export type Json<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

type Answer<F extends (...args: never[]) => unknown> = Json<Awaited<ReturnType<F>>>;

export type { Overview, PlatformSettings, PlatformStatus, LinkRequest };
export type OverviewWarning = Overview['warnings'][number];

export type AuthorizationLink = Answer<OnboardingService['createLink']>;
export type Tenant = Answer<TenantService['create']>;
export type TenantPage = Answer<TenantService['list']>;
export type AuthorizerPage = Answer<AuthorizerDirectory['list']>;
export type AuthorizerSummary = AuthorizerPage['items'][number];

/** `GET /console/info.json`: what the sign-in page knows before a token. */
export interface ConsoleInfo {
  mode: 'sandbox' | 'live';
  version: string;
  /** Whether operator accounts exist (account sign-in is offered first). */
  accounts: boolean;
}

export type Operator = Answer<OperatorService['get']>;
export type OperatorRole = Operator['role'];
/** `POST /api/session`. */
export type SignInAnswer = Answer<OperatorService['signIn']>;
/** `GET /api/session`: an operator's session or the admin token. */
export interface SessionAnswer {
  kind: 'operator' | 'admin_token';
  role: OperatorRole;
  operator: Operator | null;
  expiresAt: string | null;
}
export type TotpOffer = Answer<OperatorService['beginTotp']>;
export type AuditPage = Answer<AuditTrail['page']>;
export type AuditEntry = AuditPage['items'][number];
export interface SignInAttemptPage {
  items: Answer<OperatorService['attempts']>;
  next: number | null;
}

/** The emulator's control API (sandbox mode), as the sandbox page uses it. */
export interface EmulatorMerchant {
  appid: string;
  type: 'miniprogram' | 'officialaccount';
  nickname: string;
  user_name?: string;
}
/** An audit as the emulator keeps it (status 0 passed, 1 failed, 2 auditing, 3 withdrawn, 4 delayed). */
export type EmulatorAudit = Omit<Audit, 'policyFail'>;
