import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import {
  RegistrationApiRetiredError,
  type RegistrationInput,
  type RegistrationService,
} from '../../services/registration/registrations.ts';
import type { VerifyInput } from '../../services/registration/registration-rules.ts';
import { callerGuard, type GuardDeps } from '../auth.ts';
import { sendError } from '../errors.ts';
import { errorBody } from '../schemas.ts';

/** Admin: registering mini programs for merchants (enterprise, personal, trial). */
const security = [{ bearerAuth: [] }];
const tags = ['Registrations'];
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;
const nullable = { type: ['string', 'null'] } as const;
const registration = {
  title: 'Registration',
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['enterprise', 'personal', 'beta'] },
    tenant_id: nullable,
    status: {
      type: 'string',
      enum: ['pending', 'awaiting_legal_person', 'awaiting_user', 'succeeded', 'failed'],
    },
    request: { type: 'object', additionalProperties: true },
    appid: nullable,
    authorize_url: nullable,
    last_message: { type: 'string' },
    failure_reason: nullable,
    verify_status: nullable,
    verify_message: nullable,
    last_message_code: {
      type: ['string', 'null'],
      description:
        'last_message as a stable code (template_message_sent, created, failed_status, ...)',
    },
    last_message_params: { type: ['object', 'null'], additionalProperties: true },
    failure_code: { type: ['string', 'null'], description: 'failure_reason as a stable code' },
    failure_params: { type: ['object', 'null'], additionalProperties: true },
    verify_code: { type: ['string', 'null'], description: 'verify_message as a stable code' },
    verify_params: { type: ['object', 'null'], additionalProperties: true },
    verify_url: {
      type: ['string', 'null'],
      description:
        'Trial conversion: the URL the legal person opens in WeChat within 24 h (show it as a QR code)',
    },
    next_step: { type: 'string', description: 'What the merchant must do next, in plain words' },
    stale: { type: 'boolean', description: 'No progress for OPENWX_REGISTRATION_STALE_HOURS' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;
const str = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const tenantId = { type: 'string', minLength: 1, maxLength: 64 } as const;
/** One shape for the three kinds; which fields each kind needs is checked with the field named. */
const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { type: 'string', enum: ['enterprise', 'personal', 'beta'] },
    tenant_id: tenantId,
    flow: {
      type: 'string',
      enum: ['url', 'legacy'],
      description:
        'Enterprise only; default "url": name, code (18-character unified social credit code) and component_phone, answered with authorize_url, which the legal person opens in WeChat within 24 h. "legacy": fastregisterweapp with code_type and the legal person’s WeChat ID and name, which WeChat retired on 2026-04-30: it answers 410 registration_api_retired',
    },
    name: { type: 'string', maxLength: 200 },
    code: { type: 'string', maxLength: 64 },
    code_type: { type: 'integer' },
    legal_persona_wechat: { type: 'string', maxLength: 64 },
    legal_persona_name: { type: 'string', maxLength: 100 },
    component_phone: { type: 'string', maxLength: 32 },
    idname: { type: 'string', maxLength: 100 },
    wxuser: { type: 'string', maxLength: 64 },
    openid: { type: 'string', maxLength: 128 },
  },
} as const;
/** The conversion version WeChat serves since 2026-04-30 (../shared/wechat/02 §0). */
const verifyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['enterprise_name', 'code', 'component_phone'],
  properties: {
    enterprise_name: str(100),
    code: { ...str(18), description: '18-character unified social credit code' },
    component_phone: str(20),
    // Fields of the retired version: named in a 400 rather than silently dropped.
    code_type: { description: 'Retired on 2026-04-30: refused (400)' },
    legal_persona_wechat: { description: 'Retired on 2026-04-30: refused (400)' },
    legal_persona_name: { description: 'Retired on 2026-04-30: refused (400)' },
    legal_persona_idcard: { description: 'Retired on 2026-04-30: refused (400)' },
  },
} as const;
const errors = { 400: errorBody, 401: errorBody, 404: errorBody, 409: errorBody, 502: errorBody };

export function registrationRoutes(deps: GuardDeps & { registrations: RegistrationService }) {
  const { registrations } = deps;
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));

    app.post<{ Body: RegistrationInput }>(
      '/api/admin/registrations',
      {
        schema: {
          tags,
          security,
          summary:
            'Register a mini program for a merchant (enterprise by the url flow, personal or trial; each answered with the authorize_url the person opens); WeChat refusing answers 502 with its errcode and stores nothing; the retired legacy flow answers 410 registration_api_retired',
          body: createBody,
          response: { 201: registration, 410: errorBody, ...errors },
        },
      },
      async (req, reply) => {
        try {
          return reply.status(201).send(await registrations.create(req.body));
        } catch (err) {
          if (!(err instanceof RegistrationApiRetiredError)) throw err;
          return sendError(reply, 410, 'registration_api_retired', err.message, {
            params: { endpoint: err.endpoint, use: { flow: 'url' } },
          });
        }
      },
    );
    app.get<{ Querystring: { status?: string; kind?: string; tenant_id?: string } }>(
      '/api/admin/registrations',
      {
        schema: {
          tags,
          security,
          summary: 'Registration tasks with status, last message, next step and a stale flag',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              status: registration.properties.status,
              kind: registration.properties.kind,
              tenant_id: tenantId,
            },
          },
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: registration } } },
            ...errors,
          },
        },
      },
      (req) => registrations.list(req.query as Parameters<RegistrationService['list']>[0]),
    );
    app.get(
      '/api/admin/registrations/unmatched',
      {
        schema: {
          tags,
          security,
          summary: 'Registration pushes that matched no task (stored, never dropped)',
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
                      event_id: { type: 'integer' },
                      info_type: { type: 'string' },
                      appid: nullable,
                      status: nullable,
                      msg: nullable,
                      info: { type: 'object', additionalProperties: true },
                      received_at: { type: 'string' },
                    },
                  },
                },
              },
            },
            ...errors,
          },
        },
      },
      () => registrations.unmatched(),
    );
    app.get<{ Params: { id: string } }>(
      '/api/admin/registrations/:id',
      {
        schema: {
          tags,
          security,
          summary: 'One registration task',
          params: idParams,
          response: { 200: registration, ...errors },
        },
      },
      (req) => registrations.get(req.params.id),
    );
    app.post<{ Params: { id: string }; Body: VerifyInput }>(
      '/api/admin/registrations/:id/verify-beta',
      {
        schema: {
          tags,
          security,
          summary:
            'Convert a created trial mini program: WeChat answers a verify_url that the legal person opens in WeChat within 24 h (face verification), then the administrator confirms',
          params: idParams,
          body: verifyBody,
          response: { 200: registration, ...errors },
        },
      },
      (req) => registrations.verifyBeta(req.params.id, req.body),
    );
    app.post<{ Params: { id: string }; Body: { name: string } }>(
      '/api/admin/registrations/:id/beta-name',
      {
        schema: {
          tags,
          security,
          summary: 'Rename a trial mini program (before conversion)',
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: { name: str(30) },
          },
          response: { 200: registration, ...errors },
        },
      },
      (req) => registrations.setBetaName(req.params.id, req.body.name),
    );
  };
}
