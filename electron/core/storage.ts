import { join } from 'node:path';
import { auditMigrations } from './platform/audit/migrations.js';
import {
  checkKioskDataFolder,
  databaseFileName,
  openDatabase,
  runMigrations,
  type Database,
} from './platform/store/index.js';
import { outboxMigrations } from './delivery/visits/outbox-schema.js';
import { staffMigrations } from './staff/accounts/migrations.js';
import { handoffMigrations } from './staff/handoffs/migrations.js';

/**
 * The registry of the kiosk database's schema: every domain's numbered migrations, in the order
 * they run. A part that adds a table appends its domain here (and its SQL to its own list).
 */
export const kioskMigrations: ReadonlyArray<readonly [domain: string, migrations: readonly string[]]> = [
  ['outbox', outboxMigrations],
  ['audit', auditMigrations],
  ['staff', staffMigrations],
  ['handoffs', handoffMigrations],
];

/**
 * Opens the kiosk's one database in its data folder and brings every domain's schema up to date.
 * The ONE way a kiosk's storage is opened: createCore, kioskctl and the headless harness all call
 * it, so a tool never sees a database with a subset of the tables. kioskctl passes `read` or
 * `write`: see checkKioskDataFolder.
 */
export function openKioskStorage(dataDir: string, mode: 'kiosk' | 'read' | 'write' = 'kiosk'): Database {
  // kioskctl (issue 17 item 7): a folder that is not a kiosk's is refused before anything is
  // created or changed, and read-only commands open read-only (the schema must then be current).
  if (mode !== 'kiosk') checkKioskDataFolder(dataDir, databaseFileName, mode);
  const db = openDatabase(join(dataDir, databaseFileName), mode === 'read' ? { readonly: true } : {});
  for (const [domain, migrations] of kioskMigrations) runMigrations(db, domain, migrations);
  return db;
}
