export { createSyncService, settingsFrom, type SyncService, type SyncServiceOptions } from './service.js';
export {
  createSyncEngine,
  type SyncEngine,
  type SyncProgress,
  type SyncSettings,
  type DrainOptions,
  type DeliveryOutcome,
} from './engine.js';
export { Outbox, type DeadLetter, type HistoryPoint } from './outbox.js';
export { syncContract, syncStatusSchema, syncProgressSchema, type SyncStatus } from './contract.js';
export * from '../../../shared/protocol/batch.js';
export { signBundle, openBundle, bundleSchema, type BundleBody, type BundleItem } from './bundle.js';
export type { SyncKeys } from './service.js';
export { exportBundle } from './export.js';
