import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Modes of the kiosk's data: the folder is the user's alone, and so is every file in it. */
export const dataFolderMode = 0o700;
export const dataFileMode = 0o600;

export interface PermissionFix {
  path: string;
  /** The mode it had, e.g. "0644". */
  was: string;
  now: string;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;
const posix = () => process.platform !== 'win32';

/** Files of the kiosk's own directly in its data folder (besides the database and its WAL/SHM/journal). */
export const kioskFolderFiles = ['config.json', 'audit-head.json', 'handoff-iin.key'] as const;
/** Entries a kiosk's data folder may hold; anything else in a folder without a database means it is not one. */
export const kioskFolderEntries = [...kioskFolderFiles, 'keys', 'chromium', 'voice', 'exports'] as const;

/** Thrown when a folder is not the kiosk's to change (another user's, or someone's other files). */
export class DataFolderRefused extends Error {
  override readonly name = 'DataFolderRefused';
}

/**
 * Creates the data folder 0700 (and its missing parents) and checks, at every start, that neither
 * it nor the kiosk's own files directly in it (the database and its WAL/SHM, config, audit head) can
 * be read by another user. Only group/other bits are removed (issue 17 item 7: an owner's execute
 * bit is not ours to strip), only the kiosk's files are touched (never someone else's file that
 * happens to be in the folder), and a folder that belongs to another user is refused. Each change is
 * returned so the caller can say so. No-op on Windows, whose ACLs on the per-user profile folder do
 * this job.
 */
export function secureDataFolder(dir: string, databaseName = 'kelu.db'): PermissionFix[] {
  mkdirSync(dir, { recursive: true, mode: dataFolderMode });
  if (!posix()) return [];
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new DataFolderRefused(`${dir} is not a folder.`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new DataFolderRefused(
      `${dir} belongs to another user (uid ${st.uid}); run as that user, or pass the kiosk's own --data-dir.`,
    );
  const fixes: PermissionFix[] = [];
  const tighten = (path: string, mode: number) => {
    if ((mode & 0o077) === 0) return;
    const want = mode & 0o777 & ~0o077;
    chmodSync(path, want);
    fixes.push({ path, was: octal(mode), now: octal(want) });
  };
  tighten(dir, st.mode);
  const ours = new Set<string>([
    databaseName,
    `${databaseName}-wal`,
    `${databaseName}-shm`,
    `${databaseName}-journal`,
    ...kioskFolderFiles,
  ]);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // The kiosk's regular files only: a symlink is not followed (its target is not ours to change).
    if (!entry.isFile() || !ours.has(entry.name)) continue;
    const path = join(dir, entry.name);
    tighten(path, lstatSync(path).mode);
  }
  return fixes;
}

/**
 * kioskctl's check before it opens a data folder (issue 17 item 7): a folder without the kiosk's
 * database that holds anything else is someone else's (a typo in --data-dir): refused, untouched.
 * Read-only commands need the database to exist.
 */
export function checkKioskDataFolder(dir: string, databaseName: string, mode: 'read' | 'write'): void {
  if (existsSync(join(dir, databaseName))) return;
  if (mode === 'read')
    throw new DataFolderRefused(
      `No kiosk database in ${dir} (${databaseName}); pass the kiosk's --data-dir. Nothing was created or changed.`,
    );
  if (!existsSync(dir)) return;
  const known = new Set<string>(kioskFolderEntries);
  const other = readdirSync(dir).filter((n) => !known.has(n));
  if (other.length > 0) {
    throw new DataFolderRefused(
      `${dir} holds other files (${other.slice(0, 3).join(', ')}${other.length > 3 ? ', …' : ''}) and no kiosk database: it is not a kiosk's data folder. Nothing was created or changed.`,
    );
  }
}

/**
 * Creates `file` empty with mode 0600 if it does not exist yet, whatever the process umask. SQLite
 * gives a database's WAL and SHM files the mode of the database file, so this one creation decides
 * all three.
 */
export function createPrivateFile(file: string): void {
  closeSync(openSync(file, 'a', dataFileMode));
}

/** Says on stderr what was tightened (IT reads it in the kiosk's log and in kioskctl's output). */
export function reportPermissionFixes(fixes: PermissionFix[]): void {
  for (const f of fixes)
    console.error(`[store] ${f.path} was readable by other users (mode ${f.was}); set to ${f.now}`);
}
