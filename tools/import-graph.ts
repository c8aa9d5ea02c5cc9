// Reads the project's own imports (relative specifiers, as written) and prints its layering faults:
// file cycles, and imports that run back up a level between the rooms of a folder (a room is a
// direct sub-folder or a top-level file). `npm run check:layers` runs it over electron/core and
// fails on any fault; `--edges` prints the room-to-room import counts.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { z } from 'zod';
import { parseOptionsOrExit } from '../electron/core/platform/cli-options.js';

const SOURCE = /\.(ts|tsx|mts|mjs)$/;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(js|mjs|ts|tsx)$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.mjs`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

export function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => resolveImport(file, f.fileName)).filter((f): f is string => f !== undefined);
}

function roomOf(root: string, file: string): string {
  const rel = relative(root, file).split(sep);
  return rel.length === 1 ? rel[0]! : `${rel[0]}/`;
}

/** Strongly connected components with more than one member (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

export interface LayerReport {
  files: number;
  fileCycles: string[][];
  /** Rooms that import each other, directly or around a loop: each loop holds an import back up. */
  roomCycles: string[][];
  edges: Map<string, Map<string, number>>;
}

/** Every folder below `root` is checked the same way: its rooms must form no loop. */
export function checkLayers(root: string): LayerReport {
  const files = listFiles(root);
  const fileGraph = new Map<string, Set<string>>();
  for (const f of files) fileGraph.set(f, new Set(importsOf(f).filter((t) => t.startsWith(root + sep))));
  const roomCycles: string[][] = [];
  const edges = new Map<string, Map<string, number>>();
  const folders = new Set(files.map((f) => dirname(f)).flatMap((d) => ancestors(root, d)));
  for (const folder of folders) {
    const rooms = new Map<string, Set<string>>();
    for (const [f, targets] of fileGraph) {
      if (!f.startsWith(folder + sep)) continue;
      const from = roomOf(folder, f);
      const set = rooms.get(from) ?? new Set<string>();
      rooms.set(from, set);
      for (const t of targets) {
        if (!t.startsWith(folder + sep)) continue;
        const to = roomOf(folder, t);
        if (to === from) continue;
        set.add(to);
        if (folder === root) {
          const row = edges.get(from) ?? new Map<string, number>();
          row.set(to, (row.get(to) ?? 0) + 1);
          edges.set(from, row);
        }
      }
    }
    const where = relative(process.cwd(), folder) || '.';
    for (const c of cycles(rooms)) roomCycles.push(c.map((r) => `${where}/${r}`));
  }
  const rel = (c: string[]): string[] => c.map((f) => relative(process.cwd(), f));
  return { files: files.length, fileCycles: cycles(fileGraph).map(rel), roomCycles, edges };
}

function ancestors(root: string, dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; d.startsWith(root); d = dirname(d)) {
    out.push(d);
    if (d === root) break;
  }
  return out;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const { values, positionals: roots } = parseOptionsOrExit(
    'check:layers',
    process.argv.slice(2),
    z.object({ edges: z.boolean().default(false) }),
    {
      positionals: true,
    },
  );
  const showEdges = values.edges;
  let faults = 0;
  for (const r of roots.length ? roots : ['electron/core']) {
    const report = checkLayers(resolve(r));
    console.log(
      `${r}: ${report.files} files, ${report.fileCycles.length} file cycles, ${report.roomCycles.length} room loops`,
    );
    for (const c of report.fileCycles) console.log(`  file cycle: ${c.join(' → ')}`);
    for (const c of report.roomCycles) console.log(`  rooms import each other: ${c.join(' ⇄ ')}`);
    if (showEdges)
      for (const [from, row] of [...report.edges].sort())
        console.log(`  ${from} → ${[...row].map(([t, n]) => `${t}(${n})`).join(' ')}`);
    faults += report.fileCycles.length + report.roomCycles.length;
  }
  process.exit(faults ? 1 : 0);
}
