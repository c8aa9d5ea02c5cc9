// Issue 17 item 13: the delivery lock does not rest on wall-clock time. A clock that jumps ahead
// must not let a second deliverer in while the first is alive; a pid reused by another process
// after a crash must not keep the lock.
import { describe, expect, it } from 'vitest';
import { DeliveryLock } from '../../electron/core/delivery/sync/delivery-lock.js';
import { openDatabase } from '../../electron/core/platform/store/index.js';
import { migrateOutbox } from '../../electron/core/delivery/visits/index.js';
import { useCleanups } from '../support/upstream.js';
import { join } from 'node:path';

const { tempDir } = useCleanups();

describe('issue 17 item 13: the delivery lock across a clock jump', () => {
  it('a second deliverer whose clock jumped a day ahead is refused while the holder lives', () => {
    const db = openDatabase(join(tempDir('lock'), 'kelu.db'));
    try {
      migrateOutbox(db);
      const first = new DeliveryLock(db, () => 60_000);
      const jumped = new DeliveryLock(
        db,
        () => 60_000,
        () => Date.now() + 86_400_000,
      );
      expect(first.tryAcquire()).toEqual({ ok: true });
      expect(jumped.tryAcquire()).toMatchObject({ ok: false, pid: process.pid });
      first.release();
      expect(jumped.tryAcquire()).toEqual({ ok: true });
    } finally {
      db.close();
    }
  });

  it('a lock left by a process whose pid now belongs to another process is taken over', () => {
    const db = openDatabase(join(tempDir('lock'), 'kelu.db'));
    try {
      migrateOutbox(db);
      // The row a crashed deliverer left: its pid is alive again, but it is another process (started at another time).
      db.prepare("INSERT INTO sync_state (key, value) VALUES ('delivery_lock', ?)").run(
        JSON.stringify({
          holder: `${process.pid}:gone`,
          pid: process.pid,
          until: Date.now() + 3_600_000,
          started: 'not-this-process',
        }),
      );
      expect(new DeliveryLock(db, () => 60_000).tryAcquire()).toEqual({ ok: true });
    } finally {
      db.close();
    }
  });
});
