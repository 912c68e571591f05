// ESLint: TypeScript rules plus the layer rule of docs/architecture (imports go downward only).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const LAYERS = [
  ['core'],
  ['config'],
  ['crypto', 'store', 'wechat'],
  ['tokens', 'jobs'],
  ['callbacks', 'services'],
  ['http', 'cli'],
  ['app'],
];

const rankOf = (dir) => LAYERS.findIndex((l) => l.includes(dir));
const higher = (dir) => LAYERS.slice(rankOf(dir) + 1).flat();
const pattern = (dirs, why) => ({
  group: dirs.flatMap((d) => [`**/${d}/**`, `../${d}`, `./${d}`]),
  message: why,
});

/**
 * A capability folder (src/services/<name>/) keeps its HTTP edge beside its service: its
 * `routes.ts` belongs to the http layer (docs/adr/0005-capability-folders.md).
 */
const CAPABILITY_ROUTES = 'src/services/*/routes.ts';
const layerOf = (dir) => ({ dir, files: [`src/${dir}/**/*.ts`] });
const layerRules = [
  ...LAYERS.flat().map((dir) => ({
    ...layerOf(dir),
    ...(dir === 'services' ? { ignores: [CAPABILITY_ROUTES] } : {}),
  })),
  { dir: 'http', files: [CAPABILITY_ROUTES] },
].map(({ dir, files, ignores }) => ({
  files,
  ...(ignores ? { ignores } : {}),
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...(higher(dir).length
            ? [
                pattern(
                  higher(dir),
                  `src/${dir} may only import lower layers (see ../shared/design.md §2)`,
                ),
              ]
            : []),
          ...(dir === 'app'
            ? []
            : [pattern(['emulator'], 'only the composition root (src/app) may use the emulator')]),
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'data/**',
      '.cache/**',
      'bench/results/**',
      'dist/**',
      'packages/*/dist/**',
      'test-artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  ...layerRules,
  {
    files: ['src/emulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(
              ['config', 'store', 'tokens', 'jobs', 'callbacks', 'services', 'http', 'cli', 'app'],
              'the emulator imports only core, crypto and the endpoint table',
            ),
            {
              group: ['**/wechat/client*', '**/wechat/errors*', '**/wechat/errcodes*'],
              message: 'the emulator imports only the endpoint table from src/wechat',
            },
          ],
        },
      ],
    },
  },
  { files: ['bench/**/*.ts', 'test/**/*.ts', 'bin/**/*.js'], rules: { 'no-console': 'off' } },
  // The console talks to the server only over HTTP: it may take the server's types, never its code.
  {
    files: ['web/src/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+src/',
              allowTypeImports: true,
              message: 'web/ may import only types from src/ (import type)',
            },
          ],
        },
      ],
    },
  },
);
