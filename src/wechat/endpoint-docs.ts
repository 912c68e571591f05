import type { EndpointDef } from './endpoint.ts';
import { endpointList } from './endpoints/index.ts';

/** A row's effect as the docs show it: `write (read with action=get)` for modify_domain. */
function effectText(e: EndpointDef): string {
  const effect = e.effect ?? 'read';
  if (!e.readWhen) return effect;
  const values = e.readWhen.values.map((v) => `${e.readWhen?.field}=${v}`).join(', ');
  return `${effect} (read with ${values})`;
}

/** The endpoint table as a Markdown page (docs/endpoints.md is this, kept in step by a test). */
export function endpointsMarkdown(): string {
  const rows = endpointList.map(
    (e) =>
      `| \`${e.name}\` | ${e.method} \`${e.path}\` | ${e.token} | ${effectText(e)} | ${e.errcodes.join(', ') || '—'} | ${e.summary} ([doc](${e.doc})) |`,
  );
  return [
    '# WeChat endpoints',
    '',
    'Every WeChat API openwx calls, from the endpoint table in `src/wechat/endpoints/`. The same table',
    'drives the client, the emulator and this page.',
    '',
    'The effect says what a call does at WeChat. openwx sends a `read` again after a timeout, a',
    'dropped connection or a busy answer. It never sends a `write` again once the request may have',
    'reached WeChat: see "Outcome unknown" in [errcodes.md](errcodes.md).',
    '',
    '| name | request | token | effect | documented errcodes | what |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
