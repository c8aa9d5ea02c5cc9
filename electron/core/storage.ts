import { join } from 'node:path';
import { auditMigrations } from './platform/audit/migrations.js';
import { databaseFileName, openDatabase, runMigrations, type Database } from './platform/store/index.js';
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
 * it, so a tool never sees a database with a subset of the tables.
 */
export function openKioskStorage(dataDir: string): Database {
  const db = openDatabase(join(dataDir, databaseFileName));
  for (const [domain, migrations] of kioskMigrations) runMigrations(db, domain, migrations);
  return db;
}
