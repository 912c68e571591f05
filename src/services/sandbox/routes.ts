import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { callerGuard, type GuardDeps } from '../../http/auth.ts';
import { errorBody } from '../../http/schemas.ts';
import type { SandboxService } from './service.ts';

/**
 * Admin: POST /api/admin/sandbox/reset clears openwx's data and the emulator's world together
 * (the console's sandbox page, after a confirmation). Admin role only (roles.ts: a POST outside
 * the operator's routes). 409 `sandbox_only` in live mode; 400 without `{"confirm": true}`.
 */
const security = [{ bearerAuth: [] }];
const tags = ['Admin'];

export function sandboxRoutes(deps: GuardDeps & { sandbox: SandboxService }) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));
    app.post(
      '/api/admin/sandbox/reset',
      {
        schema: {
          tags,
          security,
          summary:
            "Reset the sandbox: clear openwx's data (authorizers, tokens, tenants, templates, rollouts, webhooks, events, jobs) and the emulator's world together; operator accounts and the audit trail stay. Sandbox mode only.",
          body: {
            type: 'object',
            required: ['confirm'],
            additionalProperties: false,
            properties: {
              confirm: {
                type: 'boolean',
                const: true,
                description: 'Must be true: the reset cannot be undone',
              },
            },
          },
          response: {
            200: {
              type: 'object',
              required: ['tablesCleared', 'emulatorReset', 'ticketPushed'],
              properties: {
                tablesCleared: {
                  type: 'array',
                  items: { type: 'string' },
                  description: "The tables of openwx's data that were emptied",
                },
                emulatorReset: {
                  type: 'boolean',
                  description: "Whether the in-process emulator's world was made new",
                },
                ticketPushed: {
                  type: 'boolean',
                  description: 'Whether the new world pushed its first component_verify_ticket',
                },
              },
            },
            400: errorBody,
            401: errorBody,
            403: errorBody,
            409: errorBody,
          },
        },
      },
      () => deps.sandbox.reset(),
    );
  };
}
