import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { parseConfig, type KioskConfig } from '../../electron/core/platform/config/schema.js';
import { readConfigFile } from '../../electron/core/platform/config/file.js';
import { detectBackend } from '../../electron/core/face/backend.js';
import { readDeviceIdentity, readProvisioning } from '../../electron/core/delivery/keys/index.js';
import { databaseFileName } from '../../electron/core/platform/store/index.js';
import { openKioskStorage } from '../../electron/core/storage.js';
import { createSyncService, type SyncKeys, type SyncService } from '../../electron/core/delivery/sync/service.js';
import type { SyncSettings } from '../../electron/core/delivery/sync/engine.js';

/** A kiosk configuration file for the IT tools; absent means the embedded defaults. */
export const configOrDefaults = (file: string | undefined): KioskConfig =>
  file ? readConfigFile(file) : parseConfig({});

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
export async function openLocalKiosk(
  dataDir: string,
  config: KioskConfig,
  overrides: Partial<SyncSettings> = {},
): Promise<LocalKiosk> {
  const device = await readDeviceIdentity(dataDir);
  const provisioning = readProvisioning(dataDir);
  if (!device || !provisioning || !existsSync(join(dataDir, databaseFileName))) {
    throw new Error(
      `No provisioned kiosk in ${dataDir}: provision it from the IT screen or with "kioskctl provision" (or pass --data-dir).`,
    );
  }
  const db = openKioskStorage(dataDir, 'write');
  const keys: SyncKeys = { device, provisioning };
  const sync = createSyncService({
    db,
    keys: () => keys,
    config,
    faceBackend: () => detectBackend(config.face.backend).backend,
    overrides,
  });
  return { db, keys, sync, close: () => db.close() };
}
