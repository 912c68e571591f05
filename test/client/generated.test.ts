import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CLIENT_TYPES_FILE, clientTypes, liveDocument } from '../../scripts/client-types.ts';

/** The client's checked-in types are what the server's document generates today. */
test('packages/client/src/openapi.ts is generated from the current OpenAPI document', async () => {
  const expected = (await clientTypes(await liveDocument())).split('\n');
  const actual = readFileSync(CLIENT_TYPES_FILE, 'utf8').split('\n');
  const at = expected.findIndex((line, i) => actual[i] !== line);
  const differs = at >= 0 || actual.length !== expected.length;
  const line = at >= 0 ? at : Math.min(actual.length, expected.length);
  assert.ok(
    !differs,
    `packages/client/src/openapi.ts is stale from line ${line + 1} ` +
      `(has ${JSON.stringify(actual[line] ?? '<end>')}, the document gives ` +
      `${JSON.stringify(expected[line] ?? '<end>')}): run npm run generate:client`,
  );
});
