// Issue 17 item 11: pages freed before secure_delete was turned on still held old blobs. The first
// open with secure_delete rebuilds the file once when its freelist is not empty.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/platform/store/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('issue 17 item 11: blobs freed before secure_delete', () => {
  it('are gone from the file after the first open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kelu-sd-'));
    dirs.push(dir);
    const file = join(dir, 'kelu.db');
    const marker = 'SEALED-BLOB-MARKER-';
    // An older kiosk: no secure_delete; 30 sealed blobs stored, then deleted once acknowledged.
    const old = new BetterSqlite3(file);
    old.pragma('secure_delete = OFF');
    old.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB)');
    for (let i = 0; i < 30; i++)
      old
        .prepare('INSERT INTO blobs (b) VALUES (?)')
        .run(Buffer.from((marker + String(i).padStart(3, '0')).repeat(200)));
    old.exec('DELETE FROM blobs');
    old.close();
    const count = () =>
      (
        readFileSync(file)
          .toString('latin1')
          .match(new RegExp(`${marker}\\d{3}`, 'g')) ?? []
      ).length;
    expect(count()).toBeGreaterThan(0);

    const db = openDatabase(file);
    db.close();
    const left = [
      ...new Set(
        readFileSync(file)
          .toString('latin1')
          .match(new RegExp(`${marker}\\d{3}`, 'g')) ?? [],
      ),
    ];
    expect(left).toEqual([]);
    for (const f of ['kelu.db-wal']) {
      try {
        expect(readFileSync(join(dir, f)).toString('latin1')).not.toContain(marker);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  });
});
