// Starts the browser host for a test: a temporary data dir, a configuration (parsed with the real
// schema), a fake camera (a fixture image or video, or none) and headless Debian Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultRendererDir,
  projectRoot,
  startBrowserHost,
  type BrowserHost,
  type KioskLanguage,
} from '../../electron/browser-host/host.js';
import type { BrowserHostOptions } from '../../electron/browser-host/host.js';
import { parseConfig, type KioskConfigInput } from '../../electron/core/platform/config/schema.js';
import { cameraFeed } from './camera.js';

export interface TestKioskOptions {
  /**
   * A fixture path (`photos/obama_1.jpg`), an absolute image/video/y4m path, 'none', or the patient
   * simulator `simulate:ABS[,ABS…]` (absolute recording paths). Default 'none'.
   */
  camera?: string;
  /** The simulated patients' profile and seed (with `simulate:`). */
  simulator?: BrowserHostOptions['simulator'];
  /** Accept the simulator's virtual camera (default: yes, as development keys do); false: as a product kiosk. */
  allowSimulatorCamera?: boolean;
  /** Only what differs from the embedded defaults, e.g. `{ presence: { challenge: 'off' } }`. */
  config?: KioskConfigInput;
  lang?: KioskLanguage;
  /** Reuse a data dir (e.g. to restart the kiosk on the same database); default: a fresh temp dir. */
  dataDir?: string;
  /** Keep the data dir after close() (the caller then removes it). */
  keepDataDir?: boolean;
  remoteDebuggingPort?: number;
  viewport?: { width: number; height: number };
  /** Self-provision with the development upstream key (default true; false: an unprovisioned kiosk). */
  developmentKeys?: boolean;
}

export interface TestKiosk extends BrowserHost {
  dataDir: string;
}

/** Builds the app once when out/renderer is missing (npm test builds first; a lone vitest run may not). */
export function ensureBuilt(): void {
  if (existsSync(join(defaultRendererDir, 'index.html'))) return;
  const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: projectRoot, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(join(defaultRendererDir, 'index.html'))) {
    throw new Error('Building the renderer failed ("npx electron-vite build"); the browser host serves out/renderer.');
  }
}

export async function startTestKiosk(options: TestKioskOptions = {}): Promise<TestKiosk> {
  ensureBuilt();
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'kelu-test-data-'));
  const camera =
    !options.camera || options.camera === 'none'
      ? 'none'
      : options.camera.startsWith('simulate:')
        ? options.camera
        : await cameraFeed(options.camera);
  const host = await startBrowserHost({
    camera,
    dataDir,
    config: parseConfig(options.config ?? {}, 'test configuration'),
    headless: true,
    lang: options.lang,
    remoteDebuggingPort: options.remoteDebuggingPort,
    viewport: options.viewport,
    developmentKeys: options.developmentKeys ?? true,
    ...(options.simulator ? { simulator: options.simulator } : {}),
    ...(options.allowSimulatorCamera !== undefined ? { allowSimulatorCamera: options.allowSimulatorCamera } : {}),
    log: (line) => console.error(line),
  }).catch((err: unknown) => {
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  return {
    ...host,
    dataDir,
    async close() {
      await host.close();
      if (ownDataDir && !options.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
