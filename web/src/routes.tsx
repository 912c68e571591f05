import type { ComponentType } from 'react';
import { OverviewPage } from './pages/overview/index.tsx';
import { PlatformSettingsPage } from './pages/platform-settings/index.tsx';
import { OnboardingPage } from './pages/onboarding/index.tsx';
import { SandboxPage } from './pages/sandbox/index.tsx';
import { TenantsPage } from './pages/tenants/index.tsx';
import { TenantDetailPage } from './pages/tenants/detail.tsx';
import { WebhooksPage } from './pages/webhooks/index.tsx';
import { EventsPage } from './pages/events/index.tsx';
import { EventDetailPage } from './pages/events/detail.tsx';
import { ProfilesPage } from './pages/profiles/index.tsx';
import { AuthorizersPage } from './pages/authorizers/index.tsx';
import { AuthorizerDetailPage } from './pages/authorizers/detail.tsx';
import { IcpPage } from './pages/icp/index.tsx';
import { TemplatesPage } from './pages/templates/index.tsx';
import { RolloutsPage } from './pages/rollouts/index.tsx';
import { NewRolloutPage } from './pages/rollouts/new.tsx';
import { RolloutPage } from './pages/rollouts/detail.tsx';
import { AuditPage } from './pages/audit/index.tsx';
import { OperatorsPage } from './pages/operators/index.tsx';
import { AccountPage } from './pages/account/index.tsx';
import type { Role } from './session.ts';

/**
 * Every page of the console, one line each: its path (`:name` for a parameter), the component
 * (it gets the params), and, for pages in the menu, the menu label in both languages.
 * `sandbox: true` pages exist only in sandbox mode; `roles` limits a page to those roles. Add a
 * page: a folder pages/<page>/ with index.tsx and messages.ts, and one line here.
 */
export interface PageProps {
  params: Record<string, string>;
}

export interface RouteDef {
  path: string;
  page: ComponentType<PageProps>;
  nav?: { zh: string; en: string };
  sandbox?: boolean;
  /** Only these roles see the page (default: every role). */
  roles?: Role[];
}

export const routes: RouteDef[] = [
  { path: '/', page: OverviewPage, nav: { zh: '概览', en: 'Overview' } },
  { path: '/authorizers', page: AuthorizersPage, nav: { zh: '授权方', en: 'Authorizers' } },
  { path: '/authorizers/:appid', page: AuthorizerDetailPage },
  { path: '/authorizers/:appid/icp', page: IcpPage },
  { path: '/onboarding', page: OnboardingPage, nav: { zh: '授权接入', en: 'Onboarding' } },
  { path: '/tenants', page: TenantsPage, nav: { zh: '租户', en: 'Tenants' } },
  { path: '/tenants/:id', page: TenantDetailPage },
  { path: '/profiles', page: ProfilesPage, nav: { zh: '配置档案', en: 'Profiles' } },
  { path: '/webhooks', page: WebhooksPage, nav: { zh: 'Webhook', en: 'Webhooks' } },
  { path: '/events', page: EventsPage, nav: { zh: '事件', en: 'Events' } },
  { path: '/events/:id', page: EventDetailPage },
  { path: '/templates', page: TemplatesPage, nav: { zh: '代码模板', en: 'Templates' } },
  { path: '/rollouts', page: RolloutsPage, nav: { zh: '批量发布', en: 'Rollouts' } },
  { path: '/rollouts/new', page: NewRolloutPage },
  { path: '/rollouts/:id', page: RolloutPage },
  { path: '/audit', page: AuditPage, nav: { zh: '审计', en: 'Audit' } },
  {
    path: '/operators',
    page: OperatorsPage,
    nav: { zh: '操作员', en: 'Operators' },
    roles: ['admin'],
  },
  { path: '/account', page: AccountPage },
  {
    path: '/settings',
    page: PlatformSettingsPage,
    nav: { zh: '平台设置', en: 'Platform settings' },
  },
  { path: '/sandbox', page: SandboxPage, nav: { zh: '沙箱', en: 'Sandbox' }, sandbox: true },
];
