/**
 * The one way CSV is written (the kiosk's report export, kioskctl's saved pairs and scores, the
 * recordings list): csv-stringify, RFC 4180 quoting (a field holding a comma, a quote or a line break
 * is quoted, quotes doubled). With `escapeFormulas`, a text field starting with = + - @ or a tab is
 * prefixed with ' so a spreadsheet shows it instead of running it (for files people open in one).
 */
import { stringify } from 'csv-stringify/sync';

export interface CsvWriteOptions {
  /** Line ending: '\n' (the default) or '\r\n' (what spreadsheets expect). */
  eol?: '\n' | '\r\n';
  escapeFormulas?: boolean;
}

/** Rows (the header first, if any) as CSV text, each row ended by `eol`. */
export function csvText(rows: ReadonlyArray<ReadonlyArray<string | number>>, options: CsvWriteOptions = {}): string {
  return stringify(
    rows.map((r) => [...r]),
    {
      record_delimiter: options.eol ?? '\n',
      // csv-stringify quotes a field holding the record delimiter; a lone \r or \n is quoted too.
      quoted_match: /[\r\n]/,
      escape_formulas: options.escapeFormulas === true,
    },
  );
}
