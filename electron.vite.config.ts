import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: {
          index: resolve('electron/main/index.ts'),
          // The face engine runs in a worker thread; it is its own entry so the path is stable.
          'face-worker': resolve('electron/core/face/worker.ts'),
        },
      },
    },
  },
  preload: {
    // No externalized dependencies: a sandboxed preload can require only 'electron' (and a few
    // polyfilled built-ins), so anything it imports is bundled.
    build: {
      // A sandboxed preload cannot load ES modules: emit one CommonJS file (out/preload/index.cjs)
      // with everything bundled in (only 'electron' stays external).
      rolldownOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: { rollupOptions: { input: { index: resolve('renderer/index.html') } } },
  },
});
