import type { Database } from 'better-sqlite3';
import { configSchema, type KioskConfigInput } from '../../electron/core/platform/config/schema.js';
import { loadKioskKeys, plainFileProtector, type KioskKeys } from '../../electron/core/delivery/keys/index.js';
import { openModelPackage } from '../../electron/core/face/model-package.js';
import { shippedDir } from '../../electron/core/platform/resources.js';
import { createSyncService, type SyncService } from '../../electron/core/delivery/sync/service.js';
import type { SyncSettings } from '../../electron/core/delivery/sync/engine.js';
import { openKioskStorage } from '../../electron/core/storage.js';
import { createVisitQueue, type EnvelopeFields, type VisitQueue } from '../../electron/core/delivery/visits/index.js';

/**
 * A kiosk's storage, keys, visit queue and sync engine without the face engine or a window: what
 * the sync tests, the chaos run and the sync benchmark drive. It is the same code createCore wires.
 */
export interface HeadlessKiosk {
  dataDir: string;
  db: Database;
  keys: KioskKeys;
  queue: VisitQueue;
  sync: SyncService;
  close(): void;
}

export async function openHeadlessKiosk(
  dataDir: string,
  config: KioskConfigInput = {},
  overrides: Partial<SyncSettings> = {},
): Promise<HeadlessKiosk> {
  const parsed = configSchema.parse(config);
  const db = openKioskStorage(dataDir);
  // A test and bench harness: development keys, as a first `npm start` from the source tree.
  const keys = await loadKioskKeys(
    dataDir,
    plainFileProtector(() => {}),
    parsed.clinicId,
    { developmentKeys: true },
  );
  const queue = createVisitQueue(db, () => keys, { onStoreError: (e) => sync.noteStorageError(e) });
  const sync = createSyncService({ db, keys: () => keys, config: parsed, faceBackend: () => 'none', overrides });
  return { dataDir, db, keys, queue, sync, close: () => db.close() };
}

let modelId: string | undefined;
/** The built-in model's id (what a kiosk's envelopes name), read from its pinned manifest without loading weights. */
function builtInModelId(): string {
  modelId ??= openModelPackage(shippedDir('models')).modelId;
  return modelId;
}

/** A plausible face visit for patient number i (IIN digits carry i so the upstream can count people). */
export function syntheticVisit(i: number, visitId?: string): EnvelopeFields {
  const descriptor = Array.from({ length: 128 }, (_, k) => Math.round(Math.sin(i * 7.1 + k) * 1e6) / 1e7);
  return {
    method: 'face',
    iin: `99${String(i).padStart(10, '0')}`,
    face: { descriptor, modelId: builtInModelId(), presence: { challenge: 'off', frames: 10, durationMs: 800 } },
    ...(visitId ? { visitId } : {}),
  };
}

/** Fast settings for tests: short timeouts and backoff so faults cost little wall time. */
export const quickSettings: Partial<SyncSettings> = {
  batchSize: 50,
  requestTimeoutMs: 400,
  baseBackoffMs: 10,
  maxBackoffMs: 200,
  circuitThreshold: 5,
};
