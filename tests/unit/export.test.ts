import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devUpstreamKeyPairFile, loadDeviceKeys, plainFileProtector } from '../../electron/core/delivery/keys/index.js';
import { exportBundle } from '../../electron/core/delivery/sync/index.js';
import { importBundle } from '../../upstream/app.js';
import { register, startDevUpstream } from '../../upstream/harness.js';
import { openHeadlessKiosk, quickSettings, syntheticVisit } from '../../tools/harness/headless-kiosk.js';
import { useCleanups } from '../support/upstream.js';
import { projectRoot } from '../../tools/harness/fixtures.js';

const { cleanups, tempDir } = useCleanups();

async function setup(visits: number) {
  const upDir = tempDir('up');
  const upstream = await startDevUpstream(upDir);
  cleanups.push(() => upstream.close());
  const kiosk = await openHeadlessKiosk(tempDir('kiosk'), { sync: { upstreamUrl: upstream.url } }, quickSettings);
  cleanups.push(() => kiosk.close());
  register(upstream, kiosk);
  for (let i = 0; i < visits; i++) await kiosk.queue.queueVisit(syntheticVisit(i));
  const device = (await loadDeviceKeys(
    kiosk.dataDir,
    plainFileProtector(() => {}),
  ))!;
  const file = join(tempDir('usb'), 'visits.kelu');
  return { upstream, upDir, kiosk, device, file };
}
const visitsAt = (up: { db: { prepare(s: string): { get(): unknown } } }) =>
  (up.db.prepare('SELECT count(*) AS c FROM visits').get() as { c: number }).c;

describe('export and import: moving the queue by hand', () => {
  it('imports every visit once; importing the same bundle again counts nothing twice; a later sync only finds duplicates', async () => {
    const { upstream, upDir, kiosk, device, file } = await setup(25);
    expect(await exportBundle(kiosk.db, device, file)).toEqual({ items: 25, pending: 25, dead: 0 });
    // The bundle holds sealed bytes only.
    expect(readFileSync(file, 'utf8')).not.toContain('990000000001');

    expect(await importBundle(upDir, devUpstreamKeyPairFile(), file)).toEqual({
      items: 25,
      accepted: 25,
      duplicate: 0,
      rejected: 0,
    });
    expect(await importBundle(upDir, devUpstreamKeyPairFile(), file)).toEqual({
      items: 25,
      accepted: 0,
      duplicate: 25,
      rejected: 0,
    });
    expect(visitsAt(upstream)).toBe(25);

    // The kiosk still holds them until the upstream acknowledges them over sync.
    expect(kiosk.sync.status().queueDepth).toBe(25);
    const r = await kiosk.sync.engine.drain();
    expect(r, r.lastError ?? '').toMatchObject({ outcome: 'empty', accepted: 0, duplicate: 25 });
    expect(visitsAt(upstream)).toBe(25);
  });

  it('refuses a tampered bundle whole: a changed item, a removed item, or a forged device', async () => {
    const { upstream, upDir, kiosk, device, file } = await setup(5);
    await exportBundle(kiosk.db, device, file);
    const text = readFileSync(file, 'utf8');
    const json = JSON.parse(text) as { body: { items: Array<{ sealed: string }>; deviceId: string }; sig: string };

    const changed = structuredClone(json);
    const s = changed.body.items[2]!.sealed;
    changed.body.items[2]!.sealed = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const removed = structuredClone(json);
    removed.body.items.splice(1, 1);
    const forged = structuredClone(json);
    forged.body.deviceId = 'kiosk-someone-else';

    for (const [name, bundle] of [
      ['changed', changed],
      ['removed', removed],
      ['forged', forged],
    ] as const) {
      const f = join(tempDir('usb'), `${name}.kelu`);
      writeFileSync(f, JSON.stringify(bundle));
      await expect(importBundle(upDir, devUpstreamKeyPairFile(), f), name).rejects.toThrow(
        /refused.*Nothing was imported/,
      );
    }
    expect(visitsAt(upstream)).toBe(0);
    // The untouched bundle still imports.
    expect((await importBundle(upDir, devUpstreamKeyPairFile(), file)).accepted).toBe(5);
  });
});

describe('export from inside the kiosk (the IT screen; works with a safeStorage-wrapped key)', () => {
  it('writes a bundle the upstream imports, and never overwrites a file', async () => {
    const { upstream, upDir, kiosk, file } = await setup(4);
    const ctx = { transport: 'test' as const };
    const r = await kiosk.sync.handlers['sync.export']({ path: file }, ctx);
    expect(r).toEqual({ file, items: 4, pending: 4, dead: 0 });
    await expect(Promise.resolve(kiosk.sync.handlers['sync.export']({ path: file }, ctx))).rejects.toThrow(
      /already exists/,
    );
    await expect(
      Promise.resolve(kiosk.sync.handlers['sync.export']({ path: join(file, 'no-such-folder', 'x.kelu') }, ctx)),
    ).rejects.toThrow(/does not exist/);
    expect((await importBundle(upDir, devUpstreamKeyPairFile(), file)).accepted).toBe(4);
    expect(visitsAt(upstream)).toBe(4);
  });
});

describe('export never writes over the kiosk itself (issue 11 item 17)', () => {
  it('refuses a path inside the data folder or the app, through a symlink too, and never replaces a file', async () => {
    const { kiosk, device, file } = await setup(2);
    const ctx = { transport: 'test' as const };
    const configFile = join(kiosk.dataDir, 'config.json');
    const dbBefore = readFileSync(join(kiosk.dataDir, 'kelu.db'));
    for (const target of [
      configFile,
      join(kiosk.dataDir, 'kelu.db'),
      join(kiosk.dataDir, 'new-name.kelu'),
      join(projectRoot, 'visits.kelu'),
      join(projectRoot, 'package.json'),
    ]) {
      await expect(Promise.resolve(kiosk.sync.handlers['sync.export']({ path: target }, ctx)), target).rejects.toThrow(
        /inside the kiosk's own folder|already exists/,
      );
    }
    expect(existsSync(configFile)).toBe(false);
    expect(existsSync(join(projectRoot, 'visits.kelu'))).toBe(false);
    expect(readFileSync(join(kiosk.dataDir, 'kelu.db')).equals(dbBefore)).toBe(true);
    // A folder on the "stick" that is really a link into the data folder.
    const link = join(tempDir('usb'), 'looks-like-usb');
    symlinkSync(kiosk.dataDir, link);
    await expect(
      Promise.resolve(kiosk.sync.handlers['sync.export']({ path: join(link, 'config.json') }, ctx)),
    ).rejects.toThrow(/inside the kiosk's own folder/);
    expect(existsSync(configFile)).toBe(false);
    // kioskctl's export goes through the same check.
    await expect(exportBundle(kiosk.db, device, join(kiosk.dataDir, 'x.kelu'))).rejects.toThrow(
      /inside the kiosk's own folder/,
    );
    // An existing file elsewhere is never replaced.
    writeFileSync(file, 'precious');
    await expect(exportBundle(kiosk.db, device, file)).rejects.toThrow(/already exists/);
    expect(readFileSync(file, 'utf8')).toBe('precious');
  });
});
