// The Electron main process's wiring, run in Node with a recording stand-in for the `electron`
// module (the binary is not installed here): the scheme, the single-instance lock, the permission
// and request handlers, the window's options and URL, and IPC reaching the REAL core (SQLite,
// libsodium, keys) from the trusted frame only. The handlers themselves are tested in
// electron-shell.test.ts; this checks that index.ts connects each of them.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;
const recorded = vi.hoisted(() => ({
  schemes: [] as unknown[],
  appListeners: new Map<string, Listener>(),
  windows: [] as { options: Record<string, unknown>; url?: string; shown: boolean }[],
  ipc: new Map<string, Listener>(),
  permissionRequest: undefined as Listener | undefined,
  permissionCheck: undefined as Listener | undefined,
  devicePermission: undefined as Listener | undefined,
  beforeRequest: undefined as Listener | undefined,
  headersReceived: undefined as Listener | undefined,
  protocolHandlers: new Map<string, Listener>(),
  menu: 'default' as unknown,
  lockRequested: false,
  sandboxForced: false,
  paths: new Map<string, string>(),
  ready: undefined as Promise<void> | undefined,
  sessionListeners: new Map<string, Listener>(),
  crashReporterStarts: 0,
}));

vi.mock('electron', () => {
  class BrowserWindow {
    record: { options: Record<string, unknown>; url?: string; shown: boolean };
    webContents = { on: () => undefined, send: () => undefined, isDestroyed: () => false };
    constructor(options: Record<string, unknown>) {
      this.record = { options, shown: false };
      recorded.windows.push(this.record);
    }
    once(_event: string, fn: () => void) {
      fn();
    }
    show() {
      this.record.shown = true;
    }
    async loadURL(url: string) {
      this.record.url = url;
    }
    isDestroyed() {
      return false;
    }
  }
  const app = {
    isPackaged: false,
    isReady: () => true,
    commandLine: { hasSwitch: () => false, removeSwitch: () => undefined, appendSwitch: () => undefined },
    getPath: (name: string) => recorded.paths.get(name) ?? join(tmpdir(), 'kelu-never-used'),
    setPath: (name: string, value: string) => recorded.paths.set(name, value),
    getAppPath: () => process.cwd(),
    getVersion: () => '0.0.0-test',
    enableSandbox: () => {
      recorded.sandboxForced = true;
    },
    requestSingleInstanceLock: () => {
      recorded.lockRequested = true;
      return true;
    },
    on: (event: string, fn: Listener) => recorded.appListeners.set(event, fn),
    whenReady: () => {
      recorded.ready = Promise.resolve();
      return recorded.ready;
    },
    quit: () => undefined,
    exit: (code: number) => {
      throw new Error(`app.exit(${code})`);
    },
  };
  const session = {
    defaultSession: {
      on: (event: string, fn: Listener) => recorded.sessionListeners.set(event, fn),
      setPermissionRequestHandler: (fn: Listener) => (recorded.permissionRequest = fn),
      setPermissionCheckHandler: (fn: Listener) => (recorded.permissionCheck = fn),
      setDevicePermissionHandler: (fn: Listener) => (recorded.devicePermission = fn),
      webRequest: {
        onBeforeRequest: (fn: Listener) => (recorded.beforeRequest = fn),
        onHeadersReceived: (fn: Listener) => (recorded.headersReceived = fn),
      },
    },
  };
  return {
    app,
    BrowserWindow,
    session,
    dialog: { showErrorBox: () => undefined },
    ipcMain: {
      handle: (channel: string, fn: Listener) => recorded.ipc.set(channel, fn),
      removeHandler: () => undefined,
    },
    Menu: { setApplicationMenu: (menu: unknown) => (recorded.menu = menu) },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => recorded.schemes.push(...schemes),
      handle: (scheme: string, fn: Listener) => recorded.protocolHandlers.set(scheme, fn),
    },
    safeStorage: { isEncryptionAvailable: () => false, getSelectedStorageBackend: () => 'basic_text' },
    crashReporter: { start: () => recorded.crashReporterStarts++ },
  };
});

const dataDir = mkdtempSync(join(tmpdir(), 'kelu-main-'));
const argv = process.argv;

beforeAll(async () => {
  process.argv = [argv[0]!, 'out/main/index.js', `--data-dir=${dataDir}`, '--lang=en'];
  await import('../../electron/main/index.js');
  await recorded.ready;
  // whenReady's callback creates the core (opens SQLite, makes keys) and the window.
  await vi.waitFor(() => expect(recorded.windows[0]?.url).toBeDefined(), { timeout: 30_000, interval: 50 });
}, 60_000);

