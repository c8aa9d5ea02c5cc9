/**
 * The one way CSV is read (kioskctl's evaluations, the upstream's and the hub's enrolment): csv-parse
 * with one set of options, so quoted fields, a BOM and CRLF are read as spreadsheets write them.
 * Each row keeps its line number, and every error names the file and the line.
 */
import { readFileSync } from 'node:fs';
import { parse, type Info } from 'csv-parse/sync';

export interface CsvRow {
  /** The fields, trimmed; a short row has fewer (columns are not forced to one count). */
  fields: string[];
  /** The line of the file the row ends on (1-based; blank lines are counted, then skipped). */
  line: number;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Parses CSV text; `source` (a file name) heads any error. */
export function parseCsv(text: string, source: string): CsvRow[] {
  try {
    const records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as Array<{ record: string[]; info: Pick<Info, 'lines'> }>;
    return records.map(({ record, info }) => ({ fields: record, line: info.lines }));
  } catch (err) {
    throw new Error(`${source}: not a valid CSV file (${message(err)})`);
  }
}

/**
 * Reads a CSV file. `what` names the file in the error when it cannot be read ("the pairs file");
 * without it the system's own reason is given.
 */
export function readCsv(path: string, what?: string): CsvRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(what ? `cannot read the ${what} file ${path}` : `cannot read ${path} (${message(err)})`);
  }
  return parseCsv(text, path);
}

/** An error about one row: `FILE line N: what is wrong`. */
export const csvLineError = (source: string, line: number, problem: string): Error =>
  new Error(`${source} line ${line}: ${problem}`);
