import { endpointList } from './endpoints/index.ts';

/** The endpoint table as a Markdown page (docs/endpoints.md is this, kept in step by a test). */
export function endpointsMarkdown(): string {
  const rows = endpointList.map(
    (e) =>
      `| \`${e.name}\` | ${e.method} \`${e.path}\` | ${e.token} | ${e.errcodes.join(', ') || '—'} | ${e.summary} ([doc](${e.doc})) |`,
  );
  return [
    '# WeChat endpoints',
    '',
    'Every WeChat API openwx calls, from the endpoint table in `src/wechat/endpoints/`. The same table',
    'drives the client, the emulator and this page.',
    '',
    '| name | request | token | documented errcodes | what |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
