export { openDatabase, checkIntegrity, type OpenOptions } from './open.js';
export { runMigrations, currentVersion } from './migrations.js';
export { StoreError, toStoreError, guardStore, type StoreErrorKind } from './errors.js';
export { defaultDataDir } from './data-dir.js';
export type { Database } from 'better-sqlite3';
export { DataFolderRefused, checkKioskDataFolder } from './permissions.js';

/** The kiosk's one database file inside its data folder. */
export const databaseFileName = 'kelu.db';