afterAll(async () => {
  process.argv = argv;
  await recorded.appListeners.get('will-quit')?.();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Electron main wiring', () => {
  it('forces the sandbox, registers app:// as a secure standard scheme and takes the single-instance lock', () => {
    expect(recorded.schemes).toEqual([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
    expect(recorded.lockRequested).toBe(true);
    expect(recorded.sandboxForced).toBe(true);
    expect(recorded.appListeners.has('second-instance')).toBe(true);
    expect(recorded.appListeners.has('web-contents-created')).toBe(true);
    expect(recorded.protocolHandlers.has('app')).toBe(true);
  });

  it('opens one sandboxed kiosk window on app://kelu with the CommonJS preload, and no menu', () => {
    expect(recorded.windows).toHaveLength(1);
    const { options, url, shown } = recorded.windows[0]!;
    expect(url).toBe('app://kelu/index.html?lang=en');
    expect(shown).toBe(true);
    expect(options).toMatchObject({
      kiosk: true,
      webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, devTools: false },
    });
    expect(String((options.webPreferences as { preload: string }).preload)).toMatch(/preload[\\/]index\.cjs$/);
    expect(recorded.menu).toBeNull();
    expect(recorded.paths.get('sessionData')).toBe(join(dataDir, 'chromium'));
  });

  it('installs the permission, device and request handlers', async () => {
    const granted = await new Promise((done) =>
      recorded.permissionRequest!(undefined, 'media', done, {
        requestingUrl: 'app://kelu/index.html',
        isMainFrame: true,
        mediaTypes: ['video'],
      }),
    );
    const refused = await new Promise((done) =>
      recorded.permissionRequest!(undefined, 'geolocation', done, { requestingUrl: 'app://kelu/', isMainFrame: true }),
    );
    expect([granted, refused]).toEqual([true, false]);
    expect(
      recorded.permissionCheck!(null, 'media', 'https://example.com', { mediaType: 'video', isMainFrame: true }),
    ).toBe(false);
    expect(recorded.devicePermission!()).toBe(false);
    const cancel = await new Promise((done) => recorded.beforeRequest!({ url: 'https://example.com/' }, done));
    expect(cancel).toEqual({ cancel: true });
    const headers = await new Promise<{ responseHeaders: Record<string, string[]> }>((done) =>
      recorded.headersReceived!({ responseHeaders: {} }, done as Listener),
    );
    expect(headers.responseHeaders['Content-Security-Policy']?.[0]).toContain("default-src 'self'");
  });

  it('keeps Chromium’s profile and crash folder inside the data folder (0700) and never starts the crash reporter', () => {
    expect(recorded.paths.get('crashDumps')).toBe(join(dataDir, 'chromium', 'Crashpad'));
    for (const d of [join(dataDir, 'chromium'), join(dataDir, 'chromium', 'Crashpad')])
      expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(recorded.crashReporterStarts).toBe(0);
  });

  it('handles downloads itself (no native Save dialog): a foreign download is cancelled', () => {
    const listener = recorded.sessionListeners.get('will-download');
    expect(listener).toBeDefined();
    let prevented = false;
    listener!(
      { preventDefault: () => (prevented = true) },
      {
        getURL: () => 'https://evil.example/x.exe',
        getFilename: () => 'x.exe',
        setSavePath: () => undefined,
        once: () => undefined,
      },
      { getURL: () => 'app://kelu/index.html' },
    );
    expect(prevented).toBe(true);
  });

  it('started without --dev-keys and unprovisioned, it tells the screens it is not ready (patients go to reception)', async () => {
    const call = recorded.ipc.get('kiosk:call')!;
    const trusted = { senderFrame: { url: 'app://kelu/index.html?lang=en', parent: null } };
    expect(await call(trusted, 'system.info', {})).toMatchObject({ ok: true, value: { ready: false } });
  });

  it('answers window.kiosk calls from the kiosk frame with the real core, and refuses other frames', async () => {
    const call = recorded.ipc.get('kiosk:call')!;
    const trusted = { senderFrame: { url: 'app://kelu/index.html?lang=en', parent: null } };
    expect(await call(trusted, 'system.info', {})).toMatchObject({
      ok: true,
      value: { version: '0.0.0-test', clinicId: 'dev-clinic' },
    });
    expect(await call(trusted, 'system.info', { sneaky: true })).toMatchObject({
      ok: false,
      error: { code: 'bad-input' },
    });
    expect(await call({ senderFrame: { url: 'https://example.com/', parent: null } }, 'system.info', {})).toMatchObject(
      {
        ok: false,
        error: { code: 'forbidden' },
      },
    );
  });
});
