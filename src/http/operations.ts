/**
 * The stable names of openwx's operations in its OpenAPI document (GET /docs/json), by
 * "METHOD /path" as the document writes the path ({param}; a wildcard is {path}). Generated
 * clients name their methods after these operationIds, so an id never changes once published: a
 * renamed route keeps its old id here. A route's own `schema.operationId` wins over this table.
 *
 * `responses` documents a success answer that is not JSON (pushes, pages, metrics, the proxy)
 * where the route's schema cannot say it without changing how Fastify serializes the answer.
 * `errors` documents error statuses a route answers beyond those src/http/openapi.ts adds to
 * every route by rule (400, 401, 403, 404 with a path parameter, 413 with a body, 503), with the
 * error codes behind them (src/http/errors.ts STATUS maps codes to statuses).
 */
export interface OperationDoc {
  operationId: string;
  summary?: string;
  tags?: string[];
  responses?: Record<string, ResponseDoc>;
  /** Further error statuses the route answers, and when (the answer is the Error schema). */
  errors?: Partial<Record<ErrorStatus, string>>;
  /** A request body the route takes without a schema of its own (the proxy's). */
  requestBody?: {
    description: string;
    content: Record<string, { schema: Record<string, unknown> }>;
  };
}

/** The error statuses an entry may declare (the others are added by rule). */
export type ErrorStatus = 409 | 413 | 429 | 502;

