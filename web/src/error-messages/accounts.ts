import { defineMessages } from '../i18n.ts';

/**
 * Reasons (`<code>_<params.reason>`) of accounts and settings: operators, users, tenants, webhooks, templates, tokens and the platform's other services, in the operator's language. Merged into
 * the one catalogue in ../error-messages.ts.
 */
export const accountErrors = defineMessages({
  zh: {},
  en: {},
});
