import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Domain folders hold pure logic and use-case services: they must not reach for
// the database driver, the HTTP framework, the file system or the environment.
// Infrastructure comes in through ports (see docs/architecture.md).
const domainFolders = [
  'src/identity/**', 'src/ingest/**', 'src/profiles/**', 'src/catalog/**', 'src/orders/**',
  'src/workspaces/**', 'src/privacy/**', 'src/segments/**', 'src/predict/**',
  'src/recommend/**', 'src/shared/**', 'src/contracts/**',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: domainFolders,
    ignores: ['**/*.test.ts', '**/*-sql.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'kysely', message: 'Domain code reaches storage through its repository port.' },
          { name: 'better-sqlite3', message: 'Domain code reaches storage through its repository port.' },
          { name: 'pg', message: 'Domain code reaches storage through its repository port.' },
          { name: 'hono', message: 'HTTP belongs in src/server.' },
          { name: 'node:fs', message: 'File access belongs in src/cli or src/store.' },
          { name: 'node:fs/promises', message: 'File access belongs in src/cli or src/store.' },
        ],
        patterns: [
          { group: ['**/store/**', '**/server/**', '**/cli/**'], message: 'Domain code must not depend on store, server or cli.' },
        ],
      }],
      'no-restricted-properties': ['error',
        { object: 'process', property: 'env', message: 'Configuration comes in as parameters.' },
        { object: 'Date', property: 'now', message: 'Time comes in through the Clock port.' },
        { object: 'Math', property: 'random', message: 'Randomness comes in through a port.' },
      ],
    },
  },
  {
    files: ['bench/**/*.js', 'bin/**/*.js', 'eslint.config.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
