/**
 * The admin API's request and answer types, generated from openwx's OpenAPI document
 * (packages/client/src/openapi.ts, `npm run generate:client`): the console sees the server as
 * any other client does, through the contract. A change of the document that breaks a page fails
 * `npm run lint` (tsc checks web/ together with the generated types).
 */
import type { components, operations } from '../../packages/client/src/openapi.ts';

/** What JSON makes of a server value: dates become ISO strings. */
export type Json<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/**
 * For a schema that does not mark required what openwx always answers: the console reads every
 * property as present; `null` stays where the schema allows it. A schema that marks them
 * (Profile, Authorizer, CodeState, …) is read as generated (`Schemas['Profile']`): its optional
 * properties may be absent.
 */
export type Present<T> = T extends (infer U)[]
  ? Present<U>[]
  : T extends object
    ? { [K in keyof T]-?: Present<Exclude<T[K], undefined>> }
    : T;

/** The document's named schemas as generated (`Schemas['Webhook']`: required as the schema says). */
export type Schemas = components['schemas'];
/** A named schema of the document (`Schema<'Webhook'>`), its properties present. */
export type Schema<Name extends keyof Schemas> = Present<Schemas[Name]>;
type JsonContent<R> = R extends { content: { 'application/json': infer T } } ? T : never;
/** The JSON answer of an operation (by operationId) with the given status. */
export type Answer<Op extends keyof operations, Status extends number = 200> = Present<
  JsonContent<operations[Op]['responses'][Status & keyof operations[Op]['responses']]>
>;
/** The JSON request body of an operation (as sent: optional properties stay optional). */
export type RequestBody<Op extends keyof operations> = operations[Op]['requestBody'] extends
  { content: { 'application/json': infer T } } | undefined
  ? T
  : never;

export type Overview = Present<Schemas['Overview']>;
export type OverviewWarning = Overview['warnings'][number];
export type PlatformSettings = Answer<'getPlatformSettings'>;
export type PlatformStatus = Answer<'getStatus'>;
export type LinkRequest = RequestBody<'createAuthorizationLink'>;

export type AuthorizationLink = Present<Schemas['AuthorizationLink']>;
export type Tenant = Present<Schemas['Tenant']>;
export type TenantPage = Answer<'listTenants'>;
export type AuthorizerPage = Answer<'listAuthorizers'>;
export type AuthorizerSummary = AuthorizerPage['items'][number];

/** `GET /console/info.json`: what the sign-in page knows before a token. */
export interface ConsoleInfo {
  mode: 'sandbox' | 'live';
  version: string;
  /** Whether operator accounts exist (account sign-in is offered first). */
  accounts: boolean;
}

export type Operator = Present<Schemas['Operator']>;
export type OperatorRole = Operator['role'];
/** `POST /api/session`. */
export type SignInAnswer = Answer<'signIn', 201>;
/** `GET /api/session`: an operator's session or the admin token. */
export type SessionAnswer = Present<Schemas['Session']>;
export type TotpOffer = Answer<'beginTotp'>;
export type AuditPage = Answer<'listAuditTrail'>;
export type AuditEntry = Present<Schemas['AuditEntry']>;
export type SignInAttemptPage = Answer<'listSignIns'>;

/** The emulator's control API (sandbox mode, documented at /emulator/docs), as the sandbox page uses it. */
export interface EmulatorMerchant {
  appid: string;
  type: 'miniprogram' | 'officialaccount';
  nickname: string;
  user_name?: string;
}
/** An audit as the emulator keeps it (status 0 passed, 1 failed, 2 auditing, 3 withdrawn, 4 delayed). */
export interface EmulatorAudit {
  auditid: number;
  appid: string;
  status: 0 | 1 | 2 | 3 | 4;
  reason: string;
  screenshot: string;
  version: { template_id: number; user_version: string; user_desc: string; ext_json: string };
  submit_time: number;
}
