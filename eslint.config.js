// Layer boundaries (DESIGN.md, "Process model"):
//  - electron/core is plain Node: never Electron, React or renderer code;
//  - renderer/ is Chromium: never Node built-ins or core code, except type-only imports of the contract;
//  - electron/preload only bridges IPC.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const restricted = (patterns, paths = []) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'models/**', '.tmp/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: restricted(
      [
        { group: ['**/renderer/**', '**/main/**', '**/preload/**'], message: 'core is plain Node: it must not import the shell or the renderer' },
        { group: ['react', 'react-dom', 'react/*'], message: 'core never imports React' },
      ],
      [{ name: 'electron', message: 'core never imports electron; the shell passes what it needs' }],
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restricted(
        [
          { group: ['**/electron/core/**', '!**/electron/core/api/**'], message: 'the renderer talks to core only through window.kiosk' },
          { group: ['**/electron/core/api/**'], allowTypeImports: true, message: 'the renderer may import only types from the contract' },
          { group: ['node:*', 'fs', 'path', 'child_process', 'worker_threads'], message: 'the renderer has no Node' },
        ],
        [{ name: 'electron', message: 'the renderer never imports electron; use window.kiosk' }],
      ),
    },
  },
);
