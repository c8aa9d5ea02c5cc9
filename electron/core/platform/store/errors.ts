/**
 * Storage failures a person must hear about (the patient is sent to reception; staff and IT see
 * the error). Everything else SQLite throws is a bug and stays an ordinary error.
 */
export type StoreErrorKind = 'disk-full' | 'read-only' | 'corrupt' | 'busy' | 'io';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    readonly sqliteCode?: string,
  ) {
    super(message);
  }
}

const kindByCode: Array<[RegExp, StoreErrorKind, string]> = [
  [/^SQLITE_FULL/, 'disk-full', 'The disk is full: the kiosk cannot store new visits.'],
  [/^SQLITE_READONLY/, 'read-only', 'The database is read-only: the kiosk cannot store new visits.'],
  [/^SQLITE_(CORRUPT|NOTADB)/, 'corrupt', 'The database file is damaged.'],
  [/^SQLITE_(BUSY|LOCKED)/, 'busy', 'The database is busy (another process holds it).'],
  [/^SQLITE_(IOERR|CANTOPEN|PERM)/, 'io', 'The database cannot be read or written (I/O error).'],
];

/** Maps a better-sqlite3 error (or an fs error) to a typed StoreError; returns other errors unchanged. */
export function toStoreError(err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  for (const [re, kind, message] of kindByCode) if (re.test(code)) return new StoreError(kind, message, code);
  if (code === 'ENOSPC') return new StoreError('disk-full', kindByCode[0]![2], code);
  if (code === 'EROFS' || code === 'EACCES') return new StoreError('read-only', kindByCode[1]![2], code);
  return err;
}

/** Runs fn, turning storage failures into StoreError. */
export function guardStore<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toStoreError(err);
  }
}
