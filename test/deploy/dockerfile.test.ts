import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandOf, envOf, parseDockerfile } from './dockerfile.ts';
import { buildRecipe, dockerignore } from './recipe.ts';

/** Reading the Dockerfile for the container test: what it understands, and what it refuses. */
test('stages, continued lines, exec and shell forms, ENV pairs', () => {
  const stages = parseDockerfile(
    [
      '# comment',
      'FROM node:22 AS build',
      'RUN a \\',
      '  # a comment inside',
      '  && b',
      '',
      'FROM node:22',
      'ENV A=1 B="two words" C=/data',
      'CMD ["node", "x.js"]',
    ].join('\n'),
  );
  assert.equal(stages.length, 2);
  assert.equal(stages[0]?.name, 'build');
  assert.deepEqual(stages[0]?.instructions, [{ keyword: 'RUN', args: 'a && b', line: 3 }]);
  const [env, cmd] = stages[1]?.instructions ?? [];
  assert.deepEqual(envOf(env?.args ?? ''), [
    ['A', '1'],
    ['B', 'two words'],
    ['C', '/data'],
  ]);
  assert.deepEqual(commandOf(cmd?.args ?? ''), ['node', 'x.js']);
  assert.equal(commandOf('node x.js'), 'node x.js');
});

test('.dockerignore: a pattern excludes the path and everything under it', () => {
  const ignored = dockerignore('# c\nnode_modules\n*.log\nbench/results\n');
  assert.equal(ignored('node_modules/x/index.js'), true);
  assert.equal(ignored('debug.log'), true);
  assert.equal(ignored('bench/results/a.json'), true);
  assert.equal(ignored('src/app/main.ts'), false);
  assert.equal(ignored('bench/startup.ts'), false);
  assert.throws(() => dockerignore('!keep'), /not supported/);
});

test('an instruction the recipe runner does not know is refused, naming the line', () => {
  const work = mkdtempSync(join(tmpdir(), 'openwx-recipe-'));
  try {
    for (const [line, message] of [
      ['ARG VERSION', /line 2 \(ARG VERSION\): ARG is not supported/],
      ['USER node', /only a numeric uid:gid/],
      ['RUN --mount=type=secret,id=x true', /only --mount=type=cache/],
    ] as const) {
      assert.throws(
        () =>
          buildRecipe({
            dockerfile: `FROM node:22\n${line}\nCMD ["node"]\n`,
            context: work,
            work,
            npmCache: work,
          }),
        message,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
