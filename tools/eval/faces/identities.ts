/**
 * The identities file of a labelled face set: `file,identity[,group][,gender]` (LFW's
 * `identities.csv`, or clinic IT's own). An empty group is "other" (not labelled); an empty gender
 * is unknown. Read with the one CSV reader (platform/csv), every row validated, errors name the line.
 */
import { z } from 'zod';
import { csvLineError, readCsv } from '../../../electron/core/platform/csv/read.js';

/** The group of rows whose group column is empty. */
export const UNLABELLED_GROUP = 'other';

export interface IdentityRow {
  file: string;
  identity: string;
  group: string;
  /** `M`, `F` or any label the file uses; null when not given. */
  gender: string | null;
}

const COLUMNS = ['file', 'identity', 'group', 'gender'] as const;
const rowSchema = z.object({
  file: z.string().min(1),
  identity: z.string().min(1),
  group: z.string().default(''),
  gender: z.string().default(''),
});

/** Reads and validates an identities file; a file listed twice is an error (it would be two people). */
export function readIdentities(path: string): IdentityRow[] {
  const records = readCsv(path, 'identities');
  const header = records.shift()?.fields ?? [];
  const width = header.length;
  if (width < 2 || width > 4 || header.some((h, i) => h !== COLUMNS[i])) {
    throw new Error(
      `${path}: the first line must be "file,identity[,group][,gender]", got "${header.join(',').slice(0, 60)}"`,
    );
  }
  const seen = new Map<string, number>();
  return records.map(({ fields: record, line }) => {
    if (record.length > width) throw csvLineError(path, line, `more columns than the header (${width})`);
    const parsed = rowSchema.safeParse(Object.fromEntries(record.map((v, c) => [COLUMNS[c], v])));
    if (!parsed.success) throw csvLineError(path, line, `expected "${header.join(',')}" with a file and an identity`);
    const { file, identity, group, gender } = parsed.data;
    const first = seen.get(file);
    if (first !== undefined) throw csvLineError(path, line, `${file} is already listed on line ${first}`);
    seen.set(file, line);
    return { file, identity, group: group || UNLABELLED_GROUP, gender: gender || null };
  });
}
