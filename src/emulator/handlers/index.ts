import type { HandlerTable } from './types.ts';
import { authorizerHandlers } from './authorizers.ts';
import { categoryHandlers } from './category.ts';
import { codeHandlers } from './code.ts';
import { componentHandlers } from './component.ts';
import { domainHandlers } from './domain.ts';
import { icpHandlers } from './icp.ts';
import { messageHandlers } from './message.ts';
import { privacyHandlers } from './privacy.ts';
import { quotaHandlers } from './quota.ts';
import { registerHandlers } from './register.ts';
import { testerHandlers } from './testers.ts';
import { templateHandlers } from './template.ts';
import { userHandlers } from './users.ts';
import { verificationHandlers } from './verification.ts';

/** Every emulated API, keyed by the endpoint names of src/wechat/endpoints. */
export const handlers: HandlerTable = {
  ...componentHandlers,
  ...authorizerHandlers,
  ...quotaHandlers,
  ...messageHandlers,
  ...userHandlers,
  ...domainHandlers,
  ...categoryHandlers,
  ...privacyHandlers,
  ...registerHandlers,
  ...testerHandlers,
  ...templateHandlers,
  ...codeHandlers,
  ...icpHandlers,
  ...verificationHandlers,
};
