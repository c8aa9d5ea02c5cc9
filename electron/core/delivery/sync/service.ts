import type { Database } from 'better-sqlite3';
import type { Handlers } from '../../../shared/api/define.js';
import type { KioskConfig } from '../../platform/config/schema.js';
import { toB64 } from '../../platform/crypto/index.js';
import { UserFacingError } from '../../../shared/api/define.js';
import type { DeviceIdentity, DeviceKeys, Provisioning } from '../keys/index.js';
import { exportBundle } from './export.js';
import type { syncContract, SyncStatus } from './contract.js';
import { createSyncEngine, type SyncEngine, type SyncProgress, type SyncSettings } from './engine.js';
import { DeliveryLock } from './delivery-lock.js';
import { Outbox } from './outbox.js';
import { syncHandlers } from './handlers.js';

export interface SyncServiceOptions {
  db: Database;
  keys: () => SyncKeys;
  config: KioskConfig;
  /** e.g. "wasm" or "tensorflow": what status reports for the face engine. */
  faceBackend: () => string;
  onProgress?: (p: SyncProgress) => void;
  fetch?: typeof fetch;
  /** Test and tool overrides of the configured settings. */
  overrides?: Partial<SyncSettings>;
}

/** Sync needs no secret: items were signed when they were queued. */
export interface SyncKeys {
  device: DeviceIdentity;
  provisioning: Provisioning;
}

export interface SyncService {
  outbox: Outbox;
  engine: SyncEngine;
  status(): SyncStatus;
  /** The visit queue reports storage failures here so IT sees them (status, IT screen). */
  noteStorageError(error: { kind: string; message: string }): void;
  handlers: Handlers<typeof syncContract>;
}

export function settingsFrom(config: KioskConfig, overrides: Partial<SyncSettings> = {}): SyncSettings {
  const s = config.sync;
  return {
    upstreamUrl: s.upstreamUrl,
    batchSize: s.batchSize,
    intervalMs: s.intervalMs,
    requestTimeoutMs: s.requestTimeoutMs,
    baseBackoffMs: s.baseBackoffMs,
    maxBackoffMs: s.maxBackoffMs,
    circuitThreshold: s.circuitThreshold,
    ...overrides,
  };
}

/** The sync part: the outbox reader, the engine and what IT sees of them. */
export function createSyncService(options: SyncServiceOptions): SyncService {
  const outbox = new Outbox(options.db);
  const settings = settingsFrom(options.config, options.overrides);
  let lastPrune = -Infinity;
  let storageError: SyncStatus['storageError'] = null;
  const engine = createSyncEngine({
    outbox,
    lock: new DeliveryLock(options.db, () => settings.requestTimeoutMs + 60_000),
    keys: options.keys,
    settings: () => settings,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    onProgress: (p) => {
      options.onProgress?.(p);
      // After a run, at most hourly: expired synced receipts and old log rows go (retention).
      if (!p.running && performance.now() - lastPrune > 3_600_000) {
        lastPrune = performance.now();
        outbox.prune(new Date(), options.config.receipts.retentionDays);
      }
    },
  });

  function status(): SyncStatus {
    const { device, provisioning } = options.keys();
    const counts = outbox.counts(provisioning.upstreamKeyId);
    const lastErrorRaw = outbox.state('last_error');
    let lastError: SyncStatus['lastError'] = null;
    try {
      lastError = lastErrorRaw ? (JSON.parse(lastErrorRaw) as SyncStatus['lastError']) : null;
    } catch {
      lastError = null;
    }
    const progress = engine.progress();
    return {
      development: provisioning.development,
      deviceId: device.deviceId,
      devicePublicKey: toB64(device.publicKey),
      clinicId: provisioning.clinicId,
      upstreamUrl: provisioning.upstreamUrl || settings.upstreamUrl,
      upstreamKeyId: provisioning.upstreamKeyId,
      keyProtection: device.protector,
      queueDepth: counts.pending,
      oldestPendingAt: counts.oldestPendingAt,
      oldestPendingAgeS: counts.oldestPendingAt
        ? Math.max(0, Math.round((Date.now() - Date.parse(counts.oldestPendingAt)) / 1000))
        : null,
      pendingUnderOldKeys: counts.pendingOldKeys,
      deadLetters: counts.dead,
      lastSuccessAt: outbox.state('last_success_at'),
      lastError,
      circuit: engine.circuit(),
      syncing: progress?.running ?? false,
      faceBackend: options.faceBackend(),
      storageError,
    };
  }

  const handlers = syncHandlers({
    engine,
    outbox,
    status,
    exportTo: async (path) => {
      // Inside the kiosk the device secret is at hand (unwrapped by safeStorage at start), which
      // kioskctl outside Electron cannot do: this is how a production kiosk exports.
      const device = options.keys().device;
      if (!hasSecret(device)) throw new UserFacingError('This process holds no device secret to sign the export.');
      const r = await exportBundle(options.db, device, path);
      return { file: path, ...r };
    },
  });

  return {
    outbox,
    engine,
    status,
    handlers,
    noteStorageError: (e) => {
      storageError = { at: new Date().toISOString(), kind: e.kind, message: e.message };
    },
  };
}

function hasSecret(device: DeviceIdentity): device is DeviceKeys {
  return 'secretKey' in device && (device as DeviceKeys).secretKey instanceof Uint8Array;
}