export interface ResponseDoc {
  description: string;
  content?: Record<string, { schema: Record<string, unknown> }>;
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

const text = (description: string, mediaType = 'text/plain'): ResponseDoc => ({
  description,
  content: { [mediaType]: { schema: { type: 'string' } } },
});

/** WeChat answers JSON (errcode, errmsg and the API's fields), or a file (media, QR codes). */
const wechatAnswer: ResponseDoc = {
  description: "WeChat's own answer, passed through with its status and content type",
  content: {
    'application/json': { schema: { type: 'object', additionalProperties: true } },
    'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
  },
};

/** What the proxy passes on to WeChat as it is: the API's JSON body (or a file upload). */
const wechatBody = {
  description:
    "The body of the WeChat API call, passed on as it is (WeChat's documentation of the API says what it holds)",
  content: {
    'application/json': { schema: { type: 'object', additionalProperties: true } },
    'multipart/form-data': { schema: { type: 'object', additionalProperties: true } },
  },
};

const pushAck = text(
  '"success" once the push is verified and stored, or the encrypted passive reply (XML)',
);
const echo = text('The echostr given, when the signature matches');

/** A WeChat call refused (502 wechat_error) or unanswered after it was sent (wechat_outcome_unknown). */
const WECHAT =
  'WeChat refused a call (error.code wechat_error: errcode, errmsg, endpoint), or did not answer one that changes its state, which it may have applied (wechat_outcome_unknown, params.endpoint)';
/** The proxy answers WeChat's own errors with WeChat's answer; 502 is openwx's token or a lost write. */
const PROXY_502 =
  "The token could not be had from WeChat (wechat_error), or a write lost WeChat's answer (wechat_outcome_unknown); WeChat's own errors pass through as its answer";

/** Short form: an operationId alone, or the whole entry. */
type Entry = string | OperationDoc;

const TABLE: Record<string, Entry> = {
  // WeChat's pushes and the merchant's pages
  'POST /api/openwx/auth': { operationId: 'receiveAuthEvent', responses: { 200: pushAck } },
  'GET /api/openwx/auth': { operationId: 'checkAuthEventUrl', responses: { 200: echo } },
  'POST /api/openwx/callback/{appid}': {
    operationId: 'receiveMessageEvent',
    responses: { 200: pushAck },
  },
  'GET /api/openwx/callback/{appid}': {
    operationId: 'checkMessageEventUrl',
    responses: { 200: echo },
  },
  'GET /api/openwx/authorized': {
    operationId: 'showAuthorizationResult',
    responses: {
      200: text('The page telling the merchant how the authorization went', 'text/html'),
    },
  },
  'GET /authorize/{token}': {
    operationId: 'showAuthorizationStartPage',
    responses: { 200: text("The page linking to WeChat's authorization page", 'text/html') },
  },

  // Operations
  'GET /livez': 'getLiveness',
  'GET /readyz': 'getReadiness',
  'GET /healthz': 'getHealth',
  'GET /metrics': {
    operationId: 'getMetrics',
    responses: { 200: text('Prometheus text exposition format') },
  },

  // Admin: platform
  'GET /api/admin/status': 'getStatus',
  'GET /api/admin/stats': 'getStats',
  'POST /api/admin/sandbox/reset': 'resetSandbox',
  'GET /api/admin/events': 'listEvents',
  'GET /api/admin/events/{id}': 'getEvent',
  'GET /api/admin/audit': 'listAuditTrail',
  'GET /api/admin/overview': 'getOverview',
  'GET /api/admin/platform-settings': 'getPlatformSettings',
  'POST /api/admin/platform-settings/reveal-aes-key': 'revealAesKey',
  'GET /api/tokens/component': { operationId: 'getComponentToken', errors: { 502: WECHAT } },
  'GET /api/tokens/authorizers/{appid}': {
    operationId: 'getAuthorizerToken',
    errors: {
      409: 'The authorizer revoked its authorization (conflict, params.reason authorizer_revoked)',
      502: WECHAT,
    },
  },

  // Tenants
  'POST /api/admin/tenants': 'createTenant',
  'GET /api/admin/tenants': 'listTenants',
  'GET /api/admin/tenants/{id}': 'getTenant',
  'PATCH /api/admin/tenants/{id}': 'updateTenant',
  'POST /api/admin/tenants/{id}/keys': 'createTenantKey',
  'GET /api/admin/tenants/{id}/keys': 'listTenantKeys',
  'DELETE /api/admin/tenants/{id}/keys/{keyId}': 'revokeTenantKey',
  'PUT /api/admin/tenants/{id}/profile': 'setTenantProfile',

  // Authorizers
  'GET /api/admin/authorizers': 'listAuthorizers',
  'GET /api/admin/authorizers/{appid}': 'getAuthorizer',
  'PATCH /api/admin/authorizers/{appid}': 'updateAuthorizer',
  'POST /api/admin/authorizations': 'createAuthorizationLink',
  'POST /api/admin/authorizers/{appid}/sync': 'syncAuthorizer',
  'POST /api/admin/authorizers/{appid}/token/refresh': 'refreshAuthorizerToken',
  'POST /api/admin/authorizers/reconcile': 'reconcileAuthorizers',

  // Proxy
  'GET /api/proxy/component/{path}': {
    operationId: 'proxyComponentGet',
    responses: { 200: wechatAnswer },
    errors: { 502: PROXY_502 },
  },
  'POST /api/proxy/component/{path}': {
    operationId: 'proxyComponentPost',
    requestBody: wechatBody,
    responses: { 200: wechatAnswer },
    errors: { 502: PROXY_502 },
  },
  'GET /api/proxy/{appid}/{path}': {
    operationId: 'proxyAuthorizerGet',
    responses: { 200: wechatAnswer },
    errors: { 502: PROXY_502 },
  },
  'POST /api/proxy/{appid}/{path}': {
    operationId: 'proxyAuthorizerPost',
    requestBody: wechatBody,
    responses: { 200: wechatAnswer },
    errors: { 502: PROXY_502 },
  },

  // Auto-replies
  'GET /api/admin/authorizers/{appid}/auto-replies': 'getAutoReplies',
  'PUT /api/admin/authorizers/{appid}/auto-replies': 'replaceAutoReplies',

  // Users
  'POST /api/admin/miniprogram/{appid}/session': 'exchangeMiniProgramLoginCode',
  'GET /api/admin/officialaccount/{appid}/oauth-url': 'getOAuthUrl',
  'POST /api/admin/officialaccount/{appid}/oauth/exchange': 'exchangeOAuthCode',
  'POST /api/admin/officialaccount/{appid}/jssdk/signature': 'signJssdkConfig',

  // Webhooks
  'POST /api/admin/webhooks': 'createWebhook',
  'GET /api/admin/webhooks': 'listWebhooks',
  'GET /api/admin/webhooks/{id}': 'getWebhook',
  'PATCH /api/admin/webhooks/{id}': 'updateWebhook',
  'DELETE /api/admin/webhooks/{id}': 'deleteWebhook',
  'POST /api/admin/webhooks/{id}/rotate-secret': 'rotateWebhookSecret',
  'GET /api/admin/webhooks/{id}/deliveries': 'listWebhookDeliveries',
  'GET /api/admin/webhook-deliveries': 'listAllWebhookDeliveries',
  'POST /api/admin/webhooks/{id}/deliveries/{deliveryId}/redeliver': 'redeliverWebhookDelivery',

  // Profiles and mini program settings
  'POST /api/admin/profiles': 'createProfile',
  'GET /api/admin/profiles': 'listProfiles',
  'GET /api/admin/profiles/{id}': 'getProfile',
  'PATCH /api/admin/profiles/{id}': 'updateProfile',
  'DELETE /api/admin/profiles/{id}': 'deleteProfile',
  'PUT /api/admin/profiles/{id}/default': 'setDefaultProfile',
  'POST /api/admin/profiles/apply': 'applyProfiles',
  'GET /api/admin/authorizers/{appid}/drift': 'getProfileDrift',
  'POST /api/admin/authorizers/{appid}/apply': 'applyProfile',
  'GET /api/admin/authorizers/{appid}/domains': 'getServerDomains',
  'PUT /api/admin/authorizers/{appid}/domains': 'setServerDomains',
  'GET /api/admin/authorizers/{appid}/webview-domains': 'getWebviewDomains',
  'PUT /api/admin/authorizers/{appid}/webview-domains': 'setWebviewDomains',
  'GET /api/admin/authorizers/{appid}/categories': 'listCategories',
  'POST /api/admin/authorizers/{appid}/categories': 'addCategories',
  'DELETE /api/admin/authorizers/{appid}/categories': 'deleteCategory',
  'GET /api/admin/authorizers/{appid}/categories/available': 'listAvailableCategories',
  'GET /api/admin/authorizers/{appid}/privacy': 'getPrivacySettings',
  'PUT /api/admin/authorizers/{appid}/privacy': 'setPrivacySettings',
  'PUT /api/admin/authorizers/{appid}/basic-info': 'setBasicInfo',

  // Registrations
  'POST /api/admin/registrations': 'createRegistration',
  'GET /api/admin/registrations': 'listRegistrations',
  'GET /api/admin/registrations/unmatched': 'listUnmatchedRegistrationPushes',
  'GET /api/admin/registrations/{id}': 'getRegistration',
  'POST /api/admin/registrations/{id}/verify-beta': 'verifyBetaMiniProgram',
  'POST /api/admin/registrations/{id}/beta-name': 'renameBetaMiniProgram',

  // Testers
  'GET /api/admin/authorizers/{appid}/testers': 'listTesters',
  'POST /api/admin/authorizers/{appid}/testers': 'bindTester',
  'DELETE /api/admin/authorizers/{appid}/testers/{userstr}': 'unbindTester',

  // Templates and code
  'GET /api/admin/templates/drafts': 'listTemplateDrafts',
  'GET /api/admin/templates': 'listTemplates',
  'POST /api/admin/templates': 'addTemplate',
  'GET /api/admin/templates/default': 'getDefaultTemplate',
  'PUT /api/admin/templates/default': 'setDefaultTemplate',
  'DELETE /api/admin/templates/{template_id}': 'deleteTemplate',
  'GET /api/admin/templates/{template_id}/usage': 'getTemplateUsage',
  'POST /api/admin/authorizers/{appid}/code/commit': 'commitCode',
  'GET /api/admin/authorizers/{appid}/code/qrcode': 'getTrialQrCode',
  'POST /api/admin/authorizers/{appid}/code/submit': {
    operationId: 'submitAudit',
    errors: {
      409: 'Nothing committed or an audit in flight (conflict), or a pre-flight check failed (preflight_failed, error.checks)',
      502: WECHAT,
    },
  },
  'GET /api/admin/authorizers/{appid}/code/preflight': 'getAuditPreflight',
  'POST /api/admin/authorizers/{appid}/code/release': 'releaseCode',
  'POST /api/admin/authorizers/{appid}/code/rollback': 'rollbackRelease',
  'POST /api/admin/authorizers/{appid}/code/undo-audit': 'undoAudit',
  'POST /api/admin/authorizers/{appid}/code/speedup': 'speedUpAudit',
  'POST /api/admin/authorizers/{appid}/code/gray-release/revert': 'revertGrayRelease',
  'POST /api/admin/authorizers/{appid}/code/gray-release': 'grayRelease',
  'GET /api/admin/authorizers/{appid}/code/gray-release': 'getGrayReleasePlan',
  'POST /api/admin/authorizers/{appid}/code/visit-status': 'setVisitStatus',
  'GET /api/admin/authorizers/{appid}/code': 'getCodeState',
  'GET /api/admin/authorizers/{appid}/versions': 'listVersions',
  'GET /api/admin/authorizers/{appid}/audit-advice': 'getAuditAdvice',

  // Rollouts
  'POST /api/admin/rollouts/preview': 'previewRollout',
  'POST /api/admin/rollouts': {
    operationId: 'createRollout',
    errors: {
      409: 'Some of the mini programs are in an active rollout (conflict, error.rollout_id), or the audit quota left this month is short (quota_exhausted)',
    },
  },
  'GET /api/admin/rollouts': 'listRollouts',
  'GET /api/admin/rollouts/{id}': 'getRollout',
  'GET /api/admin/rollouts/{id}/items': 'listRolloutItems',
  'POST /api/admin/rollouts/{id}/pause': 'pauseRollout',
  'POST /api/admin/rollouts/{id}/resume': 'resumeRollout',
  'POST /api/admin/rollouts/{id}/cancel': 'cancelRollout',
  'POST /api/admin/rollouts/{id}/retry': 'retryRollout',
  'POST /api/admin/rollouts/{id}/release': 'releaseRollout',

  // ICP filing
  'GET /api/admin/authorizers/{appid}/icp': 'getIcpFiling',
  'POST /api/admin/authorizers/{appid}/icp/refresh': 'refreshIcpFiling',
  'GET /api/admin/authorizers/{appid}/icp/dictionaries': 'getIcpDictionaries',
  'POST /api/admin/authorizers/{appid}/icp/verification': 'startIcpVerification',
  'GET /api/admin/authorizers/{appid}/icp/verification': 'getIcpVerification',
  'POST /api/admin/authorizers/{appid}/icp/media': 'uploadIcpMedia',
  'POST /api/admin/authorizers/{appid}/icp/application': 'applyIcpFiling',
  'POST /api/admin/authorizers/{appid}/icp/application/withdraw': 'withdrawIcpApplication',
  'POST /api/admin/authorizers/{appid}/icp/cancel': 'cancelIcpFiling',
  'GET /api/admin/authorizers/{appid}/icp/order': 'getIcpOrder',

  // Verification and reviews
  'GET /api/admin/authorizers/{appid}/verification': 'getVerification',
  'POST /api/admin/authorizers/{appid}/verification': 'startVerification',
  'POST /api/admin/authorizers/{appid}/verification/refresh': 'refreshVerification',
  'POST /api/admin/authorizers/{appid}/verification/resubmit': 'resubmitVerification',
  'POST /api/admin/authorizers/{appid}/verification/materials': 'uploadVerificationMaterial',
  'GET /api/admin/authorizers/{appid}/reviews': 'listReviews',
  'POST /api/admin/authorizers/{appid}/reviews/categories': 'submitCategoryReview',

  // Privacy interfaces and audit materials
  'GET /api/admin/authorizers/{appid}/privacy-interfaces': 'listPrivacyInterfaces',
  'POST /api/admin/authorizers/{appid}/privacy-interfaces': 'applyPrivacyInterface',
  'GET /api/admin/authorizers/{appid}/code-privacy': 'getCodePrivacyInfo',
  'POST /api/admin/authorizers/{appid}/privacy-ext-file': 'uploadPrivacyExtFile',
  'POST /api/admin/authorizers/{appid}/media': 'uploadAuditMedia',

  // Operators and sessions
  'POST /api/session': 'signIn',
  'GET /api/session': 'getSession',
  'DELETE /api/session': 'signOut',
  'PUT /api/session/password': 'changePassword',
  'POST /api/session/totp': 'beginTotp',
  'DELETE /api/session/totp': 'disableTotp',
  'POST /api/session/totp/confirm': 'confirmTotp',
  'GET /api/admin/operators': 'listOperators',
  'POST /api/admin/operators': 'createOperator',
  'GET /api/admin/operators/{id}': 'getOperator',
  'PATCH /api/admin/operators/{id}': 'updateOperator',
  'PUT /api/admin/operators/{id}/password': 'setOperatorPassword',
  'DELETE /api/admin/operators/{id}/totp': 'removeOperatorTotp',
  'GET /api/admin/sign-ins': 'listSignIns',

  // Tenant API (an API key as the bearer token)
  'GET /api/tenant/authorizers': 'listTenantAuthorizers',
  'GET /api/tenant/authorizers/{appid}': 'getTenantAuthorizer',
  'POST /api/tenant/authorizations': 'createTenantAuthorizationLink',
  'GET /api/tenant/tokens/{appid}': 'getTenantAuthorizerToken',
  'GET /api/tenant/authorizers/{appid}/auto-replies': 'getTenantAutoReplies',
  'PUT /api/tenant/authorizers/{appid}/auto-replies': 'replaceTenantAutoReplies',
  'POST /api/tenant/miniprogram/{appid}/session': 'exchangeTenantMiniProgramLoginCode',
  'GET /api/tenant/officialaccount/{appid}/oauth-url': 'getTenantOAuthUrl',
  'POST /api/tenant/officialaccount/{appid}/oauth/exchange': 'exchangeTenantOAuthCode',
  'POST /api/tenant/officialaccount/{appid}/jssdk/signature': 'signTenantJssdkConfig',
  'GET /api/tenant/authorizers/{appid}/testers': 'listTenantTesters',
  'POST /api/tenant/authorizers/{appid}/testers': 'bindTenantTester',
  'DELETE /api/tenant/authorizers/{appid}/testers/{userstr}': 'unbindTenantTester',
  'GET /api/tenant/authorizers/{appid}/code': 'getTenantCodeState',
  'GET /api/tenant/authorizers/{appid}/versions': 'listTenantVersions',
  'POST /api/tenant/deploy': {
    operationId: 'createTenantDeployment',
    errors: {
      409: 'The mini program is in an active rollout (conflict), or the audit quota left this month is short (quota_exhausted)',
    },
  },
  'GET /api/tenant/deploy/{id}': 'getTenantDeployment',
  'GET /api/tenant/authorizers/{appid}/icp': 'getTenantIcpFiling',
  'GET /api/tenant/authorizers/{appid}/audit-advice': 'getTenantAuditAdvice',
  'GET /api/tenant/authorizers/{appid}/verification': 'getTenantVerification',
  'GET /api/tenant/authorizers/{appid}/reviews': 'listTenantReviews',
};

/** Every `METHOD /path` the table names (the contract test checks that each one exists). */
export const documentedOperations = (): string[] => Object.keys(TABLE);

/** The entry for `METHOD /path` (the document's path), or undefined when it has none. */
export function operationDoc(method: string, path: string): OperationDoc | undefined {
  const e = TABLE[`${method.toUpperCase()} ${path}`];
  return typeof e === 'string' ? { operationId: e } : e;
}
