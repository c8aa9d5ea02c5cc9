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
];
