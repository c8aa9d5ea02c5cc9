import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { guardStore } from '../../platform/store/index.js';

const holderSchema = z.object({ holder: z.string(), pid: z.number().int(), until: z.number() });
type Holder = z.infer<typeof holderSchema>;

export type LockAnswer = { ok: true } | { ok: false; pid: number };

/**
 * One delivery at a time per kiosk database, across processes: the kiosk's own loop, `kioskctl
 * sync`, a second window. The lock is a row in sync_state, taken in an IMMEDIATE transaction
 * before a batch is read and released after its answer is applied, so two processes never hold the
 * same pending rows in flight at once (exactly-once then does not rest on the upstream alone).
 *
 * A holder that died leaves the row behind: it counts only while its process is alive (same
 * machine, so a pid check answers) and its lease has not run out. The lease is wall-clock time
 * because it is shared between processes; it only matters when a pid has been reused.
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
    this.write = db.prepare("INSERT INTO sync_state (key, value) VALUES ('delivery_lock', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    this.remove = db.prepare("DELETE FROM sync_state WHERE key = 'delivery_lock' AND json_extract(value, '$.holder') = ?");
  }

  tryAcquire(): LockAnswer {
    return guardStore(() =>
      this.db.transaction((): LockAnswer => {
        const current = this.current();
        const t = this.now();
        if (current && current.holder !== this.holder && t < current.until && isAlive(current.pid)) return { ok: false, pid: current.pid };
        this.write.run(JSON.stringify({ holder: this.holder, pid: process.pid, until: t + this.leaseMs() } satisfies Holder));
        return { ok: true };
      }).immediate(),
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

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
