/**
 * Crash test: `npm run chaos -- --visits N --kills K --seed S [--json]`.
 * A child kiosk process creates visits and syncs them to the reference upstream while this process
 * kills it with SIGKILL at random moments, K times; a last child finishes the work. Then it counts:
 * delivered (visits at the upstream), lost (queued visits that never arrived), duplicates (a visit
 * counted twice upstream), and the kiosk database's integrity check.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { z } from 'zod';
import { parseOptionsOrExit } from '../../electron/core/platform/cli-options.js';
import { checkIntegrity, databaseFileName, openDatabase } from '../../electron/core/platform/store/index.js';
import { chaosVisitId } from './child.js';
import { mulberry32 } from '../../upstream/faults.js';
import { register, startDevUpstream } from '../../upstream/harness.js';
import { openHeadlessKiosk } from '../harness/headless-kiosk.js';

const projectRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export interface ChaosResult {
  visits: number;
  kills: number;
  delivered: number;
  lost: number;
  duplicates: number;
  integrity: string;
}

export interface ChaosOptions {
  visits: number;
  kills: number;
  seed: number;
  /** Longest wait after the child is ready before the kill. */
  maxKillDelayMs?: number;
  log?: (line: string) => void;
}

/** The child is bundled once (esbuild) so each restart costs ~0.1 s instead of a TypeScript compile. */
async function bundleChild(): Promise<string> {
  const dir = join(projectRoot, '.tmp');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `chaos-child-${process.pid}.mjs`);
  await build({
    entryPoints: [join(projectRoot, 'tools/chaos/child.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', 'libsodium-wrappers-sumo', 'sharp', '@tensorflow/*', '@vladmandic/*', 'zxing-wasm'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  });
  return out;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? (() => {});
  const root = mkdtempSync(join(tmpdir(), 'kelu-chaos-'));
  const kioskDir = join(root, 'kiosk');
  const upstream = await startDevUpstream(join(root, 'upstream'));
  const child = await bundleChild();
  try {
    const setup = await openHeadlessKiosk(kioskDir);
    register(upstream, setup);
    setup.close();
    const random = mulberry32(options.seed);
    const maxDelay = options.maxKillDelayMs ?? 150;
    const args = [
      child,
      '--chaos-child',
      '--data-dir',
      kioskDir,
      '--upstream',
      upstream.url,
      '--visits',
      String(options.visits),
      '--seed',
      String(options.seed),
    ];

    let kills = 0;
    let idleRuns = 0;
    while (kills < options.kills) {
      const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const lines = createInterface({ input: proc.stdout! });
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      const ready = await new Promise<'ready' | 'done' | 'exit'>((r) => {
        lines.on('line', (l) => r(l.startsWith('done') ? 'done' : 'ready'));
        void exited.then(() => r('exit'));
      });
      if (ready === 'exit') throw new Error('the chaos child failed to start');
      await new Promise((r) => setTimeout(r, Math.floor(random() * maxDelay)));
      const finished = proc.exitCode !== null;
      proc.kill('SIGKILL');
      await exited;
      if (finished) {
        // The work was done before this kill: it does not count; start again (kills then land on start-up).
        if (++idleRuns > options.kills * 5) throw new Error('the chaos child keeps finishing before the kill');
        continue;
      }
      kills++;
      if (kills % 25 === 0) log(`chaos: ${kills}/${options.kills} kills`);
    }
    // The last run, never killed, finishes queueing and drains the outbox.
    const final = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const code = await new Promise<number | null>((r) => final.once('exit', r));
    if (code !== 0) throw new Error(`the final chaos run exited with ${code}`);

    const db = openDatabase(join(kioskDir, databaseFileName));
    const integrity = checkIntegrity(db).ok ? 'ok' : 'failed';
    db.close();
    const ids = new Set(Array.from({ length: options.visits }, (_, i) => chaosVisitId(options.seed, i)));
    const rows = upstream.db.prepare('SELECT id, iin FROM visits').all() as Array<{ id: string; iin: string }>;
    const delivered = rows.filter((r) => ids.has(r.id)).length;
    const acceptedTwice = (
      upstream.db
        .prepare(
          "SELECT count(*) AS c FROM (SELECT visit_id FROM receipts_log WHERE status = 'accepted' GROUP BY visit_id HAVING count(*) > 1)",
        )
        .get() as { c: number }
    ).c;
    const sameVisitTwice = rows.length - new Set(rows.map((r) => r.iin)).size;
    return {
      visits: options.visits,
      kills,
      delivered,
      lost: options.visits - delivered,
      duplicates: acceptedTwice + sameVisitTwice,
      integrity,
    };
  } finally {
    await upstream.close();
    rmSync(child, { force: true });
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const a = parseOptionsOrExit(
    'chaos',
    process.argv.slice(2),
    z.object({
      visits: z.coerce.number().int().min(1).max(1_000_000).default(1000),
      kills: z.coerce.number().int().min(0).max(100_000).default(200),
      seed: z.coerce.number().int().default(1),
      json: z.boolean().default(false),
    }),
  ).values;
  const result = await runChaos({ ...a, log: (l) => process.stderr.write(`${l}\n`) });
  if (a.json) console.log(JSON.stringify(result));
  else
    console.log(
      `visits ${result.visits}, kills ${result.kills}, delivered ${result.delivered}, lost ${result.lost}, duplicates ${result.duplicates}, integrity ${result.integrity}`,
    );
  process.exitCode = result.lost === 0 && result.duplicates === 0 && result.integrity === 'ok' ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`chaos: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
