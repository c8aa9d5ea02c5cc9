import { join } from 'node:path';
import { openDatabase, runMigrations, type Database } from '../electron/core/platform/store/index.js';

/** The reference upstream's own SQLite: registered devices, received visits, enrolled references. */
const migrations = [
  `CREATE TABLE devices (device_id TEXT PRIMARY KEY, public_key BLOB NOT NULL, registered_at TEXT NOT NULL) STRICT;
   CREATE TABLE visits (
     id TEXT PRIMARY KEY,
     device_id TEXT NOT NULL,
     clinic_id TEXT NOT NULL,
     method TEXT NOT NULL,
     iin TEXT NOT NULL,
     created_at TEXT NOT NULL,
     received_at TEXT NOT NULL,
     verdict TEXT NOT NULL,
     distance REAL,
     source TEXT NOT NULL
   ) STRICT;
   CREATE TABLE receipts_log (id INTEGER PRIMARY KEY, visit_id TEXT NOT NULL, status TEXT NOT NULL, at TEXT NOT NULL) STRICT;
   CREATE TABLE face_references (iin TEXT PRIMARY KEY, descriptor TEXT NOT NULL, image TEXT NOT NULL) STRICT;
   CREATE TABLE egov_codes (iin TEXT NOT NULL, code TEXT NOT NULL, PRIMARY KEY (iin, code)) STRICT;`,
  // The clinic a device is registered to (issue 11 item 21); NULL: bound by its first visit.
  `ALTER TABLE devices ADD COLUMN clinic_id TEXT;`,
  // A reference is a descriptor of one model (the model id an envelope names); '' = made before this was recorded.
  `ALTER TABLE face_references ADD COLUMN model_id TEXT NOT NULL DEFAULT '';`,
  // How many photos the reference is the mean of (a template of several needs its own threshold).
  `ALTER TABLE face_references ADD COLUMN photos INTEGER NOT NULL DEFAULT 1;`,
];

export function openUpstreamDb(dataDir: string): Database {
  const db = openDatabase(join(dataDir, 'upstream.db'));
  runMigrations(db, 'upstream', migrations);
  return db;
}
