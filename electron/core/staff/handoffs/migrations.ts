/** The hand-off domain's numbered migrations (see store/migrations.ts); append, never edit. */
export const handoffMigrations: readonly string[] = [
  `CREATE TABLE handoffs (
     id TEXT PRIMARY KEY,
     created_at TEXT NOT NULL,
     masked_iin TEXT NOT NULL,
     iin_tag TEXT NOT NULL,
     reason TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'checked-in', 'left')),
     resolved_at TEXT,
     resolved_by TEXT,
     document_type TEXT,
     visit_id TEXT,
     ticket TEXT
   ) STRICT`,
  `CREATE INDEX handoffs_status ON handoffs (status, created_at)`,
  // Only waiting entries keep a tag (issue 11 item 6): clear those of entries resolved before.
  `UPDATE handoffs SET iin_tag = '' WHERE status != 'waiting'`,
  // "I need help": the patient screen it was pressed on; such an entry may have no IIN yet (masked_iin and iin_tag '').
  `ALTER TABLE handoffs ADD COLUMN screen TEXT`,
];
