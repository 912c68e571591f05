import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readControlBody as parse } from './control-body.ts';
import type { EmulatorContext } from './context.ts';
import { templateLibrary, uploadDraft } from './templates.ts';

/**
 * Control hooks for the template library: upload a draft as a developer would (WeChat DevTools or
 * miniprogram-ci with the development mini program), look at the drafts and templates, remove a
 * template as the web console would, and set the library's limit and the 48001 switch.
 */
const draft = z.object({
  user_version: z.string().trim().min(1).max(64),
  user_desc: z.string().max(500).default(''),
  source_miniprogram_appid: z.string().min(1).max(64).optional(),
  source_miniprogram: z.string().min(1).max(100).optional(),
  developer: z.string().min(1).max(100).optional(),
});
const settings = z.object({
  limit: z.number().int().min(1).max(100_000).optional(),
  unauthorized: z.boolean().optional(),
});

export function registerTemplateControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const settingsView = () => {
    const lib = templateLibrary(ctx);
    return { limit: lib.limit, unauthorized: lib.unauthorized, templates: lib.templates.size };
  };

  app.get('/control/drafts', () => ({ drafts: [...templateLibrary(ctx).drafts.values()] }));
  app.post('/control/drafts', (req, reply) => {
    const input = parse(draft, req.body);
    if (!input.ok) return reply.code(400).send({ error: input.error });
    const d = uploadDraft(ctx, input.value);
    return reply.code(201).send(d);
  });
  app.get('/control/templates', () => ({
    templates: [...templateLibrary(ctx).templates.values()],
  }));
  app.delete<{ Params: { id: string } }>('/control/templates/:id', (req, reply) => {
    const removed = templateLibrary(ctx).templates.delete(Number(req.params.id));
    if (!removed) return reply.code(404).send({ error: `no template ${req.params.id}` });
    return reply.code(200).send({ removed: Number(req.params.id) });
  });
  app.get('/control/template-settings', settingsView);
  app.post('/control/template-settings', (req, reply) => {
    const input = parse(settings, req.body);
    if (!input.ok) return reply.code(400).send({ error: input.error });
    const lib = templateLibrary(ctx);
    if (input.value.limit !== undefined) lib.limit = input.value.limit;
    if (input.value.unauthorized !== undefined) lib.unauthorized = input.value.unauthorized;
    return reply.code(200).send(settingsView());
  });
}
