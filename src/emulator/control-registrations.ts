import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readControlBody } from './control-body.ts';
import type { EmulatorContext } from './context.ts';
import {
  progressTask,
  RegistrationControlError,
  registrations,
  taskView,
} from './registrations.ts';

/**
 * Control routes that play the legal person or user of a registration task: list the tasks,
 * then confirm or reject one (which pushes the result to the authorization-event URL). The
 * settings route (`legacy_enterprise_registration`, false by default as on today's WeChat) brings
 * back the legacy fastregisterweapp and the old versions of personal registration and trial
 * conversion that WeChat retired on 2026-04-30, for tests of that behaviour.
 */
const progress = z.object({
  result: z.enum(['legal_person_confirmed', 'rejected']),
  reason: z.string().trim().min(1).max(500).optional(),
  /** The push's `status` for a rejection (default: not confirmed within 24 h). */
  status: z.number().int().optional(),
});

const settings = z.object({ legacy_enterprise_registration: z.boolean() });

function parse<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const body = readControlBody(schema, raw);
  if (!body.ok) throw new RegistrationControlError(body.error);
  return body.value;
}

export function registerRegistrationControlRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext,
): void {
  app.get('/control/registrations', () => ({
    registrations: [...registrations(ctx).tasks.values()].map(taskView),
  }));

  const settingsView = () => ({
    legacy_enterprise_registration: registrations(ctx).legacyEnterprise,
  });
  app.get('/control/registration-settings', settingsView);
  app.post('/control/registration-settings', (req, reply) => {
    try {
      const input = parse(settings, req.body);
      registrations(ctx).legacyEnterprise = input.legacy_enterprise_registration;
      return reply.code(200).send(settingsView());
    } catch (err) {
      if (err instanceof RegistrationControlError) {
        return reply.code(400).send({ error: err.message });
      }
      throw err;
    }
  });

  app.post<{ Params: { id: string } }>('/control/registrations/:id', async (req, reply) => {
    try {
      const { task, pushes } = await progressTask(ctx, req.params.id, parse(progress, req.body));
      return reply.code(200).send({
        ...taskView(task),
        pushes: pushes.map((p) => ({
          status: p.status,
          ok: p.ok,
          ...(p.error ? { error: p.error } : {}),
        })),
      });
    } catch (err) {
      if (err instanceof RegistrationControlError) {
        return reply.code(400).send({ error: err.message });
      }
      throw err;
    }
  });
}
