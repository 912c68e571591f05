import { defineMessages } from '../i18n.ts';

/**
 * Reasons (`<code>_<params.reason>`) of the code pipeline, rollouts, profiles, privacy, ICP filing, registration, verification and testers, in the operator's language. Merged into
 * the one catalogue in ../error-messages.ts.
 */
export const pipelineErrors = defineMessages({
  zh: {},
  en: {},
});
