#!/usr/bin/env node
// Electron-ABI copy of better-sqlite3 for running the unpackaged app (npm start, the Electron e2e
// test). `node scripts/electron-native.mjs` makes it; npm start imports ensureElectronSqlite.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * better-sqlite3 is compiled for Node's ABI at `npm install`. Electron has its own ABI, so the app
 * gets its own copy, rebuilt for Electron, in out/node_modules: the built main script
 * (out/main/index.js) resolves `better-sqlite3` there first, while Node (tests, kioskctl, the
 * browser host) keeps resolving node_modules/. Rebuilt only when Electron or better-sqlite3 changes.
 */
export async function ensureElectronSqlite(root) {
  const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
  const sqliteDir = join(root, 'node_modules/better-sqlite3');
  const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
  const target = join(root, 'out/node_modules/better-sqlite3');
  const marker = join(target, '.kelu-electron-abi.json');
  const want = JSON.stringify({ electronVersion, sqliteVersion, platform: process.platform, arch: process.arch });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return;

  console.log(`npm start: rebuilding better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (once)...`);
  const scratch = join(root, '.tmp/electron-native');
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(join(scratch, 'node_modules'), { recursive: true });
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'kelu-electron-native', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }),
  );
  cpSync(sqliteDir, join(scratch, 'node_modules/better-sqlite3'), {
    recursive: true,
    filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`),
  });
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({ buildPath: scratch, electronVersion, onlyModules: ['better-sqlite3'], force: true });
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(scratch, 'node_modules/better-sqlite3'), target, { recursive: true });
  writeFileSync(marker, want);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await ensureElectronSqlite(join(dirname(fileURLToPath(import.meta.url)), '..'));
}
