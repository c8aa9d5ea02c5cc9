import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { parseConfig, type KioskConfig } from '../config/schema.js';
import { detectBackend } from '../face/backend.js';
import { readDeviceIdentity, readProvisioning } from '../keys/index.js';
import { databaseFileName, openKioskDatabase } from '../store/index.js';
import { migrateOutbox } from '../visits/index.js';
import { createSyncService, type SyncKeys, type SyncService } from './service.js';
import type { SyncSettings } from './engine.js';

/** Reads a kiosk configuration file for the IT tools; absent means the embedded defaults. */
export function readConfigFile(file: string | undefined): KioskConfig {
  if (!file) return parseConfig({});
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${file} is not a readable JSON file`);
  }
  return parseConfig(json, file);
}

export interface LocalKiosk {
  db: Database;
  keys: SyncKeys;
  sync: SyncService;
  close(): void;
}

/**
 * The kiosk's outbox and keys as kioskctl sees them, beside a running kiosk if need be (WAL and the
 * busy timeout let both work on the same file). Needs no device secret: status and sync only read.
 */
export async function openLocalKiosk(dataDir: string, config: KioskConfig, overrides: Partial<SyncSettings> = {}): Promise<LocalKiosk> {
  const device = await readDeviceIdentity(dataDir);
  const provisioning = readProvisioning(dataDir);
  if (!device || !provisioning || !existsSync(join(dataDir, databaseFileName))) {
    throw new Error(`No provisioned kiosk in ${dataDir}: provision it from the IT screen or with "kioskctl provision" (or pass --data-dir).`);
  }
  const db = openKioskDatabase(dataDir, 'write');
  migrateOutbox(db);
  const keys: SyncKeys = { device, provisioning };
  const sync = createSyncService({ db, keys: () => keys, config, faceBackend: () => detectBackend(config.face.backend).backend, overrides });
  return { db, keys, sync, close: () => db.close() };
}
