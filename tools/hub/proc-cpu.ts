/** CPU seconds from /proc (Linux), for the hub's load and step benchmarks. */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used so far; NaN once it has ended. */
export function procCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds of every PostgreSQL process (pid → seconds). */
export function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const seconds = procCpuSeconds(Number(d));
      if (Number.isFinite(seconds)) out.set(Number(d), seconds);
    } catch {
      /* ended meanwhile */
    }
  }
  return out;
}

/** CPU seconds the whole machine has spent busy (user, nice, system, irq, softirq, steal). */
export function machineCpuSeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / 100;
}
