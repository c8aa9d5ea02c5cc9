import { AuditLog } from '../../../electron/core/platform/audit/chain.js';
import { defaultConfig } from '../../../electron/core/platform/config/schema.js';
import { AccountStore } from '../../../electron/core/staff/accounts/accounts.js';
import { createStaffService, type StaffService } from '../../../electron/core/staff/accounts/service.js';
import type { Database } from '../../../electron/core/platform/store/index.js';
import { openKioskStorage } from '../../../electron/core/storage.js';

export interface LocalStaff {
  db: Database;
  audit: AuditLog;
  staff: StaffService;
  close(): void;
}

/**
 * The kiosk's database opened directly (WAL lets this run beside a running kiosk). Audit rows wait
 * outside the chain until the kiosk signs them (AuditLog.pending).
 */
export function openLocalStaff(dataDir: string, mode: 'read' | 'write' = 'write'): LocalStaff {
  const db = openKioskStorage(dataDir, mode);
  const audit = AuditLog.pending(db);
  const staff = createStaffService(new AccountStore(db), audit, defaultConfig.staff);
  return { db, audit, staff, close: () => db.close() };
}

/** Reads one line from the terminal without echoing it (a password), or from piped stdin. */
export async function readSecretLine(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return (await readPipedLines())[0] ?? '';
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

let piped: Promise<string[]> | undefined;
/** All of piped stdin, split into lines (read once, shared by every prompt). */
export function readPipedLines(): Promise<string[]> {
  piped ??= new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (c: string) => (text += c));
    process.stdin.on('end', () => resolve(text.split(/\r?\n/)));
    process.stdin.on('error', reject);
  });
  return piped;
}

/** A visible prompt for non-secret values on a terminal. */
export async function readLine(prompt: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(prompt)).trim();
  } finally {
    rl.close();
  }
}
