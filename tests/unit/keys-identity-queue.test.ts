// Issue 17 item 3: a new device key, or a lost keys/ folder, must not turn queued visits into
// dead letters. Real reference upstream, real SQLite and libsodium.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  devUpstreamPublicKeyFile,
  plainFileProtector,
  provisionKiosk,
  ProvisionRefused,
} from '../../electron/core/delivery/keys/index.js';
import { Outbox } from '../../electron/core/delivery/sync/outbox.js';
import { register, startDevUpstream } from '../../upstream/harness.js';
import { openHeadlessKiosk, quickSettings, syntheticVisit } from '../../tools/harness/headless-kiosk.js';
import { useCleanups } from '../support/upstream.js';
import { outboxProvisioningFacts } from '../../electron/core/delivery/sync/outbox.js';
import { databaseFileName, openDatabase } from '../../electron/core/platform/store/index.js';
import { migrateOutbox } from '../../electron/core/delivery/visits/index.js';

const { cleanups, tempDir } = useCleanups();
const quiet = plainFileProtector(() => {});

async function kioskWithQueuedVisits() {
  const upstream = await startDevUpstream(tempDir('up'));
  cleanups.push(() => upstream.close());
  const dataDir = tempDir('kiosk');
  const provision = (extra: { newDeviceKey?: boolean } = {}) => {
    // What kioskctl provision and the IT screen read from the database before provisioning.
    const db = openDatabase(join(dataDir, databaseFileName));
    migrateOutbox(db);
    const facts = outboxProvisioningFacts(db);
    db.close();
    return Promise.resolve().then(async () =>
      provisionKiosk({
        dataDir,
        protector: quiet,
        upstreamUrl: upstream.url,
        upstreamKeyFile: devUpstreamPublicKeyFile(),
        clinicId: 'c1',
        allowDevelopmentUpstreamKey: true,
        strandedVisits: () => 0,
        ...facts,
        ...extra,
      }),
    );
  };
  await provision();
  const first = await openHeadlessKiosk(dataDir, { sync: { upstreamUrl: upstream.url } }, quickSettings);
  register(upstream, first);
  for (let i = 0; i < 3; i++) await first.queue.queueVisit(syntheticVisit(i)); // the upstream is down for the night
  first.close();
  return { upstream, dataDir, provision };
}

async function drainAll(dataDir: string, upstream: Awaited<ReturnType<typeof startDevUpstream>>) {
  const kiosk = await openHeadlessKiosk(dataDir, { sync: { upstreamUrl: upstream.url } }, quickSettings);
  register(upstream, kiosk); // IT registers the kiosk's (new) identity, as provisioning told them
  await kiosk.sync.engine.drain({ untilEmpty: true, deadlineMs: 20_000 });
  const counts = new Outbox(kiosk.db).counts(kiosk.keys.provisioning.upstreamKeyId);
  kiosk.close();
  return counts;
}

describe('issue 17 item 3: queued visits survive a new device key', () => {
  it('--new-device-key: the visits signed by the old key are delivered under the identity that signed them, none dead', async () => {
    const { upstream, dataDir, provision } = await kioskWithQueuedVisits();
    await provision({ newDeviceKey: true });
    expect(await drainAll(dataDir, upstream)).toMatchObject({ pending: 0, dead: 0 });
  }, 60_000);

  it('a lost keys/ folder: provisioning again is refused without an explicit new key (the database remembers), and then the queue still delivers', async () => {
    const { upstream, dataDir, provision } = await kioskWithQueuedVisits();
    rmSync(join(dataDir, 'keys'), { recursive: true, force: true });
    await expect(provision()).rejects.toThrow(ProvisionRefused);
    await expect(provision()).rejects.toMatchObject({ reason: 'device-key-missing' });
    await provision({ newDeviceKey: true });
    expect(await drainAll(dataDir, upstream)).toMatchObject({ pending: 0, dead: 0 });
  }, 60_000);
});
