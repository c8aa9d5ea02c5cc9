// The browser host: the built renderer in Debian's Chromium, `window.kiosk` bound to the same core
// router Electron uses. For development, demos and end-to-end tests; no network port of its own.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { createCore, type Core } from '../core/kiosk.js';
import { defaultConfig, type KioskConfig } from '../core/platform/config/schema.js';
import type { CallResult } from '../shared/api/define.js';
import { chromiumArgs, machineHasCamera, type CameraSource } from './chromium-args.js';
import { makeFakeCameraFeed } from './fake-camera.js';
import { frameSocketPath, payloadTag, socketMethods, startFrameSocket, type FrameSocket } from './frame-socket.js';
import { bindingName, decodeFromPage, dispatchExpression, encodeForPage, makePageBridgeScript } from './page-bridge.js';
import { kioskOrigin, serveRenderer } from './serve-renderer.js';
import { createPatientSimulator, parseSimulateCamera, type PatientSimulator } from './simulator/simulator.js';
import type { PatientProfile } from './simulator/patient.js';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const defaultRendererDir = join(projectRoot, 'out', 'renderer');
export const chromiumPath = process.env.KELU_CHROMIUM ?? '/usr/bin/chromium';

import type { Language } from '../shared/vocabulary/languages.js';

export type KioskLanguage = Language;

export interface BrowserHostOptions {
  /**
   * An image, a video or a .y4m file played as the webcam; 'none' for no camera at all; 'real' (or
   * undefined) for the machine's webcam when /dev/video* exists, else none; `simulate:FILE[,FILE…]`
   * for the patient simulator (simulator/simulator.ts), a person following the screen's instructions.
   */
  camera?: string;
  /** The simulated patients' behaviour and first seed (with `camera: 'simulate:…'`). */
  simulator?: { profile?: PatientProfile; seed?: number; cacheDir?: string };
  /**
   * Accept the simulator's camera, whose label says "virtual" (default: with developmentKeys). False
   * shows what a product configuration does with it: refused, the decline path.
   */
  allowSimulatorCamera?: boolean;
  /** Where the database and keys live. */
  dataDir: string;
  config?: KioskConfig;
  /** Default: headless unless a display exists. */
  headless?: boolean;
  lang?: KioskLanguage;
  /**
   * Chromium's DevTools port on 127.0.0.1 for an outside Playwright (`connectOverCDP`); 0 picks a
   * free one. Only when given: CDP is unauthenticated (any local process could read what is typed
   * and act as the signed-in staff member), so it is for development, tests and demos only.
   */
  remoteDebuggingPort?: number;
  /**
   * Self-provision an unprovisioned kiosk with the DEVELOPMENT upstream key (its secret is public).
   * Without it an unprovisioned kiosk sends patients to reception until IT provisions it.
   */
  developmentKeys?: boolean;
  /** The built renderer; default out/renderer. */
  rendererDir?: string;
  /** Page size; default 1280×800 headless, the window's own size headed. */
  viewport?: { width: number; height: number };
  /** Where y4m feeds made from images and videos are kept; default: a folder of this run, removed on close. */
  cameraCacheDir?: string;
  /** An already built core (tests add methods to it); the caller then closes it. Default: createCore. */
  core?: Core;
  /** Lines for a person (CDP address, page errors); default: nothing. */
  log?: (line: string) => void;
  /**
   * How camera frames reach core: 'socket' (default), binary over the loopback frame socket;
   * 'binding', tagged base64 over the Playwright binding like every other call (the old path,
   * kept for comparison in `npm run bench`).
   */
  frameTransport?: 'socket' | 'binding';
}

export interface BrowserHost {
  page: Page;
  context: BrowserContext;
  core: Core;
  /** The page's address (on the intercepted loopback origin). */
  url: string;
  camera: CameraSource;
  headless: boolean;
  /** http://127.0.0.1:PORT when a debugging port was asked for. */
  cdpUrl?: string;
  /** The patient simulator, with `camera: 'simulate:…'` (its patients' stories for the bench and tests). */
  simulator?: PatientSimulator;
  close(): Promise<void>;
}

