import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { FaceEngine } from '../electron/core/face/types.js';
import { parse } from 'csv-parse/sync';
import { loadImageFrame } from '../electron/core/face/image-file.js';

/**
 * `--enroll CSV`: rows `iin,image[,egov_code]` (a header line is allowed). The image, relative to
 * the CSV, gives the person's reference descriptor, computed with the kiosk's own face engine on a
 * 640×480 letterboxed frame like the kiosk's camera frames, and stored with the engine's model id; the
 * optional code goes to the eGov table.
 */
const rowSchema = z.object({
  iin: z.string().regex(/^\d{12}$/, 'the IIN has 12 digits'),
  image: z.string().max(1000),
  code: z.string().regex(/^(\d{6})?$/, 'the eGov code has 6 digits').or(z.string().min(7).max(512)),
});

export interface EnrolResult {
  faces: number;
  codes: number;
}

export async function enrolFromCsv(db: Database, csvFile: string, engine: () => Promise<Pick<FaceEngine, 'describe' | 'status'>>): Promise<EnrolResult> {
  let records: string[][];
  try {
    records = parse(readFileSync(csvFile, 'utf8'), { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (err) {
    throw new Error(`${csvFile}: not a valid CSV file (${err instanceof Error ? err.message : String(err)})`);
  }
  const result: EnrolResult = { faces: 0, codes: 0 };
  const putRef = db.prepare(
    'INSERT INTO face_references (iin, descriptor, image, model_id) VALUES (?, ?, ?, ?) ON CONFLICT (iin) DO UPDATE SET descriptor = excluded.descriptor, image = excluded.image, model_id = excluded.model_id',
  );
  const putCode = db.prepare('INSERT OR IGNORE INTO egov_codes (iin, code) VALUES (?, ?)');
  for (const [n, [iin = '', image = '', code = '']] of records.entries()) {
    if (n === 0 && iin.toLowerCase() === 'iin') continue;
    const row = rowSchema.safeParse({ iin, image, code });
    if (!row.success) throw new Error(`${csvFile} line ${n + 1}: ${row.error.issues[0]?.message}`);
    if (row.data.image) {
      const path = isAbsolute(row.data.image) ? row.data.image : join(dirname(csvFile), row.data.image);
      const frame = await loadImageFrame(path, { contain: { width: 640, height: 480 } });
      const e = await engine();
      const described = await e.describe(frame);
      // The reference names the model that made it: only descriptors of that model are compared with it.
      putRef.run(row.data.iin, JSON.stringify(described.descriptor), row.data.image, (await e.status()).modelId);
      result.faces++;
    }
    if (row.data.code) {
      putCode.run(row.data.iin, row.data.code);
      result.codes++;
    }
  }
  return result;
}
