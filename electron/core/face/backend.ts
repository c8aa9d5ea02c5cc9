/**
 * Which tfjs backend the engine uses: @tensorflow/tfjs-node (native, optional dependency) where it
 * is installed and loads, otherwise @tensorflow/tfjs-backend-wasm with SIMD. `detectBackend` is the
 * cheap answer (no model, no tfjs import) for status displays; the worker makes the real attempt.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FaceBackend } from './types.js';

// Named so it cannot clash with the require shim electron-vite injects into ESM bundles.
const nodeRequire = createRequire(import.meta.url);

export type BackendPreference = 'auto' | FaceBackend;

export interface BackendChoice {
  backend: FaceBackend;
  /** Why: readable, for status and logs. */
  reason: string;
}

/** True when @tensorflow/tfjs-node is installed with its native binding (what its loader needs). */
export function tfjsNodeInstalled(): boolean {
  try {
    const dir = dirname(nodeRequire.resolve('@tensorflow/tfjs-node/package.json'));
    const lib = join(dir, 'lib');
    return (
      existsSync(lib) &&
      readdirSync(lib).some((d) => d.startsWith('napi-v') && existsSync(join(lib, d, 'tfjs_binding.node')))
    );
  } catch {
    return false;
  }
}

/** Which backend the engine would use, without loading tfjs or models. */
export function detectBackend(preference: BackendPreference = 'auto'): BackendChoice {
  if (preference === 'wasm') return { backend: 'wasm', reason: 'configured: wasm (SIMD)' };
  const native = tfjsNodeInstalled();
  if (preference === 'tensorflow') {
    return {
      backend: 'tensorflow',
      reason: native
        ? 'configured: tfjs-node'
        : 'configured: tfjs-node, which is not installed (the engine will fail to start)',
    };
  }
  return native
    ? { backend: 'tensorflow', reason: 'auto: @tensorflow/tfjs-node is installed' }
    : { backend: 'wasm', reason: 'auto: @tensorflow/tfjs-node is not installed; wasm with SIMD' };
}

/** The folder holding tfjs-backend-wasm's .wasm binaries (the installed package's dist). */
export function wasmDir(): string {
  return join(dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}
