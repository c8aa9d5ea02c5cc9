import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { guardStore } from '../../platform/store/index.js';

const holderSchema = z.object({
  holder: z.string(),
  pid: z.number().int(),
  until: z.number(),
  started: z.string().nullable().optional(),
});
type Holder = z.infer<typeof holderSchema>;

export type LockAnswer = { ok: true } | { ok: false; pid: number };

/**
 * One delivery at a time per kiosk database, across processes: the kiosk's own loop, `kioskctl
 * sync`, a second window. The lock is a row in sync_state, taken in an IMMEDIATE transaction
 * before a batch is read and released after its answer is applied, so two processes never hold the
 * same pending rows in flight at once (exactly-once then does not rest on the upstream alone).
 *
 * A holder that died leaves the row behind: it counts only while its process is alive — the same
 * process, not merely the same pid: the row names the process's start (boot id and start time
 * from /proc on Linux), so a pid reused after a crash does not hold the lock. No wall-clock lease
 * decides anything (issue 17 item 13: a clock that jumped ahead let a second deliverer in while
 * the first was still sending). Where the start time cannot be read (Windows, macOS) the pid
 * alone answers; `until` is kept only for rows written by older versions.
 */
export class DeliveryLock {
  readonly holder = `${process.pid}:${randomUUID()}`;
  private readonly read;
  private readonly write;
  private readonly remove;

  constructor(
    private readonly db: Database,
    private readonly leaseMs: () => number,
    private readonly now: () => number = Date.now,
  ) {
    this.read = db.prepare("SELECT value FROM sync_state WHERE key = 'delivery_lock'");
    this.write = db.prepare(
      "INSERT INTO sync_state (key, value) VALUES ('delivery_lock', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    this.remove = db.prepare(
      "DELETE FROM sync_state WHERE key = 'delivery_lock' AND json_extract(value, '$.holder') = ?",
    );
  }

  tryAcquire(): LockAnswer {
    return guardStore(() =>
      this.db
        .transaction((): LockAnswer => {
          const current = this.current();
          const t = this.now();
          if (current && current.holder !== this.holder && holds(current, t)) return { ok: false, pid: current.pid };
          this.write.run(
            JSON.stringify({
              holder: this.holder,
              pid: process.pid,
              until: t + this.leaseMs(),
              started: processStart(process.pid),
            } satisfies Holder),
          );
          return { ok: true };
        })
        .immediate(),
    );
  }

  release(): void {
    guardStore(() => this.remove.run(this.holder));
  }

  private current(): Holder | undefined {
    const row = this.read.get() as { value: string } | undefined;
    if (!row) return undefined;
    try {
      const parsed = holderSchema.safeParse(JSON.parse(row.value));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Whether the process that wrote the row still runs (see the class comment). */
function holds(h: Holder, now: number): boolean {
  if (h.started === undefined) return now < h.until && isAlive(h.pid); // a row of an older version
  if (!isAlive(h.pid)) return false;
  const started = processStart(h.pid);
  return h.started === null || started === null || started === h.started;
}

let bootId: string | null | undefined;
/** The process's start as `<boot id>:<start time in clock ticks>` (Linux /proc), or null where unknown. */
export function processStart(pid: number): string | null {
  try {
    bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    return start && bootId ? `${bootId}:${start}` : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
