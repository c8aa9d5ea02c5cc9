import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  StoreError,
  checkIntegrity,
  defaultDataDir,
  guardStore,
  openDatabase,
  runMigrations,
} from '../../electron/core/platform/store/index.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kelu-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) {
    try {
      chmodSync(d, 0o755);
    } catch {
      /* already gone */
    }
    rmSync(d, { recursive: true, force: true });
  }
});

describe('store: opening the database', () => {
  it('uses WAL and synchronous=FULL and passes the integrity check', () => {
    const db = openDatabase(join(tempDir(), 'k.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(checkIntegrity(db).ok).toBe(true);
    db.close();
  });

  it('refuses a damaged file with a clear, typed error', () => {
    const file = join(tempDir(), 'k.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (x TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 500; i++) insert.run('x'.repeat(200));
    db.close();
    const bytes = readFileSync(file);
    bytes.fill(0x5a, 4096, bytes.length - 10); // scribble over every page after the first
    writeFileSync(file, bytes);
    let error: unknown;
    try {
      openDatabase(file).close();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).kind).toBe('corrupt');
  });

  it('reports a full disk as a typed error and keeps what was already committed', () => {
    const db = openDatabase(join(tempDir(), 'k.db'));
    db.exec('CREATE TABLE t (x TEXT)');
    db.prepare('INSERT INTO t VALUES (?)').run('kept');
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`); // the "disk" has two pages left
    const big = db.prepare('INSERT INTO t VALUES (?)');
    let error: unknown;
    try {
      guardStore(() =>
        db.transaction(() => {
          for (let i = 0; i < 100; i++) big.run('y'.repeat(4000));
        })(),
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).kind).toBe('disk-full');
    expect(db.prepare('SELECT x FROM t').all()).toEqual([{ x: 'kept' }]);
    db.close();
  });

  it('reports a read-only database as a typed error', () => {
    const dir = tempDir();
    const file = join(dir, 'k.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (x TEXT)');
    db.close();
    const ro = openDatabase(file, { readonly: true });
    let error: unknown;
    try {
      guardStore(() => ro.prepare('INSERT INTO t VALUES (?)').run('z'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).kind).toBe('read-only');
    ro.close();
  });
});

describe('store: migrations per domain', () => {
  it('applies each domain’s numbered migrations once, independently', () => {
    const file = join(tempDir(), 'k.db');
    let db = openDatabase(file);
    expect(runMigrations(db, 'staff', ['CREATE TABLE staff_a (id TEXT)'])).toBe(1);
    expect(runMigrations(db, 'outbox', ['CREATE TABLE ob_a (id TEXT)', 'ALTER TABLE ob_a ADD COLUMN y TEXT'])).toBe(2);
    db.close();
    db = openDatabase(file);
    // Re-running is a no-op; appending a new migration applies only it.
    runMigrations(db, 'staff', ['CREATE TABLE staff_a (id TEXT)', 'CREATE TABLE staff_b (id TEXT)']);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as Array<{ name: string }>
    ).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['staff_a', 'staff_b', 'ob_a']));
    const versions = db
      .prepare('SELECT domain, MAX(version) v FROM schema_migrations GROUP BY domain ORDER BY domain')
      .all();
    expect(versions).toEqual([
      { domain: 'outbox', v: 2 },
      { domain: 'staff', v: 2 },
    ]);
    db.close();
  });

  it('rolls back a failing migration and leaves the previous version in place', () => {
    const db = openDatabase(join(tempDir(), 'k.db'));
    runMigrations(db, 'x', ['CREATE TABLE x1 (id TEXT)']);
    expect(() =>
      runMigrations(db, 'x', ['CREATE TABLE x1 (id TEXT)', 'CREATE TABLE x2 (id TEXT); THIS IS NOT SQL']),
    ).toThrow();
    expect(db.prepare("SELECT count(*) c FROM sqlite_master WHERE name='x2'").get()).toEqual({ c: 0 });
    expect(db.prepare("SELECT MAX(version) v FROM schema_migrations WHERE domain='x'").get()).toEqual({ v: 1 });
    db.close();
  });

  it('refuses a database from a newer app', () => {
    const db = openDatabase(join(tempDir(), 'k.db'));
    runMigrations(db, 'y', ['CREATE TABLE y1 (id TEXT)', 'CREATE TABLE y2 (id TEXT)']);
    expect(() => runMigrations(db, 'y', ['CREATE TABLE y1 (id TEXT)'])).toThrow(/newer than this app/);
    db.close();
  });
});

describe('store: data folder', () => {
  it('follows the platform convention', () => {
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux')).toBe('/x/cfg/kelu');
    expect(defaultDataDir({}, 'linux')).toMatch(/\.config[\\/]kelu$/);
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toMatch(/Roaming[\\/]kelu$/);
  });
});

describe('store: the data folder is private (issue 11 item 7)', () => {
  const mode = (p: string) => statSync(p).mode & 0o777;

  it('creates the data folder 0700 and the database, WAL and SHM 0600 whatever the umask', () => {
    const dir = join(tempDir(), 'data');
    const old = process.umask(0o022);
    try {
      const db = openDatabase(join(dir, 'kelu.db'));
      db.exec('CREATE TABLE t (x TEXT)');
      db.prepare('INSERT INTO t VALUES (?)').run('secret');
      expect(mode(dir)).toBe(0o700);
      for (const f of ['kelu.db', 'kelu.db-wal', 'kelu.db-shm']) expect(mode(join(dir, f)), f).toBe(0o600);
      db.close();
    } finally {
      process.umask(old);
    }
  });

  it('checks at start: a folder and files left readable by others are tightened and reported', () => {
    const dir = tempDir();
    openDatabase(join(dir, 'kelu.db')).close();
    writeFileSync(join(dir, 'config.json'), '{}', { mode: 0o644 });
    chmodSync(join(dir, 'config.json'), 0o644);
    chmodSync(join(dir, 'kelu.db'), 0o644);
    chmodSync(dir, 0o755);
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => void lines.push(String(m)));
    try {
      openDatabase(join(dir, 'kelu.db')).close();
    } finally {
      spy.mockRestore();
    }
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'kelu.db'))).toBe(0o600);
    expect(mode(join(dir, 'config.json'))).toBe(0o600);
    expect(lines.join('\n')).toMatch(/kelu\.db was readable by other users \(mode 0644\); set to 0600/);
  });
});
