import type { HandlerTable } from './types.ts';
import { authorizerHandlers } from './authorizers.ts';
import { componentHandlers } from './component.ts';
import { messageHandlers } from './message.ts';
import { quotaHandlers } from './quota.ts';
import { userHandlers } from './users.ts';

/** Every emulated API, keyed by the endpoint names of src/wechat/endpoints. */
export const handlers: HandlerTable = {
  ...componentHandlers,
  ...authorizerHandlers,
  ...quotaHandlers,
  ...messageHandlers,
  ...userHandlers,
};
