// Lint: typescript-eslint recommended rules plus the import rule of STYLE.md (imports point inward).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules each layer may not import, by path pattern relative to src/. */
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly', AbortController: 'readonly', performance: 'readonly' } },
    rules: {
      // Unused arguments named with a leading underscore are kept for the shape of an interface.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict(['**/engine/**', '**/driver/**', '**/http/**', '**/cli/**', '**/testing/**', 'better-sqlite3', 'pg', 'node:fs', 'node:child_process'],
      'core/ is pure domain code: it imports nothing but core/ (STYLE.md, layout).'),
  },
  {
    files: ['src/driver/driver.ts'],
    rules: restrict(['**/engine/**', './sqlite/**', './postgres/**', '**/http/**', '**/cli/**'],
      'driver.ts is the seam: it may import core/ only.'),
  },
  {
    files: ['src/driver/sqlite/**/*.ts', 'src/driver/postgres/**/*.ts'],
    rules: restrict(['**/engine/**', '**/http/**', '**/cli/**', '**/index.js'],
      'A driver implements driver.ts on top of core/; it never reaches up into the engine.'),
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: restrict(['**/driver/sqlite/**', '**/driver/postgres/**', '**/http/**', '**/cli/**', 'better-sqlite3', 'pg'],
      'The engine talks to stores only through driver.ts; only cli/, index.ts and tests name a concrete driver.'),
  },
  {
    files: ['src/service/**/*.ts'],
    rules: restrict(['**/driver/sqlite/**', '**/driver/postgres/**', '**/cli/**', 'better-sqlite3', 'pg'],
      'Service mode builds on the engine and the Driver seam; only cli/, index.ts and tests name a concrete driver.'),
  },
  {
    files: ['bench/**/*.mjs', 'scripts/**/*.mjs', 'test/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
