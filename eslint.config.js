// Layer boundaries (docs/CONTRIBUTING.md, "Layers"), as an ALLOW-LIST: each layer names the only
// layers it may import (tools/lint/layers.mjs resolves every relative import to its file). On top,
// which packages a runtime may not touch: core never Electron or React, the renderer and the std
// layer never Node.
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import layersPlugin from './tools/lint/layers.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const core = ['platform', 'face', 'presence', 'delivery', 'staff', 'patient', 'kiosk'];

/** The floor plan, bottom to top. A layer is the longest matching folder; `allow` is all it may import. */
const layers = [
  { name: 'shared', path: 'electron/shared', allow: [] },
  { name: 'platform', path: 'electron/core/platform', allow: ['shared'] },
  { name: 'face', path: 'electron/core/face', allow: ['shared', 'platform'] },
  { name: 'presence', path: 'electron/core/presence', allow: ['shared', 'platform', 'face'] },
  { name: 'delivery', path: 'electron/core/delivery', allow: ['shared', 'platform'] },
  { name: 'staff', path: 'electron/core/staff', allow: ['shared', 'platform', 'delivery'] },
  {
    name: 'patient',
    path: 'electron/core/patient',
    allow: ['shared', 'platform', 'face', 'presence', 'delivery', 'staff'],
  },
  {
    name: 'kiosk',
    path: 'electron/core',
    allow: ['shared', 'platform', 'face', 'presence', 'delivery', 'staff', 'patient'],
  },
  { name: 'serving', path: 'electron/serving', allow: [] },
  { name: 'main', path: 'electron/main', allow: ['shared', 'serving', 'platform', 'kiosk'] },
  { name: 'preload', path: 'electron/preload', allow: ['shared'], allowTypes: ['kiosk'] },
  // face: the patient simulator (browser-host/simulator) indexes recordings by the engine's pose.
  { name: 'browser-host', path: 'electron/browser-host', allow: ['shared', 'serving', 'platform', 'face', 'kiosk'] },
  { name: 'renderer', path: 'renderer', allow: ['shared'], allowTypes: core },
  { name: 'upstream', path: 'upstream', allow: ['shared', 'platform', 'face', 'delivery'] },
  { name: 'scripts', path: 'scripts', allow: [] },
  {
    name: 'tools',
    path: 'tools',
    allow: ['shared', ...core, 'serving', 'main', 'browser-host', 'upstream', 'scripts'],
  },
  {
    name: 'tests',
    path: 'tests',
    allow: [
      'shared',
      ...core,
      'serving',
      'main',
      'preload',
      'browser-host',
      'renderer',
      'upstream',
      'scripts',
      'tools',
    ],
  },
];

const restricted = (patterns, paths = []) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
});
const nodeBuiltins = {
  group: ['node:*', 'fs', 'path', 'child_process', 'worker_threads'],
  message: 'this runtime has no Node',
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'models/**', '.tmp/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { layers: layersPlugin },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'layers/allowed-imports': ['error', { root, layers }],
    },
  },
  {
    files: ['electron/core/**/*.ts', 'electron/shared/**/*.ts'],
    rules: restricted(
      [{ group: ['react', 'react-dom', 'react/*'], message: 'core never imports React' }],
      [{ name: 'electron', message: 'core never imports electron; the shell passes what it needs' }],
    ),
  },
  {
    files: ['electron/shared/**/*.ts'],
    rules: restricted(
      [nodeBuiltins, { group: ['react', 'react-dom', 'react/*'], message: 'the std layer has no React' }],
      [{ name: 'electron', message: 'the std layer runs everywhere: no electron' }],
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'electron/browser-host/page/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restricted(
        [nodeBuiltins],
        [{ name: 'electron', message: 'the renderer never imports electron; use window.kiosk' }],
      ),
    },
  },
);
