import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { pino } from 'pino';
import * as prettier from 'prettier';
import { loadConfig } from '../src/config/config.ts';
import { createOpenwx } from '../src/app/create.ts';

/**
 * `npm run generate:client`: builds openwx in-process (sandbox mode, nothing listening, no
 * database opened), takes its OpenAPI document (GET /docs/json) and writes the TypeScript types
 * of @openwx/client (packages/client/src/openapi.ts) from it with openapi-typescript.
 * test/client/generated.test.ts fails when the checked-in file is not what this writes.
 */
const ROOT = join(import.meta.dirname, '..');
export const CLIENT_TYPES_FILE = join(ROOT, 'packages', 'client', 'src', 'openapi.ts');

/** openwx's OpenAPI document as the server serves it at /docs/json. */
export async function liveDocument(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openwx-openapi-'));
  try {
    const config = loadConfig({
      OPENWX_DATA_DIR: dataDir,
      OPENWX_LOG_LEVEL: 'silent',
      // The routes do not depend on the database: a PostgreSQL URL is connected only by listen(),
      // which is never called here, so building the app opens nothing.
      DATABASE_URL: 'postgres://openwx@127.0.0.1:1/openapi-document',
    });
    const openwx = await createOpenwx(config, { logger: pino({ level: 'silent' }) });
    try {
      await openwx.app.ready();
      return openwx.app.swagger() as unknown as Record<string, unknown>;
    } finally {
      await openwx.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The contents of packages/client/src/openapi.ts for `document`, formatted as the repo is. */
export async function clientTypes(document: Record<string, unknown>): Promise<string> {
  // info.version changes with every release: it is no part of the types.
  const doc = { ...document, info: { ...(document['info'] as object), version: '0' } };
  const ast = await openapiTS(doc as Parameters<typeof openapiTS>[0], {
    alphabetize: true,
    // A property the schema does not list as required may be absent.
    defaultNonNullable: false,
  });
  const header = `${COMMENT_HEADER}/* Generated from openwx's OpenAPI document by \`npm run generate:client\` (scripts/client-types.ts). */\n\n`;
  const options = (await prettier.resolveConfig(CLIENT_TYPES_FILE)) ?? {};
  return prettier.format(header + astToString(ast), { ...options, filepath: CLIENT_TYPES_FILE });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const text = await clientTypes(await liveDocument());
  writeFileSync(CLIENT_TYPES_FILE, text);
  process.stdout.write(`wrote ${CLIENT_TYPES_FILE}\n`);
}
