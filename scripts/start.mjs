#!/usr/bin/env node
// `npm start`: the kiosk from the source tree with its embedded default configuration and
// DEVELOPMENT keys (--dev-keys: an unprovisioned kiosk provisions itself with the development
// upstream key, whose secret is in git; offline: visits queue locally). Never for patients; a
// packaged app ignores the flag.
//  - Where the Electron binary exists (or can be downloaded now): build, make an Electron-ABI copy of better-sqlite3 for the
//    app (out/node_modules, never touching the Node-ABI one that tests and kioskctl use), launch.
//  - Elsewhere: one line saying so, then the browser host in Debian's Chromium (a window where a
//    display exists, headless where none does; the machine's webcam if /dev/video* exists, else
//    the kiosk's own no-camera path). DevTools (CDP) only with an explicit --remote-debugging-port N.
// Extra arguments go to Electron (`--dev`, `--data-dir=DIR`, `--config=FILE`, `--lang=xx`) or to
// the browser host (`--camera FILE`, `--data-dir DIR`, `--config FILE`, `--lang xx`, ...).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureElectronSqlite } from './electron-native.mjs';
import { browserHostArgs, devKeysNote, electronArgs } from './start-args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const extra = process.argv.slice(2);

/** The Electron executable when it is really there (require('electron') returns its path). */
function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `npm install` never downloads the Electron binary (package.json's allowScripts denies electron's
 * postinstall), so installing works on machines that reach only the npm registry. Fetch it here,
 * once, where the network allows; ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips the attempt.
 */
function fetchElectron() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return undefined;
  const installer = join(dirname(require.resolve('electron/package.json')), 'install.js');
  const r = spawnSync(process.execPath, [installer], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'ignore'],
    timeout: 600_000,
  });
  return r.status === 0 ? electronBinary() : undefined;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`npm start: "${cmd} ${args.join(' ')}" failed.`);
    process.exit(r.status ?? 1);
  }
}

async function startElectron(binary) {
  run('npx', ['electron-vite', 'build']);
  try {
    await ensureElectronSqlite(root);
  } catch (err) {
    console.error(
      `npm start: could not rebuild better-sqlite3 for Electron (${err instanceof Error ? err.message : String(err)}).`,
    );
    console.error(
      'It needs the Electron headers (internet) or a prebuilt binary; "npm run start:browser" works without them.',
    );
    process.exit(1);
  }
  console.log(devKeysNote);
  const child = spawn(binary, electronArgs(extra), { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}

async function startBrowserHost() {
  const args = browserHostArgs(extra);
  const given = (name) => args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (!hasDisplay && !given('remote-debugging-port')) {
    console.log(
      'npm start: headless (no display). To drive it from a script, add --remote-debugging-port N (unauthenticated; development only).',
    );
  }
  console.log(devKeysNote);
  // Always build: the host serves out/renderer, which must match the source being started.
  run('npx', ['electron-vite', 'build']);
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'electron/browser-host/cli.ts'), ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

const binary = electronBinary() ?? fetchElectron();
if (binary) {
  await startElectron(binary);
} else {
  console.log(
    'npm start: no Electron binary here (it could not be downloaded, or ELECTRON_SKIP_BINARY_DOWNLOAD is set), so the kiosk opens in the browser host (Debian Chromium) instead.',
  );
  await startBrowserHost();
}
