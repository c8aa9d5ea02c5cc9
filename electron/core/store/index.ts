import { join } from 'node:path';
import { openDatabase } from './open.js';
import { checkKioskDataFolder } from './permissions.js';
export { openDatabase, checkIntegrity, type OpenOptions } from './open.js';
export { runMigrations, currentVersion } from './migrations.js';
export { StoreError, toStoreError, guardStore, type StoreErrorKind } from './errors.js';
export { defaultDataDir } from './data-dir.js';
export type { Database } from 'better-sqlite3';
export { DataFolderRefused, checkKioskDataFolder } from './permissions.js';

/** The kiosk's one database file inside its data folder. */
export const databaseFileName = 'kelu.db';

/**
 * kioskctl's way into a kiosk's data folder (issue 17 item 7): refuses a folder that is not a
 * kiosk's (checkKioskDataFolder) before anything is created or changed, and opens read-only for
 * read-only commands (no permission changes, no database created).
 */
export function openKioskDatabase(dataDir: string, mode: 'read' | 'write'): import('better-sqlite3').Database {
  checkKioskDataFolder(dataDir, databaseFileName, mode);
  return openDatabase(join(dataDir, databaseFileName), mode === 'read' ? { readonly: true } : {});
}
