// electron-builder hook (afterAllArtifactBuild). electron-builder rebuilds node_modules' native
// modules IN PLACE for Electron's ABI while packaging; this puts better-sqlite3 back on Node's ABI so
// tests, kioskctl and the browser host keep working after `npm run dist`. See docs/shell.md.
import { spawnSync } from 'node:child_process';

export default async function restoreNodeAbi() {
  const r = spawnSync('npm', ['rebuild', 'better-sqlite3'], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0)
    console.warn(
      'dist: could not rebuild better-sqlite3 for Node; run "npm rebuild better-sqlite3" before running tests.',
    );
  return [];
}
