// The kiosk window's options. Pure (type-only Electron import) so a unit test reads them.
import type { BrowserWindowConstructorOptions } from 'electron';

export interface KioskWindowInput {
  /** Absolute path of the CommonJS preload (out/preload/index.cjs). */
  preload: string;
  /** Development: a normal window with devtools; production: fullscreen kiosk mode, no devtools. */
  development: boolean;
}

export function kioskWindowOptions({ preload, development }: KioskWindowInput): BrowserWindowConstructorOptions {
  return {
    title: 'Kelu',
    width: 1280,
    height: 800,
    show: false,
    kiosk: !development,
    fullscreen: !development,
    autoHideMenuBar: true,
    backgroundColor: '#ffffff',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: development,
    },
  };
}
