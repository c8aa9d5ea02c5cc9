import { createHmac, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { LockoutState } from './lockout.js';

/**
 * The lockout state of every username typed at the sign-in — real accounts and names that are no
 * account alike — in one table, with one lifetime (issue 17 item 10). Kept in the database, so a
 * restart forgets nothing for either; keyed by an HMAC of the name (a key of this database), so a
 * password typed into the username field is not kept in clear. Bounded: past `capacity` names, the
 * oldest entries whose delay has run out are forgotten first, real or not; locked ones last.
 */
export class LoginThrottle {
  private key: Buffer | undefined;

  /** The tables come with the staff migrations (AccountStore runs them). */
  constructor(
    private readonly db: Database,
    private readonly capacity = 10_000,
  ) {}

  private hash(name: string): string {
    if (!this.key) {
      const row = this.db.prepare('SELECT key FROM login_throttle_key WHERE id = 1').get() as
        { key: Buffer } | undefined;
      if (row) this.key = row.key;
      else {
        this.db.prepare('INSERT OR IGNORE INTO login_throttle_key (id, key) VALUES (1, ?)').run(randomBytes(32));
        this.key = (this.db.prepare('SELECT key FROM login_throttle_key WHERE id = 1').get() as { key: Buffer }).key;
      }
    }
    return createHmac('sha256', this.key).update(name.trim().toLowerCase()).digest('hex');
  }

  get(name: string): LockoutState {
    const row = this.db
      .prepare('SELECT failures, locked_until AS lockedUntil FROM login_throttle WHERE name_hash = ?')
      .get(this.hash(name)) as LockoutState | undefined;
    return row ?? { failures: 0, lockedUntil: null };
  }

  set(name: string, state: LockoutState, now: number = Date.now()): void {
    this.db
      .prepare(
        'INSERT INTO login_throttle (name_hash, failures, locked_until, last_at) VALUES (?, ?, ?, ?) ON CONFLICT (name_hash) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, last_at = excluded.last_at',
      )
      .run(this.hash(name), state.failures, state.lockedUntil, now);
    const size = (this.db.prepare('SELECT count(*) AS c FROM login_throttle').get() as { c: number }).c;
    if (size > this.capacity) {
      // Oldest first, those no longer locked before those still locked.
      this.db
        .prepare(
          'DELETE FROM login_throttle WHERE name_hash IN (SELECT name_hash FROM login_throttle ORDER BY (locked_until IS NOT NULL AND locked_until > ?), last_at LIMIT ?)',
        )
        .run(now, size - this.capacity);
    }
  }

  reset(name: string): void {
    this.db.prepare('DELETE FROM login_throttle WHERE name_hash = ?').run(this.hash(name));
  }
}
