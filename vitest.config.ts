import { defineConfig } from 'vitest/config';

// Two suites: unit (core logic on the real models, SQLite and libsodium) and e2e (Debian Chromium
// driving the built renderer through the browser host). Forks, because workers, WASM and native
// modules behave best in their own process.
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], testTimeout: 180_000, fileParallelism: false },
      },
    ],
  },
});
