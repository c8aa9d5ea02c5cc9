import type { Database } from 'better-sqlite3';
import { runMigrations } from '../../platform/store/index.js';

/**
 * The outbox domain's tables. Append new migrations; never edit a shipped one.
 * - outbox: one row per sealed visit (the kiosk cannot open `sealed`); deleted once the upstream
 *   acknowledged it; `state = 'dead'` keeps a rejected one, with its reason, for IT to see and export.
 * - receipts: what the kiosk may show later (ticket, IIN masked to its last four digits, method,
 *   sync status and verdict); expire after `receipts.retentionDays`.
 * - sync_log: one row per delivery attempt, for the IT chart (queue depth, throughput).
 */
export const outboxMigrations: readonly string[] = [
  `CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL,
     device_id TEXT NOT NULL,
     upstream_key_id TEXT NOT NULL,
     sealed BLOB NOT NULL,
     sig BLOB NOT NULL,
     state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
     attempts INTEGER NOT NULL DEFAULT 0,
     dead_reason TEXT,
     dead_at TEXT
   ) STRICT;
   CREATE INDEX outbox_state_seq ON outbox (state, seq);
   CREATE TABLE receipts (
     visit_id TEXT PRIMARY KEY,
     ticket TEXT NOT NULL,
     masked_iin TEXT NOT NULL,
     method TEXT NOT NULL,
     created_at TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'synced', 'dead')),
     verdict TEXT,
     synced_at TEXT
   ) STRICT;
   CREATE INDEX receipts_created ON receipts (created_at);
   CREATE TABLE ticket_counter (day TEXT PRIMARY KEY, last INTEGER NOT NULL) STRICT;
   CREATE TABLE sync_log (
     id INTEGER PRIMARY KEY,
     at TEXT NOT NULL,
     kind TEXT NOT NULL,
     sent INTEGER NOT NULL DEFAULT 0,
     accepted INTEGER NOT NULL DEFAULT 0,
     duplicate INTEGER NOT NULL DEFAULT 0,
     rejected INTEGER NOT NULL DEFAULT 0,
     queue_depth INTEGER NOT NULL,
     ms INTEGER NOT NULL DEFAULT 0,
     detail TEXT
   ) STRICT;
   CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;`,
  // 2: status counts (pending by key, dead, oldest) read an index instead of every 3 KB row.
  `CREATE INDEX outbox_state_key_created ON outbox (state, upstream_key_id, created_at);`,
  // 3 (issue 17 item 3): the device key that signed the row; with device_id, the identity it is sent under.
  `ALTER TABLE outbox ADD COLUMN device_key_id TEXT;`,
];

export function migrateOutbox(db: Database): void {
  runMigrations(db, 'outbox', outboxMigrations);
}
