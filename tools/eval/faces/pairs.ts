/**
 * Labelled image pairs for 1:1 verification: read from a pairs file (`file_x,file_y,Decision`), or
 * built from an identities file, seeded, with genuine pairs (two images of one person) and impostor
 * pairs drawn from the same group and gender as the probe (the impostor a fraudster would pick) or
 * from anyone (official-LFW-style random pairs).
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { z } from 'zod';
import { csvLineError, readCsv } from '../../../electron/core/platform/csv/read.js';
import { csvText } from '../../../electron/core/platform/csv/write.js';
import type { IdentityRow } from './identities.js';

export interface LabelledPair {
  file_x: string;
  file_y: string;
  same: boolean;
  /** The group of the pair's first image (the probe); every figure per group uses it. */
  group: string;
}

export type ImpostorMode = 'same-group' | 'any';

const rowSchema = z.object({ file_x: z.string().min(1), file_y: z.string().min(1), Decision: z.enum(['Yes', 'No']) });
export type PairRow = z.infer<typeof rowSchema>;

/** Reads the pairs CSV (header file_x,file_y,Decision; Yes = same person); errors name the line. */
export function readPairs(path: string): PairRow[] {
  const records = readCsv(path, 'pairs');
  const header = records.shift()?.fields ?? [];
  if (header.join(',') !== 'file_x,file_y,Decision')
    throw new Error(`${path}: the first line must be "file_x,file_y,Decision", got "${header.join(',').slice(0, 60)}"`);
  return records.map(({ fields: [file_x, file_y, Decision, ...extra], line }) => {
    const parsed = rowSchema.safeParse({ file_x, file_y, Decision });
    if (!parsed.success || extra.length) throw csvLineError(path, line, 'expected "file_x,file_y,Yes|No"');
    return parsed.data;
  });
}

/** Top folder of a path ("." at the top): the grouping when no identities file is given. */
export const topFolder = (file: string): string => (file.includes('/') ? (file.split('/')[0] as string) : '.');

/**
 * Pairs of a pairs file with their group: the identities file's group of file_x when given (every
 * file must be listed there, so a typo cannot silently become "other"), else file_x's top folder.
 */
export function labelPairs(rows: PairRow[], identities?: IdentityRow[]): LabelledPair[] {
  const byFile = identities ? new Map(identities.map((r) => [r.file, r])) : null;
  if (byFile) {
    const missing = [...new Set(rows.flatMap((r) => [r.file_x, r.file_y]).filter((f) => !byFile.has(f)))];
    if (missing.length)
      throw new Error(
        `${missing.length} image(s) of the pairs file are not in the identities file, e.g. ${missing.slice(0, 3).join(', ')}`,
      );
  }
  return rows.map((r) => ({
    file_x: r.file_x,
    file_y: r.file_y,
    same: r.Decision === 'Yes',
    group: byFile ? (byFile.get(r.file_x) as IdentityRow).group : topFolder(r.file_x),
  }));
}

export interface MakePairsOptions {
  /** Genuine pairs and impostor pairs wanted per group (fewer when the group has fewer). */
  perGroup: number;
  seed: number;
  impostors: ImpostorMode;
}

interface Person {
  identity: string;
  group: string;
  gender: string | null;
  files: string[];
}

const pairKey = (a: string, b: string): string => (a < b ? `${a}\n${b}` : `${b}\n${a}`);

/**
 * Builds, for each group, up to `perGroup` genuine pairs and `perGroup` impostor pairs, no pair
 * twice and no image paired with itself. The same identities, options and seed give the same pairs.
 *
 * - Genuine: a person of the group drawn uniformly (among those with an unused pair of images left),
 *   then two of their images drawn uniformly.
 * - Impostor: a probe person of the group and one of their images, then another person with the
 *   same group and the same gender (`same-group`; an unknown gender matches only unknown) or anyone
 *   else in the set (`any`), and one of their images.
 */
export function makePairs(identities: IdentityRow[], options: MakePairsOptions): LabelledPair[] {
  const rng = xoroshiro128plus(options.seed);
  const pick = <T>(list: readonly T[]): T => list[uniformInt(rng, 0, list.length - 1)] as T;

  const people = new Map<string, Person>();
  for (const row of identities) {
    const person = people.get(row.identity);
    if (!person)
      people.set(row.identity, { identity: row.identity, group: row.group, gender: row.gender, files: [row.file] });
    else {
      if (person.group !== row.group || person.gender !== row.gender) {
        throw new Error(`identity ${row.identity} is labelled with two groups or genders (${row.file})`);
      }
      person.files.push(row.file);
    }
  }
  const everyone = [...people.values()];
  const groups = [...new Set(everyone.map((p) => p.group))].sort();
  const out: LabelledPair[] = [];

  for (const group of groups) {
    const members = everyone.filter((p) => p.group === group);

    // Genuine pairs: per person, the pairs of their images not used yet, consumed without replacement.
    const unused = new Map<Person, Array<[string, string]>>();
    for (const p of members) {
      if (p.files.length < 2) continue;
      const list: Array<[string, string]> = [];
      for (let i = 0; i < p.files.length; i++)
        for (let j = i + 1; j < p.files.length; j++) list.push([p.files[i] as string, p.files[j] as string]);
      unused.set(p, list);
    }
    let withPairs = [...unused.keys()];
    for (let n = 0; n < options.perGroup && withPairs.length; n++) {
      const person = pick(withPairs);
      const list = unused.get(person) as Array<[string, string]>;
      const k = uniformInt(rng, 0, list.length - 1);
      const [a, b] = list[k] as [string, string];
      list[k] = list[list.length - 1] as [string, string];
      list.pop();
      if (!list.length) withPairs = withPairs.filter((p) => p !== person);
      out.push({ file_x: a, file_y: b, same: true, group });
    }

    // Impostor pairs: rejection of repeats, with a bounded number of draws (a small group runs out).
    const rivals = new Map<Person, Person[]>();
    for (const p of members) {
      const pool =
        options.impostors === 'any'
          ? everyone.filter((q) => q !== p)
          : members.filter((q) => q !== p && q.gender === p.gender);
      if (pool.length) rivals.set(p, pool);
    }
    const probes = [...rivals.keys()];
    const used = new Set<string>();
    let made = 0;
    for (let draws = 0; made < options.perGroup && probes.length && draws < options.perGroup * 50; draws++) {
      const probe = pick(probes);
      const other = pick(rivals.get(probe) as Person[]);
      const a = pick(probe.files);
      const b = pick(other.files);
      const key = pairKey(a, b);
      if (used.has(key)) continue;
      used.add(key);
      out.push({ file_x: a, file_y: b, same: false, group });
      made++;
    }
  }
  return out;
}

/** The pairs as a pairs file (file_x,file_y,Decision), to keep or to re-run with `--pairs`. */
export function pairsCsv(pairs: readonly LabelledPair[]): string {
  return csvText([['file_x', 'file_y', 'Decision'], ...pairs.map((p) => [p.file_x, p.file_y, p.same ? 'Yes' : 'No'])]);
}
