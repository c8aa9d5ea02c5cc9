// Electron host: thin. One kiosk window, the security policy, and the core router on ipcMain.
// Command line: [--dev] [--dev-keys] [--data-dir=DIR] [--config=FILE] [--lang=kk|ru|en] (docs/shell.md).
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session } from 'electron';
import { createCore, type Core } from '../core/kiosk.js';
import { defaultConfig, type KioskConfig } from '../core/platform/config/schema.js';
import { handleAppScheme, registerAppScheme } from './app-protocol.js';
import { readConfigFile } from '../core/platform/config/file.js';
import { contentSecurityPolicy } from '../serving/csp.js';
import { hardenWebContents } from './harden.js';
import { registerIpc } from './ipc.js';
import { downloadHandler } from './downloads.js';
import { appSecretProtector } from './safe-storage.js';
import { appEntryUrl, decidePermissionCheck, decidePermissionRequest, decideRequest } from './security-policy.js';
import { shellPaths } from './paths.js';
import { parseShellArgs, type ShellArgs } from './shell-args.js';
import { refuseDebuggingSwitches } from './debug-switches.js';
import { kioskWindowOptions } from './window-options.js';

const { preload: preloadPath, rendererDir } = shellPaths(dirname(fileURLToPath(import.meta.url)));

function fail(message: string): never {
  console.error(`kelu: ${message}`);
  if (app.isReady()) dialog.showErrorBox('Kelu cannot start', message);
  app.exit(1);
  throw new Error(message);
}

let args: ShellArgs;
try {
  args = parseShellArgs(process.argv.slice(1), app.isPackaged, process.env);
  // Electron's own parser knows every spelling Chromium accepts: ask it too, remove before ready.
  refuseDebuggingSwitches(app.commandLine, app.isPackaged);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
const development = args.development;

// Before ready: every renderer sandboxed, whatever its options; the app:// scheme is a secure,
// standard origin.
app.enableSandbox();
registerAppScheme(protocol);

// One kiosk per machine: a second start focuses the first window and exits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const dataDir = args.dataDir ?? app.getPath('userData');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Chromium's own profile (cache, storage) and its crash folder stay in a subfolder of the data
  // folder, apart from the kiosk's database, readable by the kiosk's user only.
  if (args.dataDir) app.setPath('userData', dataDir);
  const chromiumDir = join(dataDir, 'chromium');
  const crashDir = join(chromiumDir, 'Crashpad');
  mkdirSync(crashDir, { recursive: true, mode: 0o700 });
  for (const d of [chromiumDir, crashDir]) chmodSync(d, 0o700);
  app.setPath('sessionData', chromiumDir);
  app.setPath('crashDumps', crashDir);
  // crashReporter is deliberately never started: a minidump holds renderer memory, which may hold
  // camera frames and typed IINs. Without start() Crashpad collects nothing and uploads nothing.
  let window: BrowserWindow | undefined;
  let core: Core | undefined;

  app.on('second-instance', () => {
    if (window && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, development));
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    void core?.close();
  });

  app
    .whenReady()
    .then(async () => {
      if (!development) Menu.setApplicationMenu(null);
      const ses = session.defaultSession;
      handleAppScheme(protocol, rendererDir);
      ses.setPermissionRequestHandler((_contents, permission, callback, details) =>
        callback(decidePermissionRequest(permission, details)),
      );
      ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
        decidePermissionCheck(permission, requestingOrigin, details),
      );
      ses.setDevicePermissionHandler(() => false);
      ses.webRequest.onBeforeRequest((details, callback) =>
        callback({ cancel: !decideRequest(details.url, development) }),
      );
      // A download (a report's CSV link) never opens a native Save dialog: CSVs made by the page go
      // to <data dir>/exports/, everything else is cancelled.
      ses.on(
        'will-download',
        downloadHandler(dataDir, (r) => {
          if (r.refused) console.warn(`kelu: download refused (${r.refused})`);
          else if (r.saved) core?.events.emit('download.saved', { file: r.saved });
        }),
      );
      ses.webRequest.onHeadersReceived((details, callback) =>
        callback({
          responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy] },
        }),
      );

      let config: KioskConfig = defaultConfig;
      const configFile = args.configFile ?? join(dataDir, 'config.json');
      if (args.configFile || existsSync(configFile)) config = readConfigFile(configFile);
      // Packaged: extraResources beside app.asar (electron-builder.yml); development: the project folder.
      const modelsDir = app.isPackaged ? join(process.resourcesPath, 'models') : join(app.getAppPath(), 'models');
      process.env.KELU_RESOURCES ??= app.isPackaged
        ? join(process.resourcesPath, 'resources')
        : join(app.getAppPath(), 'resources');
      // A packaged kiosk never self-provisions with the development upstream key (args ignore
      // --dev-keys there): until IT provisions it from the IT screen, patients go to reception.
      core = await createCore({
        dataDir,
        config,
        version: app.getVersion(),
        modelsDir,
        secretProtector: appSecretProtector(safeStorage),
        developmentKeys: args.developmentKeys,
      });

      const win = new BrowserWindow(kioskWindowOptions({ preload: preloadPath, development }));
      window = win;
      registerIpc(ipcMain, core, () => (win.isDestroyed() ? undefined : win.webContents));
      win.once('ready-to-show', () => win.show());
      const entry = args.lang ? `${appEntryUrl}?lang=${args.lang}` : appEntryUrl;
      // A crashed renderer must never leave a blank kiosk: start the screens again.
      win.webContents.on('render-process-gone', () => {
        if (!win.isDestroyed()) void win.loadURL(entry);
      });
      await win.loadURL(entry);
    })
    .catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
}