const locales: Record<KioskLanguage, string> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-US' };

export const hasDisplay = (
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): boolean => platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);

/** Resolves the camera option to what Chromium is told (making the y4m when a file is given). */
export async function resolveCamera(camera: string | undefined, cacheDir?: string): Promise<CameraSource> {
  if (camera === 'none') return { kind: 'none' };
  if (parseSimulateCamera(camera)) return { kind: 'simulator' };
  if (camera === undefined || camera === 'real') return machineHasCamera() ? { kind: 'real' } : { kind: 'none' };
  return { kind: 'file', y4m: await makeFakeCameraFeed(camera, cacheDir ? { cacheDir } : {}) };
}

/** A call is accepted only from the kiosk page's own main frame. */
export function isTrustedFrame(frame: Pick<Frame, 'url' | 'parentFrame'>): boolean {
  if (frame.parentFrame() !== null) return false;
  try {
    return new URL(frame.url()).origin === kioskOrigin;
  } catch {
    return false;
  }
}

const packageVersion = (): string => {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string'
      ? pkg.version
      : '0.0.0';
  } catch {
    return '0.0.0';
  }
};

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const rendererDir = resolve(options.rendererDir ?? defaultRendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The built renderer is missing (${join(rendererDir, 'index.html')}). Run "npm run build" first.`);
  }
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}. Install Debian's chromium (apt-get install chromium) or set KELU_CHROMIUM.`,
    );
  }
  if (options.remoteDebuggingPort) await assertPortFree(options.remoteDebuggingPort);
  const log = options.log ?? (() => {});
  // A fresh profile every run: no cookies, storage or permissions carried between patients or tests.
  // The camera feed made for this run lives inside it, so close() removes both.
  const userDataDir = mkdtempSync(join(tmpdir(), 'kelu-chromium-'));
  const removeProfile = () => rmSync(userDataDir, { recursive: true, force: true });
  let camera: CameraSource;
  let core: Core;
  let simulator: PatientSimulator | undefined;
  const ownCore = options.core === undefined;
  const headless = options.headless ?? !hasDisplay();
  const config = options.config ?? defaultConfig;
  try {
    camera = await resolveCamera(options.camera, options.cameraCacheDir ?? join(userDataDir, 'kelu-camera'));
    const simulated = parseSimulateCamera(options.camera);
    if (simulated) {
      simulator = await createPatientSimulator({
        files: simulated,
        ...options.simulator,
        modelsDir: join(projectRoot, 'models'),
        log,
      });
    }
    const simulatorCamera =
      simulated !== undefined && (options.allowSimulatorCamera ?? options.developmentKeys === true);
    core =
      options.core ??
      (await createCore({
        dataDir: options.dataDir,
        config,
        version: packageVersion(),
        developmentKeys: options.developmentKeys === true,
        simulatorCamera,
      }));
  } catch (err) {
    removeProfile();
    throw err;
  }
  let frameSocket: FrameSocket | undefined;
  if ((options.frameTransport ?? 'socket') === 'socket') {
    try {
      frameSocket = await startFrameSocket({ router: core.router, origin: kioskOrigin });
    } catch (err) {
      if (ownCore) await core.close();
      removeProfile();
      throw err;
    }
  }
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless,
      args: [
        ...chromiumArgs({
          camera,
          remoteDebuggingPort: options.remoteDebuggingPort,
          runningAsRoot: process.getuid?.() === 0,
          lang: options.lang,
          ...(frameSocket ? { frameSocket: { host: new URL(kioskOrigin).hostname, port: frameSocket.port } } : {}),
        }),
        // A window fills the screen, as the kiosk would.
        ...(headless ? [] : ['--start-maximized']),
      ],
      locale: options.lang ? locales[options.lang] : undefined,
      viewport: headless ? (options.viewport ?? { width: 1280, height: 800 }) : (options.viewport ?? null),
      serviceWorkers: 'block',
      acceptDownloads: false,
    });
  } catch (err) {
    await frameSocket?.close();
    if (ownCore) await core.close();
    removeProfile();
    throw err;
  }

  const unsubscribe = core.events.subscribe((event) => {
    for (const p of context.pages()) p.evaluate(dispatchExpression(event)).catch(() => {});
  });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    unsubscribe();
    await context.close().catch(() => {});
    await frameSocket?.close();
    if (ownCore) await core.close();
    removeProfile();
  };

  try {
    await serveRenderer(context, rendererDir);
    // After the renderer's interception, so the simulator's frame route is matched first.
    await simulator?.install(context, kioskOrigin);
    await context.grantPermissions(['camera'], { origin: kioskOrigin });
    await context.exposeBinding(bindingName, async (source, method: unknown, input: unknown) => {
      if (!isTrustedFrame(source.frame)) return denied('This caller is not the kiosk page');
      if (typeof method !== 'string') return denied('method must be a string');
      const result = await core.router.call(method, decodeFromPage(input), { transport: 'browser-host' });
      return encodeForPage(result);
    });
    await context.addInitScript({
      content: makePageBridgeScript(
        frameSocket
          ? {
              origin: kioskOrigin,
              path: frameSocketPath,
              secret: frameSocket.secret,
              methods: socketMethods,
              payloadTag,
            }
          : undefined,
      ),
    });

    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => log(`[page] ${err.name}: ${err.message}`));
    const url = `${kioskOrigin}/${options.lang ? `?lang=${options.lang}` : ''}`;
    await page.goto(url);

    let cdpUrl: string | undefined;
    if (options.remoteDebuggingPort !== undefined) {
      const port = await waitForDevToolsPort(userDataDir, options.remoteDebuggingPort);
      if (port === undefined) {
        throw new Error(
          `Chromium did not open the DevTools port ${options.remoteDebuggingPort}. Choose another with --remote-debugging-port, or 0 for any free port.`,
        );
      }
      cdpUrl = `http://127.0.0.1:${port}`;
      log(
        `WARNING: DevTools (CDP) is open on ${cdpUrl} without authentication: any local process can read what is typed and act as the signed-in staff member. For development, tests and demos only; never on a kiosk serving patients.`,
      );
    }
    return { page, context, core, url, camera, headless, cdpUrl, close, ...(simulator ? { simulator } : {}) };
  } catch (err) {
    await close();
    throw err;
  }
}

