import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { batchPath, type BatchItem } from '../../electron/shared/protocol/batch.js';
import type { Upstream } from '../../upstream/app.js';
import { openHeadlessKiosk, type HeadlessKiosk } from '../../tools/harness/headless-kiosk.js';
import { register, startDevUpstream } from '../../upstream/harness.js';

/**
 * Per-test clean-up for the kiosk/upstream tests: call once at the top of a test file. Whatever is
 * pushed onto `cleanups` (an upstream, a kiosk, a temp folder) is undone after each test, last
 * first, so a kiosk closes before the folder under it is removed.
 */
export interface Cleanups {
  cleanups: Array<() => unknown>;
  tempDir: (name: string) => string;
}

export function useCleanups(): Cleanups {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  function tempDir(name: string): string {
    const d = mkdtempSync(join(tmpdir(), `kelu-${name}-`));
    cleanups.push(() => rmSync(d, { recursive: true, force: true }));
    return d;
  }
  return { cleanups, tempDir };
}

export interface UpstreamWithKiosk {
  upstream: Upstream;
  kiosk: HeadlessKiosk;
  /** The kiosk's newest outbox row, as its sync puts it in a batch. */
  newestItem(): BatchItem;
  /** POSTs a body (JSON) to the upstream's batch endpoint, as the kiosk's sync does. */
  post(body: unknown): Promise<Response>;
}

/**
 * The real reference upstream and a headless kiosk registered with it, both undone after the test.
 * With `syncing`, the kiosk's sync points at the upstream (`kiosk.sync.engine.drain()` delivers).
 */
export async function upstreamWithKiosk(
  { cleanups, tempDir }: Cleanups,
  options: { syncing?: boolean } = {},
): Promise<UpstreamWithKiosk> {
  const upstream = await startDevUpstream(tempDir('up'));
  cleanups.push(() => upstream.close());
  const kiosk = await openHeadlessKiosk(
    tempDir('kiosk'),
    options.syncing ? { sync: { upstreamUrl: upstream.url } } : {},
  );
  cleanups.push(() => kiosk.close());
  register(upstream, kiosk);
  return {
    upstream,
    kiosk,
    newestItem() {
      const row = kiosk.db
        .prepare('SELECT id, created_at, sealed, sig FROM outbox ORDER BY rowid DESC LIMIT 1')
        .get() as { id: string; created_at: string; sealed: Buffer; sig: Buffer };
      return {
        id: row.id,
        createdAt: row.created_at,
        sealed: row.sealed.toString('base64'),
        sig: row.sig.toString('base64'),
      };
    },
    post: (body) =>
      fetch(upstream.url + batchPath, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
  };
}
