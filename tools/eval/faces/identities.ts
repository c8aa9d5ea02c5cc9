/**
 * The identities file of a labelled face set: `file,identity[,group][,gender]` (LFW's
 * `identities.csv`, or clinic IT's own). An empty group is "other" (not labelled); an empty gender
 * is unknown. Read with csv-parse, every row validated, errors name the line.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';

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

/** Reads CSV text as string records (quoted fields, BOM and CRLF handled as spreadsheets write them). */
export function readCsvRecords(path: string, what: string): string[][] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`cannot read the ${what} file ${path}`);
  }
  try {
    return parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (err) {
    throw new Error(`${path}: not a valid CSV file (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Reads and validates an identities file; a file listed twice is an error (it would be two people). */
export function readIdentities(path: string): IdentityRow[] {
  const records = readCsvRecords(path, 'identities');
  const header = records.shift() ?? [];
  const width = header.length;
  if (width < 2 || width > 4 || header.some((h, i) => h !== COLUMNS[i])) {
    throw new Error(
      `${path}: the first line must be "file,identity[,group][,gender]", got "${header.join(',').slice(0, 60)}"`,
    );
  }
  const seen = new Map<string, number>();
  return records.map((record, i) => {
    const line = i + 2;
    if (record.length > width) throw new Error(`${path} line ${line}: more columns than the header (${width})`);
    const parsed = rowSchema.safeParse(Object.fromEntries(record.map((v, c) => [COLUMNS[c], v])));
    if (!parsed.success)
      throw new Error(`${path} line ${line}: expected "${header.join(',')}" with a file and an identity`);
    const { file, identity, group, gender } = parsed.data;
    const first = seen.get(file);
    if (first !== undefined) throw new Error(`${path} line ${line}: ${file} is already listed on line ${first}`);
    seen.set(file, line);
    return { file, identity, group: group || UNLABELLED_GROUP, gender: gender || null };
  });
}