function denied(message: string): CallResult<never> {
  return { ok: false, error: { code: 'forbidden', message } };
}

/**
 * The DevTools port once Chromium listens on it. For port 0 Chromium writes the port it picked to
 * DevToolsActivePort in the profile (only then); for a fixed port, its /json/version answers.
 */
async function waitForDevToolsPort(
  userDataDir: string,
  requested: number,
  timeoutMs = 20_000,
): Promise<number | undefined> {
  const file = join(userDataDir, 'DevToolsActivePort');
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((r) => setTimeout(r, 100))) {
    if (requested === 0) {
      if (!existsSync(file)) continue;
      const port = Number(readFileSync(file, 'utf8').split('\n')[0]);
      if (Number.isInteger(port) && port > 0) return port;
    } else {
      const answered = await fetch(`http://127.0.0.1:${requested}/json/version`, {
        signal: AbortSignal.timeout(1000),
      }).then(
        (r) => r.ok,
        () => false,
      );
      if (answered) return requested;
    }
  }
  return undefined;
}

/** Fails early and clearly when the DevTools port is taken (Chromium would only log it and go on). */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', () =>
      reject(
        new Error(
          `The DevTools port ${port} is in use. Choose another with --remote-debugging-port, or 0 for any free port.`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise()));
  });
}
