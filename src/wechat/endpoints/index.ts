import type { z } from 'zod';
import type { EndpointDef } from '../endpoint.ts';
import { basicInfoEndpoints } from './basic-info.ts';
import { categoryEndpoints } from './category.ts';
import { codeEndpoints } from './code.ts';
import { componentEndpoints } from './component.ts';
import { domainEndpoints } from './domain.ts';
import { icpEndpoints } from './icp.ts';
import { messageEndpoints } from './message.ts';
import { registerEndpoints } from './register.ts';
import { testerEndpoints } from './testers.ts';
import { privacyEndpoints } from './privacy.ts';
import { templateEndpoints } from './template.ts';
import { userEndpoints } from './users.ts';
import { verificationEndpoints } from './verification.ts';

/** The endpoint table: every WeChat API openwx calls, one row each. */
export const endpoints = {
  ...componentEndpoints,
  ...messageEndpoints,
  ...userEndpoints,
  ...domainEndpoints,
  ...categoryEndpoints,
  ...privacyEndpoints,
  ...basicInfoEndpoints,
  ...registerEndpoints,
  ...testerEndpoints,
  ...templateEndpoints,
  ...codeEndpoints,
  ...icpEndpoints,
  ...verificationEndpoints,
};

export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;
export type EndpointRequest<N extends EndpointName> = z.input<Endpoints[N]['request']>;
export type EndpointResponse<N extends EndpointName> = z.output<Endpoints[N]['response']>;

export const endpointList: EndpointDef[] = Object.values(endpoints);

export function findEndpointByPath(path: string): EndpointDef[] {
  return endpointList.filter((e) => e.path === path);
}
