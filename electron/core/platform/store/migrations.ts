import type { Database } from 'better-sqlite3';
import { guardStore } from './errors.js';

/**
 * Numbered migrations per domain ("outbox", "staff", "audit"…): each part of core owns its list
 * and appends to it, never edits a shipped entry. Version N is the N-th SQL string (1-based).
 * Applied versions are recorded in schema_migrations(domain, version), each in the same
 * transaction as its SQL, so a crash mid-migration leaves the previous version intact.
 */
export function runMigrations(db: Database, domain: string, migrations: readonly string[]): number {
  if (!/^[a-z][a-z0-9_-]{0,63}$/.test(domain)) throw new Error(`Bad migration domain name: ${domain}`);
  return guardStore(() => {
    if (db.readonly) {
      // A read-only opener (kioskctl's read-only commands) changes nothing: the schema must be current.
      let current = 0;
      try {
        current = currentVersion(db, domain);
      } catch {
        current = 0;
      }
      if (current < migrations.length)
        throw new Error(
          `The database's "${domain}" schema is version ${current}, older than this app (${migrations.length}): start the kiosk once (or run a kioskctl command that writes) to update it.`,
        );
      return migrations.length;
    }
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      domain TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,
      PRIMARY KEY (domain, version)) STRICT`);
    const current = currentVersion(db, domain);
    if (current > migrations.length) {
      throw new Error(
        `The database's "${domain}" schema is version ${current}, newer than this app knows (${migrations.length}). Update the app.`,
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (domain, version, applied_at) VALUES (?, ?, ?)');
    for (let v = current + 1; v <= migrations.length; v++) {
      db.transaction(() => {
        db.exec(migrations[v - 1]!);
        record.run(domain, v, new Date().toISOString());
      }).immediate();
    }
    return migrations.length;
  });
}

export function currentVersion(db: Database, domain: string): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations WHERE domain = ?').get(domain) as
    { v: number | null } | undefined;
  return row?.v ?? 0;
}
