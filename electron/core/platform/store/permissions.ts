import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
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

/**
 * Creates the data folder 0700 (and its missing parents) and checks, at every start, that neither
 * it nor any file directly in it (database, WAL, SHM, keys, provisioning) can be read by another
 * user: anything looser is tightened and returned so the caller can say so. Sub-folders keep their
 * own rules (they are created 0700 by whoever makes them). No-op on Windows, whose ACLs on the
 * per-user profile folder do this job.
 */
export function secureDataFolder(dir: string): PermissionFix[] {
  mkdirSync(dir, { recursive: true, mode: dataFolderMode });
  if (!posix()) return [];
  const fixes: PermissionFix[] = [];
  const tighten = (path: string, mode: number, want: number) => {
    if ((mode & 0o777 & ~want) === 0) return;
    chmodSync(path, want);
    fixes.push({ path, was: octal(mode), now: octal(want) });
  };
  tighten(dir, lstatSync(dir).mode, dataFolderMode);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // Regular files only: a symlink is not followed (its target is not ours to change).
    if (!entry.isFile()) continue;
    const path = join(dir, entry.name);
    tighten(path, lstatSync(path).mode, dataFileMode);
  }
  return fixes;
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
  for (const f of fixes) console.error(`[store] ${f.path} was readable by other users (mode ${f.was}); set to ${f.now}`);
}
