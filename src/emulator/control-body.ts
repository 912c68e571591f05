import type { z } from 'zod';

/**
 * Reads a control-API body: JSON text (empty means `{}`) checked against a schema. The error
 * names each field that failed.
 */
export function readControlBody<T extends z.ZodType>(
  schema: T,
  raw: unknown,
): { ok: true; value: z.output<T> } | { ok: false; error: string } {
  let value: unknown = {};
  if (typeof raw === 'string' && raw.trim() !== '') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, error: 'body is not valid JSON' };
    }
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    error: result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
  };
}
