/** The audit domain's numbered migrations (see store/migrations.ts); append, never edit. */
export const auditMigrations: readonly string[] = [
  `CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY,
     at TEXT NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     detail TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   ) STRICT`,
  // Issue 11 item 20: the device's Ed25519 signature of the row's hash (base64); NULL on rows
  // written by kioskctl, which holds no device secret on a safeStorage kiosk.
  `ALTER TABLE audit_log ADD COLUMN sig TEXT`,
];
