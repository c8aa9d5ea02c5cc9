import BetterSqlite3, { type Database } from 'better-sqlite3';
import { basename, dirname } from 'node:path';
import { StoreError, toStoreError } from './errors.js';
import { createPrivateFile, reportPermissionFixes, secureDataFolder } from './permissions.js';

export interface OpenOptions {
  /** Milliseconds a writer waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  readonly?: boolean;
  /** Skip the integrity check (only for throwaway benchmarks). */
  skipIntegrityCheck?: boolean;
}

/**
 * Opens (creating if needed) the kiosk's SQLite database: WAL so readers never block the writer,
 * synchronous=FULL so a committed visit survives power loss, foreign keys on, a busy timeout, and
 * `PRAGMA integrity_check` before anything else touches it. A damaged file stops the start with a
 * clear StoreError('corrupt') rather than letting the kiosk queue visits into it. Its folder is
 * made private first (secureDataFolder): the database holds password hashes, TOTP secrets and the
 * audit chain.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database {
  let db: Database;
  try {
    if (file !== ':memory:' && !options.readonly) {
      // The folder 0700 and every file in it 0600, checked (and tightened) at every open; the
      // database is created 0600 so its WAL and SHM are too.
      reportPermissionFixes(secureDataFolder(dirname(file), basename(file)));
      createPrivateFile(file);
    }
    db = new BetterSqlite3(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (err) {
    throw toStoreError(err);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      // Deleted rows (acknowledged sealed blobs, expired receipts) are overwritten with zeros, not
      // left in free pages; the outbox truncates the WAL after deleting (Outbox.checkpoint).
      db.pragma('secure_delete = ON');
      rebuildOnceAfterSecureDelete(db);
    }
    db.pragma('foreign_keys = ON');
    if (!options.skipIntegrityCheck) {
      const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
      const problems = rows.map((r) => r.integrity_check).filter((m) => m !== 'ok');
      if (problems.length > 0) {
        throw new StoreError(
          'corrupt',
          `The database ${file} failed its integrity check: ${problems.slice(0, 3).join('; ')}`,
        );
      }
    }
    return db;
  } catch (err) {
    db.close();
    throw toStoreError(err);
  }
}

/** `PRAGMA integrity_check` as one boolean plus the first problems, for status and tests. */
export function checkIntegrity(db: Database): { ok: boolean; problems: string[] } {
  const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
  const problems = rows.map((r) => r.integrity_check).filter((m) => m !== 'ok');
  return { ok: problems.length === 0, problems: problems.slice(0, 10) };
}

/**
 * secure_delete zeroes what is deleted from now on, not pages freed before it was on (an older
 * kiosk's acknowledged blobs sit in the freelist). Once per database, when the freelist is not
 * empty, VACUUM rewrites the file without them and the WAL is truncated (issue 17 item 11).
 */
function rebuildOnceAfterSecureDelete(db: Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT');
  if (db.prepare("SELECT 1 FROM store_meta WHERE key = 'secure-delete-rebuilt'").get()) return;
  if ((db.pragma('freelist_count', { simple: true }) as number) > 0) {
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
  }
  db.prepare("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('secure-delete-rebuilt', ?)").run(
    new Date().toISOString(),
  );
}
