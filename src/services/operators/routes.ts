import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import { AppError, isAppError } from '../../core/errors.ts';
import { callerGuard, type GuardDeps } from '../../http/auth.ts';
import { sendError } from '../../http/errors.ts';
import { errorBody } from '../../http/schemas.ts';
import { ROLES } from './roles.ts';
import type { OperatorService } from './service.ts';

const security = [{ bearerAuth: [] }];
const tags = ['Operators'];

const operatorSchema = {
  title: 'Operator',
  type: 'object',
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    totpEnabled: { type: 'boolean' },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    lastSignInAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const password = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const username = { type: 'string', minLength: 1, maxLength: 64 } as const;
const code = { type: 'string', minLength: 1, maxLength: 16 } as const;

const sessionSchema = {
  title: 'Session',
  type: 'object',
  properties: {
    kind: {
      type: 'string',
      enum: ['operator', 'admin_token'],
      description: 'A console session of an operator account, or the admin token',
    },
    role: { type: 'string', enum: [...ROLES] },
    operator: { anyOf: [operatorSchema, { type: 'null' }] },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/** The operator behind this request's session, or a 400 for the admin token. */
function sessionOf(req: FastifyRequest): { id: string; sessionId: string } {
  const c = req.caller;
  if (c?.kind === 'admin' && c.operator)
    return { id: c.operator.id, sessionId: c.operator.sessionId };
  throw new AppError(
    'bad_request',
    'this needs an operator account signed in to the console; the admin token has no account',
    { details: { params: { reason: 'not_an_operator_session' } } },
  );
}

/**
 * Operator accounts: signing in to the console (`/api/session`, answered with a bearer session
 * token), each operator's own password and two-step sign-in, and the accounts themselves for
 * administrators (`/api/admin/operators`) with the log of sign-in attempts.
 */
export function operatorRoutes(deps: GuardDeps & { operators: OperatorService }) {
  const { operators } = deps;

  return async function plugin(app: FastifyInstance): Promise<void> {
    // Signing in: no bearer token; failures are throttled per account and address, and logged.
    app.post<{ Body: { username: string; password: string; code?: string } }>(
      '/api/session',
      {
        bodyLimit: 4096,
        schema: {
          tags,
          summary:
            'Sign in with an operator account (and the TOTP code when two-step sign-in is on)',
          description:
            'Answers a session token to send as "Authorization: Bearer <token>" for 12 h. A wrong ' +
            'username or password answers 401 `sign_in_failed` (the same for both); a missing or ' +
            'wrong code 401 `totp_required` / `totp_invalid`. After 5 failures for one account from ' +
            'one address (20 for the account, 50 from the address) within 15 minutes, attempts ' +
            'answer 429 `sign_in_throttled` with Retry-After, without checking the password.',
          body: {
            type: 'object',
            required: ['username', 'password'],
            additionalProperties: false,
            properties: { username, password, code },
          },
          response: {
            201: {
              type: 'object',
              properties: {
                token: { type: 'string' },
                expiresAt: { type: 'string', format: 'date-time' },
                operator: operatorSchema,
              },
            },
            400: errorBody,
            401: errorBody,
            429: errorBody,
          },
        },
      },
      async (req, reply: FastifyReply) => {
        try {
          const s = await operators.signIn({
            ...req.body,
            ip: req.ip,
            userAgent: req.headers['user-agent'],
          });
          return reply.status(201).header('cache-control', 'no-store').send(s);
        } catch (err) {
          if (isAppError(err) && err.code === 'sign_in_throttled') {
            const params = (err.details?.['params'] ?? {}) as { retryAfterSeconds?: number };
            return sendError(
              reply.header('retry-after', String(params.retryAfterSeconds ?? 60)),
              429,
              err.code,
              err.message,
              { params },
            );
          }
          throw err;
        }
      },
    );

    await app.register(async (own) => {
      own.addHook('onRequest', callerGuard(deps, 'admin'));

      own.get(
        '/api/session',
        {
          schema: {
            tags,
            summary: 'Who this bearer token is: an operator (with role) or the admin token',
            security,
            response: { 200: sessionSchema, 401: errorBody },
          },
        },
        async (req) => {
          const c = req.caller;
          if (c?.kind !== 'admin') {
            throw new AppError('unauthorized', 'not signed in', {
              details: { params: { reason: 'not_signed_in' } },
            });
          }
          if (!c.operator)
            return { kind: 'admin_token', role: 'admin', operator: null, expiresAt: null };
          return {
            kind: 'operator',
            role: c.role,
            operator: await operators.get(c.operator.id),
            expiresAt: null,
          };
        },
      );

      own.delete(
        '/api/session',
        {
          schema: {
            tags,
            summary:
              'Sign out: the session token stops working (nothing to do for the admin token)',
            security,
            response: { 204: { type: 'null' }, 401: errorBody },
          },
        },
        async (req, reply) => {
          const c = req.caller;
          if (c?.kind === 'admin' && c.operator) await operators.signOut(c.operator.sessionId);
          return reply.status(204).send();
        },
      );

      own.put<{ Body: { currentPassword: string; newPassword: string } }>(
        '/api/session/password',
        {
          schema: {
            tags,
            summary: "Change the signed-in operator's password; their other sessions end",
            security,
            body: {
              type: 'object',
              required: ['currentPassword', 'newPassword'],
              additionalProperties: false,
              properties: { currentPassword: password, newPassword: password },
            },
            response: { 204: { type: 'null' }, 400: errorBody, 401: errorBody },
          },
        },
        async (req, reply) => {
          const s = sessionOf(req);
          await operators.changePassword(
            s.id,
            s.sessionId,
            req.body.currentPassword,
            req.body.newPassword,
          );
          return reply.status(204).send();
        },
      );

      own.post(
        '/api/session/totp',
        {
          schema: {
            tags,
            summary:
              'Start two-step sign-in: a new TOTP secret and its otpauth:// URI for an authenticator app; it applies once confirmed',
            security,
            response: {
              200: {
                type: 'object',
                properties: { secret: { type: 'string' }, otpauthUri: { type: 'string' } },
              },
              400: errorBody,
              401: errorBody,
              409: errorBody,
            },
          },
        },
        async (req, reply) =>
          reply
            .header('cache-control', 'no-store')
            .send(await operators.beginTotp(sessionOf(req).id)),
      );

      own.post<{ Body: { code: string } }>(
        '/api/session/totp/confirm',
        {
          schema: {
            tags,
            summary: 'Confirm two-step sign-in with a code from the authenticator app',
            security,
            body: {
              type: 'object',
              required: ['code'],
              additionalProperties: false,
              properties: { code },
            },
            response: { 200: operatorSchema, 400: errorBody, 401: errorBody, 409: errorBody },
          },
        },
        async (req) => operators.confirmTotp(sessionOf(req).id, req.body.code),
      );

      own.delete<{ Body: { password: string } }>(
        '/api/session/totp',
        {
          schema: {
            tags,
            summary: 'Turn two-step sign-in off (the password confirms it)',
            security,
            body: {
              type: 'object',
              required: ['password'],
              additionalProperties: false,
              properties: { password },
            },
            response: { 200: operatorSchema, 400: errorBody, 401: errorBody },
          },
        },
        async (req) => operators.disableTotp(sessionOf(req).id, req.body.password),
      );
    });

    await app.register(async (admin) => {
      admin.addHook('onRequest', callerGuard(deps, 'admin'));

      admin.get(
        '/api/admin/operators',
        {
          schema: {
            tags,
            summary: 'Operator accounts (admins only)',
            security,
            response: {
              200: {
                type: 'object',
                properties: { items: { type: 'array', items: operatorSchema } },
              },
              401: errorBody,
              403: errorBody,
            },
          },
        },
        async () => ({ items: await operators.list() }),
      );

      admin.post<{
        Body: { username: string; displayName?: string; role: string; password: string };
      }>(
        '/api/admin/operators',
        {
          schema: {
            tags,
            summary: 'Create an operator account with a role and a first password',
            security,
            body: {
              type: 'object',
              required: ['username', 'role', 'password'],
              additionalProperties: false,
              properties: {
                username,
                displayName: { type: 'string', maxLength: 100 },
                role: { type: 'string', enum: [...ROLES] },
                password,
              },
            },
            response: {
              201: operatorSchema,
              400: errorBody,
              401: errorBody,
              403: errorBody,
              409: errorBody,
            },
          },
        },
        async (req, reply) => reply.status(201).send(await operators.create(req.body)),
      );

      admin.get<{ Params: { id: string } }>(
        '/api/admin/operators/:id',
        {
          schema: {
            tags,
            summary: 'One operator account',
            security,
            params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } },
            response: { 200: operatorSchema, 401: errorBody, 403: errorBody, 404: errorBody },
          },
        },
        async (req) => operators.get(req.params.id),
      );

      admin.patch<{
        Params: { id: string };
        Body: { displayName?: string; role?: string; disabled?: boolean };
      }>(
        '/api/admin/operators/:id',
        {
          schema: {
            tags,
            summary:
              'Rename, change the role of, disable or enable an operator (disabling ends their sessions)',
            security,
            params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } },
            body: {
              type: 'object',
              additionalProperties: false,
              minProperties: 1,
              properties: {
                displayName: { type: 'string', maxLength: 100 },
                role: { type: 'string', enum: [...ROLES] },
                disabled: { type: 'boolean' },
              },
            },
            response: {
              200: operatorSchema,
              400: errorBody,
              401: errorBody,
              403: errorBody,
              404: errorBody,
            },
          },
        },
        async (req) => operators.update(req.params.id, req.body),
      );

      admin.put<{ Params: { id: string }; Body: { password: string } }>(
        '/api/admin/operators/:id/password',
        {
          schema: {
            tags,
            summary: "Set an operator's password (a forgotten one); their sessions end",
            security,
            params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } },
            body: {
              type: 'object',
              required: ['password'],
              additionalProperties: false,
              properties: { password },
            },
            response: {
              204: { type: 'null' },
              400: errorBody,
              401: errorBody,
              403: errorBody,
              404: errorBody,
            },
          },
        },
        async (req, reply) => {
          await operators.resetPassword(req.params.id, req.body.password);
          return reply.status(204).send();
        },
      );

      admin.delete<{ Params: { id: string } }>(
        '/api/admin/operators/:id/totp',
        {
          schema: {
            tags,
            summary: "Remove an operator's two-step sign-in (a lost phone)",
            security,
            params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } },
            response: { 204: { type: 'null' }, 401: errorBody, 403: errorBody, 404: errorBody },
          },
        },
        async (req, reply) => {
          await operators.resetTotp(req.params.id);
          return reply.status(204).send();
        },
      );

      admin.get<{
        Querystring: { limit?: number; before?: number; username?: string; failed?: boolean };
      }>(
        '/api/admin/sign-ins',
        {
          schema: {
            tags,
            summary: 'Sign-in attempts, newest first: who, from where, and the outcome',
            security,
            querystring: {
              type: 'object',
              additionalProperties: false,
              properties: {
                limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
                before: { type: 'integer', minimum: 1 },
                username: { type: 'string', maxLength: 64 },
                failed: { type: 'boolean', description: 'Only the refused attempts' },
              },
            },
            response: {
              200: {
                type: 'object',
                properties: {
                  items: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        id: { type: 'integer' },
                        at: { type: 'string', format: 'date-time' },
                        username: { type: 'string' },
                        operatorId: { type: ['string', 'null'] },
                        ip: { type: 'string' },
                        outcome: {
                          type: 'string',
                          enum: [
                            'ok',
                            'bad_password',
                            'unknown_account',
                            'disabled',
                            'totp_required',
                            'bad_totp',
                            'throttled',
                          ],
                        },
                      },
                    },
                  },
                  next: { type: ['integer', 'null'] },
                },
              },
              400: errorBody,
              401: errorBody,
              403: errorBody,
            },
          },
        },
        async (req) => {
          const limit = req.query.limit ?? 50;
          const items = await operators.attempts({
            limit: limit + 1,
            before: req.query.before,
            username: req.query.username?.trim().toLowerCase(),
            failedOnly: req.query.failed,
          });
          const page = items.slice(0, limit);
          return {
            items: page,
            next: items.length > limit ? (page[page.length - 1]?.id ?? null) : null,
          };
        },
      );
    });
  };
}
