/** The staff domain's numbered migrations (see store/migrations.ts); append, never edit. */
export const staffMigrations: readonly string[] = [
  `CREATE TABLE staff_accounts (
     id TEXT PRIMARY KEY,
     username TEXT NOT NULL UNIQUE,
     display_name TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('reception', 'it', 'admin')),
     password_hash TEXT NOT NULL,
     totp_secret TEXT NOT NULL,
     totp_last_step INTEGER,
     failures INTEGER NOT NULL DEFAULT 0,
     locked_until INTEGER,
     disabled INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL
   ) STRICT`,
  // Issue 17 item 10: every typed username's lockout (real or not) in one store, keyed by an HMAC.
  `CREATE TABLE login_throttle (name_hash TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until INTEGER, last_at INTEGER NOT NULL) STRICT;
   CREATE INDEX login_throttle_last ON login_throttle (last_at);
   CREATE TABLE login_throttle_key (id INTEGER PRIMARY KEY CHECK (id = 1), key BLOB NOT NULL) STRICT;`,
];
