// Lint holds the layers apart (as VS Code does): the pure core imports no adapter, no
// Node I/O module and no UI; adapters never reach up into the app, the CLI or the UI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeIo = ['node:*', 'fs', 'fs/*', 'path', 'os', 'net', 'http', 'https', 'child_process', 'crypto', 'worker_threads', 'events', 'stream'];
const nativeModules = ['pcsclite', 'node-hid', 'better-sqlite3', 'electron'];

const restrict = (groups, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'bench/results.json', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict(
      [...nodeIo, ...nativeModules, '**/adapters/**', '**/app/**', '**/cli/**', '**/ui/**', '**/electron/**', '**/emulator/**', '**/native-mocks/**', 'react', 'react-dom'],
      'The core is pure: no I/O, no adapters, no UI (docs/architecture.md).',
    ),
  },
  {
    files: ['src/emulator/**/*.ts'],
    ignores: ['src/emulator/document.ts'],
    rules: restrict(
      [...nodeIo, ...nativeModules, '**/adapters/**', '**/app/**', '**/cli/**', '**/ui/**', '**/electron/**'],
      'The card emulator is pure like the core; documents are loaded by document.ts.',
    ),
  },
  {
    files: ['src/adapters/**/*.ts'],
    rules: restrict(['**/app/**', '**/cli/**', '**/ui/**', '**/electron/**'], 'Adapters depend on the core only.'),
  },
  {
    files: ['src/app/**/*.ts'],
    rules: restrict(['**/cli/**', '**/ui/**', '**/electron/**'], 'Use cases do not know who calls them.'),
  },
  {
    files: ['native-mocks/**/*.ts'],
    rules: restrict(['**/adapters/**', '**/app/**', '**/cli/**', '**/ui/**', '**/electron/**'], 'Mocks stand in for native modules: they may use the emulator and the core only.'),
  },
);
