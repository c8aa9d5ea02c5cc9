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
  // Issue 17 item 1–2: which device key signed the row (a hint for verify, which checks the
  // signature itself), and kioskctl's rows waiting outside the chain until the kiosk imports and
  // signs them: no row enters the signed chain on the strength of its own content.
  `ALTER TABLE audit_log ADD COLUMN key_id TEXT;
   CREATE TABLE audit_pending (
     id INTEGER PRIMARY KEY,
     at TEXT NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     detail TEXT NOT NULL
   ) STRICT`,
];
