/** Reads the ext data typed as text: a JSON object, or the reason it is not one. */
export function parseExt(
  text: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string | null } {
  if (!text.trim()) return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: null };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
