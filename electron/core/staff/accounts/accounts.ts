import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { roles, type Role } from '../../../shared/api/define.js';
import { runMigrations } from '../../platform/store/index.js';
import type { LockoutState } from './lockout.js';
import { staffMigrations } from './migrations.js';

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z][a-z0-9._-]{1,31}$/,
    'A username is 2–32 letters, digits, dots, dashes or underscores, starting with a letter',
  );
export const displayNameSchema = z.string().trim().min(1).max(80);
export const roleSchema = z.enum(roles);

export interface StaffAccount {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  totpSecret: string;
  totpLastStep: number | null;
  failures: number;
  lockedUntil: number | null;
  disabled: boolean;
  createdAt: string;
}

interface Row {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  totp_secret: string;
  totp_last_step: number | null;
  failures: number;
  locked_until: number | null;
  disabled: number;
  created_at: string;
}

const fromRow = (r: Row): StaffAccount => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  passwordHash: r.password_hash,
  totpSecret: r.totp_secret,
  totpLastStep: r.totp_last_step,
  failures: r.failures,
  lockedUntil: r.locked_until,
  disabled: r.disabled === 1,
  createdAt: r.created_at,
});

/** Staff accounts in SQLite: one row per person, never a shared login. */
export class AccountStore {
  constructor(private readonly db: Database) {
    runMigrations(db, 'staff', staffMigrations);
  }
  /** The database the accounts live in (the login throttle keeps its table beside them). */
  get database(): Database {
    return this.db;
  }

  create(input: {
    username: string;
    displayName: string;
    role: Role;
    passwordHash: string;
    totpSecret: string;
  }): StaffAccount {
    const id = `st_${randomBytes(6).toString('hex')}`;
    try {
      this.db
        .prepare(
          'INSERT INTO staff_accounts (id, username, display_name, role, password_hash, totp_secret, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          id,
          input.username,
          input.displayName,
          input.role,
          input.passwordHash,
          input.totpSecret,
          new Date().toISOString(),
        );
    } catch (err) {
      if (err instanceof Error && /UNIQUE/.test(err.message)) throw new DuplicateUsernameError(input.username);
      throw err;
    }
    return this.byId(id)!;
  }

  byUsername(username: string): StaffAccount | undefined {
    const row = this.db.prepare('SELECT * FROM staff_accounts WHERE username = ?').get(username) as Row | undefined;
    return row && fromRow(row);
  }

  byId(id: string): StaffAccount | undefined {
    const row = this.db.prepare('SELECT * FROM staff_accounts WHERE id = ?').get(id) as Row | undefined;
    return row && fromRow(row);
  }

  all(): StaffAccount[] {
    return (this.db.prepare('SELECT * FROM staff_accounts ORDER BY username').all() as Row[]).map(fromRow);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM staff_accounts').get() as { n: number }).n;
  }

  activeAdmins(): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM staff_accounts WHERE role = 'admin' AND disabled = 0").get() as {
        n: number;
      }
    ).n;
  }

  setLockout(id: string, state: LockoutState): void {
    this.db
      .prepare('UPDATE staff_accounts SET failures = ?, locked_until = ? WHERE id = ?')
      .run(state.failures, state.lockedUntil, id);
  }

  setTotpLastStep(id: string, step: number): void {
    this.db.prepare('UPDATE staff_accounts SET totp_last_step = ? WHERE id = ?').run(step, id);
  }

  setRole(id: string, role: Role): void {
    this.db.prepare('UPDATE staff_accounts SET role = ? WHERE id = ?').run(role, id);
  }

  setDisabled(id: string, disabled: boolean): void {
    this.db.prepare('UPDATE staff_accounts SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, id);
  }

  setPassword(id: string, passwordHash: string): void {
    this.db.prepare('UPDATE staff_accounts SET password_hash = ? WHERE id = ?').run(passwordHash, id);
  }

  setTotpSecret(id: string, secret: string): void {
    this.db.prepare('UPDATE staff_accounts SET totp_secret = ?, totp_last_step = NULL WHERE id = ?').run(secret, id);
  }
}

export class DuplicateUsernameError extends Error {
  constructor(readonly username: string) {
    super(`The username "${username}" is taken`);
  }
}
