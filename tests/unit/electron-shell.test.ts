// The Electron shell's security policy, checked without the Electron binary: the window options,
// the permission, navigation, request and sender decisions, the CSP, the IPC handler over the real
// core router, the preload's build format, and the shell's command line.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { method, type Handlers } from '../../electron/shared/api/define.js';
import { createRouter } from '../../electron/shared/api/router.js';
import { handleAppScheme } from '../../electron/main/app-protocol.js';
import { contentSecurityPolicy } from '../../electron/serving/csp.js';
import { createCallHandler } from '../../electron/main/ipc.js';
import { shellPaths } from '../../electron/main/paths.js';
import { resolveRendererFile } from '../../electron/serving/renderer-files.js';
import { safeStorageProtector } from '../../electron/main/safe-storage.js';
import {
  decideNavigation,
  decidePermissionCheck,
  decidePermissionRequest,
  decideRequest,
  isAppUrl,
  isTrustedSender,
  windowOpenDecision,
} from '../../electron/main/security-policy.js';
import { parseShellArgs } from '../../electron/main/shell-args.js';
import { kioskWindowOptions } from '../../electron/main/window-options.js';
import viteConfig from '../../electron.vite.config.js';
import { projectRoot } from '../../tools/harness/fixtures.js';

describe('kiosk window options', () => {
  const production = kioskWindowOptions({ preload: '/app/out/preload/index.cjs', development: false });
  const development = kioskWindowOptions({ preload: '/app/out/preload/index.cjs', development: true });

  it('isolates and sandboxes the page, with no Node and web security on, in every mode', () => {
    for (const options of [production, development]) {
      expect(options.webPreferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        experimentalFeatures: false,
      });
    }
  });

  it('is a fullscreen kiosk without devtools in production; a plain window with devtools in development', () => {
    expect(production).toMatchObject({ kiosk: true, fullscreen: true });
    expect(production.webPreferences?.devTools).toBe(false);
    expect(development).toMatchObject({ kiosk: false, fullscreen: false });
    expect(development.webPreferences?.devTools).toBe(true);
  });

  it('loads a CommonJS preload, which is what electron-vite is configured to emit', () => {
    const { preload } = shellPaths('/app/out/main');
    expect(preload).toBe(join('/app/out/preload/index.cjs'));
    const output = (
      viteConfig as { preload: { build: { rolldownOptions: { output: { format: string; entryFileNames: string } } } } }
    ).preload.build.rolldownOptions.output;
    expect(output.format).toBe('cjs');
    expect(output.entryFileNames.replace('[name]', 'index')).toBe('index.cjs');
  });
});

// `npm test` builds before the suites; a lone run without out/ skips this one check.
const builtPreload = join(projectRoot, 'out', 'preload', 'index.cjs');
describe.skipIf(!existsSync(builtPreload))('the built preload', () => {
  it('is CommonJS and requires nothing but electron (a sandboxed preload can load nothing else)', () => {
    const code = readFileSync(builtPreload, 'utf8');
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(required).toEqual(['electron']);
    expect(code).toContain('exposeInMainWorld("kiosk"');
  });
});

describe('permissions', () => {
  const app = 'app://kelu/index.html';

  it('grants the camera to the app’s own main frame only', () => {
    expect(decidePermissionRequest('media', { requestingUrl: app, isMainFrame: true, mediaTypes: ['video'] })).toBe(
      true,
    );
    expect(decidePermissionRequest('media', { requestingUrl: app, isMainFrame: false, mediaTypes: ['video'] })).toBe(
      false,
    );
    expect(
      decidePermissionRequest('media', {
        requestingUrl: 'https://example.com/',
        isMainFrame: true,
        mediaTypes: ['video'],
      }),
    ).toBe(false);
    expect(
      decidePermissionRequest('media', { requestingUrl: 'app://kelu.evil/', isMainFrame: true, mediaTypes: ['video'] }),
    ).toBe(false);
    expect(
      decidePermissionRequest('media', {
        requestingUrl: 'file:///etc/passwd',
        isMainFrame: true,
        mediaTypes: ['video'],
      }),
    ).toBe(false);
  });

  it('refuses the microphone, empty requests and every other permission', () => {
    expect(decidePermissionRequest('media', { requestingUrl: app, isMainFrame: true, mediaTypes: ['audio'] })).toBe(
      false,
    );
    expect(
      decidePermissionRequest('media', { requestingUrl: app, isMainFrame: true, mediaTypes: ['video', 'audio'] }),
    ).toBe(false);
    expect(decidePermissionRequest('media', { requestingUrl: app, isMainFrame: true, mediaTypes: [] })).toBe(false);
    for (const p of [
      'notifications',
      'geolocation',
      'display-capture',
      'clipboard-read',
      'fullscreen',
      'openExternal',
      'midiSysex',
      'unknown',
    ]) {
      expect(decidePermissionRequest(p, { requestingUrl: app, isMainFrame: true, mediaTypes: ['video'] })).toBe(false);
    }
  });

  it('answers permission checks the same way', () => {
    expect(
      decidePermissionCheck('media', 'app://kelu', {
        mediaType: 'video',
        isMainFrame: true,
        securityOrigin: 'app://kelu/',
      }),
    ).toBe(true);
    expect(decidePermissionCheck('media', 'app://kelu', { mediaType: 'audio', isMainFrame: true })).toBe(false);
    expect(decidePermissionCheck('media', 'https://example.com', { mediaType: 'video', isMainFrame: true })).toBe(
      false,
    );
    expect(
      decidePermissionCheck('media', 'app://kelu', {
        mediaType: 'video',
        isMainFrame: false,
        embeddingOrigin: 'https://x.test',
      }),
    ).toBe(false);
    expect(decidePermissionCheck('notifications', 'app://kelu', { isMainFrame: true })).toBe(false);
    expect(decidePermissionCheck('hid', 'app://kelu', { isMainFrame: true })).toBe(false);
  });
});

