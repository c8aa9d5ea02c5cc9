/**
 * Per-thread CPU of this Node process (Linux /proc), to tell the face worker's share from the rest:
 * the worker thread runs the whole analysis (tfjs wasm and onnxruntime both run on the calling
 * thread), the main thread runs core's handlers and, in the browser host, Playwright and the
 * patient simulator's host side. Threads have no names here ("node"), so the face worker is found
 * as the thread, other than the main one, that used the most CPU while frames were judged.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU ms (user + system) of each live thread of this process, by thread id. */
export function threadCpuMs(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const text = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** CPU ms of this process's main thread (its task whose id is the pid). */
export const mainThreadCpuMs = (): number => threadCpuMs().get(process.pid) ?? 0;

/** The thread (not the main one) that used the most CPU between two snapshots, and how much. */
export function busiestWorker(before: Map<number, number>, after: Map<number, number>): { tid: number; ms: number } {
  let best = { tid: -1, ms: 0 };
  for (const [tid, ms] of after) {
    if (tid === process.pid) continue;
    const d = ms - (before.get(tid) ?? 0);
    if (d > best.ms) best = { tid, ms: d };
  }
  return best;
}
