import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv, readCsv } from '../../electron/core/platform/csv/read.js';
import { csvText } from '../../electron/core/platform/csv/write.js';

const temp = mkdtempSync(join(tmpdir(), 'kelu-csv-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('CSV, read and written in one place', () => {
  it('reads what a spreadsheet writes (BOM, CRLF, quoted commas, blank lines) with each row’s line', () => {
    const rows = parseCsv(
      '\ufefffile,label\r\n"clinic, room 2/a.mp4", bona-fide\r\n\r\nb.mp4,attack:print\r\n',
      'x.csv',
    );
    expect(rows).toEqual([
      { fields: ['file', 'label'], line: 1 },
      { fields: ['clinic, room 2/a.mp4', 'bona-fide'], line: 2 },
      { fields: ['b.mp4', 'attack:print'], line: 4 },
    ]);
  });

  it('names the file, and the line, of a file it cannot read', () => {
    const bad = join(temp, 'bad.csv');
    writeFileSync(bad, 'a,b\nc,"d\ne,f\n');
    expect(() => readCsv(bad)).toThrow(/bad\.csv: not a valid CSV file \(.*line 3/);
    expect(() => readCsv(join(temp, 'absent.csv'), 'pairs')).toThrow(/cannot read the pairs file .*absent\.csv/);
  });

  it('writes RFC 4180 fields that read back the same, and defuses spreadsheet formulas on request', () => {
    const rows = [
      ['file', 'note'],
      ['a,b.png', 'said "yes"'],
      ['two\nlines', '-3'],
    ];
    const text = csvText(rows);
    expect(text).toBe('file,note\n"a,b.png","said ""yes"""\n"two\nlines",-3\n');
    expect(parseCsv(text, 'x').map((r) => r.fields)).toEqual(rows);
    expect(csvText([['=SUM(A1)', 7, -1]], { eol: '\r\n', escapeFormulas: true })).toBe("'=SUM(A1),7,-1\r\n");
  });
});