describe('navigation, new windows and requests', () => {
  it('never leaves the app', () => {
    expect(decideNavigation('app://kelu/index.html?lang=en')).toBe(true);
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:8080/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'app://other/',
      'app://user@kelu/',
      'about:blank',
      'not a url',
    ]) {
      expect(decideNavigation(url), url).toBe(false);
    }
  });

  it('opens no new windows', () => {
    expect(windowOpenDecision()).toEqual({ action: 'deny' });
  });

  it('lets the window load only its own files (devtools only in development)', () => {
    expect(decideRequest('app://kelu/assets/index.js', false)).toBe(true);
    expect(decideRequest('blob:app://kelu/1234', false)).toBe(true);
    expect(decideRequest('https://cdn.example.com/zxing.wasm', false)).toBe(false);
    expect(decideRequest('http://localhost:5173/', false)).toBe(false);
    expect(decideRequest('devtools://devtools/bundled/inspector.html', false)).toBe(false);
    expect(decideRequest('devtools://devtools/bundled/inspector.html', true)).toBe(true);
  });

  it('serves no file outside the built renderer', () => {
    const root = mkdtempSync(join(tmpdir(), 'kelu-renderer-'));
    try {
      writeFileSync(join(root, 'index.html'), '<!doctype html>');
      expect(resolveRendererFile(root, '/')).toBe(join(root, 'index.html'));
      expect(resolveRendererFile(root, '/index.html')).toBe(join(root, 'index.html'));
      for (const p of [
        '/../package.json',
        '/%2e%2e/package.json',
        '/..%2fpackage.json',
        '/missing.js',
        '/index.html%00.js',
        '/%E0%A4%A',
      ]) {
        expect(resolveRendererFile(root, p), p).toBeUndefined();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the app:// protocol handler', () => {
  it('serves the renderer files with the CSP and their type, and nothing else', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kelu-app-scheme-'));
    try {
      writeFileSync(join(root, 'index.html'), '<!doctype html><title>Kelu</title>');
      writeFileSync(join(root, 'reader.wasm'), new Uint8Array([0, 97, 115, 109]));
      let handler: ((request: Request) => Promise<Response>) | undefined;
      handleAppScheme(
        { handle: (_scheme: string, fn: (request: Request) => Promise<Response>) => (handler = fn) } as never,
        root,
      );
      const index = await handler!(new Request('app://kelu/index.html'));
      expect(index.status).toBe(200);
      expect(index.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
      expect(index.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await index.text()).toContain('<title>Kelu</title>');
      const wasm = await handler!(new Request('app://kelu/reader.wasm'));
      expect(wasm.headers.get('content-type')).toBe('application/wasm');
      for (const request of [
        new Request('app://other/index.html'),
        new Request('app://kelu/../../etc/passwd'),
        new Request('app://kelu/index.html', { method: 'POST', body: 'x' }),
      ]) {
        expect((await handler!(request)).status, request.url).toBe(404);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('content security policy', () => {
  const directives = new Map(
    contentSecurityPolicy.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values] as const;
    }),
  );

  it('allows scripts only from the app (no inline, no eval), no plugins, no framing, no remote hosts', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toContain("'self'");
    expect(directives.get('script-src')).not.toContain("'unsafe-inline'");
    expect(directives.get('script-src')).not.toContain("'unsafe-eval'");
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(contentSecurityPolicy).not.toMatch(/https?:|\*/);
  });

  it('is also in the renderer page itself', () => {
    const html = readFileSync(join(projectRoot, 'renderer', 'index.html'), 'utf8');
    expect(html).toMatch(/http-equiv="Content-Security-Policy"[^>]*default-src 'self'/);
  });
});

describe('IPC calls', () => {
  const contract = {
    'system.ping': method({
      summary: 'ping',
      input: z.object({ n: z.number().int() }).strict(),
      output: z.object({ n: z.number() }),
    }),
  };
  let calls = 0;
  const handlers: Handlers<typeof contract> = {
    'system.ping': ({ n }) => {
      calls++;
      return { n: n + 1 };
    },
  };
  const handle = createCallHandler({ router: createRouter(contract, handlers) });
  const mainFrame = { url: 'app://kelu/index.html', parent: null };

  it('accepts the kiosk window’s main frame and validates the input against the schema', async () => {
    expect(await handle({ senderFrame: mainFrame as never }, 'system.ping', { n: 1 })).toEqual({
      ok: true,
      value: { n: 2 },
    });
    expect(await handle({ senderFrame: mainFrame as never }, 'system.ping', { n: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'bad-input' },
    });
    expect(await handle({ senderFrame: mainFrame as never }, 'system.ping', { n: 1, extra: true })).toMatchObject({
      ok: false,
      error: { code: 'bad-input' },
    });
    expect(await handle({ senderFrame: mainFrame as never }, 'fs.read', {})).toMatchObject({
      ok: false,
      error: { code: 'unknown-method' },
    });
  });

  it('refuses iframes, other pages and missing frames before core sees anything', async () => {
    const before = calls;
    for (const frame of [
      { url: 'app://kelu/index.html', parent: {} },
      { url: 'https://example.com/', parent: null },
      null,
    ]) {
      expect(await handle({ senderFrame: frame as never }, 'system.ping', { n: 1 })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    expect(calls).toBe(before);
    expect(isTrustedSender({ url: 'app://kelu/', parent: null })).toBe(true);
    expect(isAppUrl('app://kelu:8080/')).toBe(false);
  });
});

describe('safeStorage as the device key protector', () => {
  // A stand-in for Electron's safeStorage (the binary is not here): reversible, and visibly not the input.
  const fakeSafeStorage = (backend: 'gnome_libsecret' | 'basic_text', available = true) => ({
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (s: string) => Buffer.from(`enc:${[...s].reverse().join('')}`),
    decryptString: (b: Buffer) => [...b.toString().slice(4)].reverse().join(''),
  });

  it('wraps and unwraps the secret through the OS keyring', () => {
    const protector = safeStorageProtector(fakeSafeStorage('gnome_libsecret'), 'linux');
    expect(protector?.kind).toBe('safe-storage');
    const secret = new Uint8Array([1, 2, 3, 250, 0, 7]);
    const wrapped = protector!.protect(secret);
    expect(Buffer.from(wrapped).includes(Buffer.from(secret))).toBe(false);
    expect([...protector!.unprotect(wrapped)]).toEqual([...secret]);
  });

  it('is not used when it protects nothing (no keyring, or Linux basic_text)', () => {
    expect(safeStorageProtector(fakeSafeStorage('basic_text'), 'linux')).toBeUndefined();
    expect(safeStorageProtector(fakeSafeStorage('gnome_libsecret', false), 'linux')).toBeUndefined();
  });
});

describe('the shell’s command line', () => {
  it('honours --dev only when not packaged', () => {
    expect(parseShellArgs(['.', '--dev'], false).development).toBe(true);
    expect(parseShellArgs(['.', '--dev'], true).development).toBe(false);
    expect(parseShellArgs(['.'], true, { KELU_DEV: '1' }).development).toBe(false);
  });

  it('reads the data dir, config and language, and rejects a wrong language', () => {
    expect(
      parseShellArgs(['.', '--data-dir=/tmp/k', '--config', '/tmp/c.json', '--lang=ru', '--no-sandbox'], false),
    ).toEqual({
      development: false,
      developmentKeys: false,
      dataDir: '/tmp/k',
      configFile: '/tmp/c.json',
      lang: 'ru',
    });
    expect(() => parseShellArgs(['.', '--lang=de'], false)).toThrow(/--lang must be kk, ru or en/);
  });
});

describe('app URLs', () => {
  it('are recognised exactly', () => {
    expect(isAppUrl('app://kelu/index.html')).toBe(true);
    expect(isAppUrl('APP://KELU/index.html')).toBe(true);
    expect(isAppUrl('app://kelu.localhost/')).toBe(false);
    expect(isAppUrl(undefined)).toBe(false);
  });
});
