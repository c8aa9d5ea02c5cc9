import type { Database } from 'better-sqlite3';
import { getSodium, toB64 } from '../../platform/crypto/index.js';
import type { DeviceKeys } from '../keys/index.js';
import { dirname } from 'node:path';
import { UserFacingError } from '../../../shared/api/define.js';
import { writeNewFileAtomic } from '../keys/files.js';
import { checkExportTarget } from './export-target.js';
import { appFolders } from '../../platform/resources.js';
import { signBundle, type BundleItem } from './bundle.js';

/**
 * Writes every still-sealed visit (pending under any key, and dead letters) to a signed bundle for
 * transfer by hand. Nothing is deleted here: the visits stay queued until the upstream acknowledges
 * them, by sync (it answers "duplicate" for imported ones) — so a lost stick loses nothing.
 * The target must be a new file outside the data folder (the database's folder) and the app
 * (checkExportTarget); it is written 0600 and never replaces a file.
 */
export async function exportBundle(
  db: Database,
  device: DeviceKeys,
  outFile: string,
  now: Date = new Date(),
): Promise<{ items: number; pending: number; dead: number }> {
  const target = checkExportTarget(outFile, [dirname(db.name), ...appFolders()]);
  const sodium = await getSodium();
  const rows = db
    .prepare('SELECT id, created_at, sealed, sig, upstream_key_id, state FROM outbox ORDER BY seq')
    .all() as Array<{
    id: string;
    created_at: string;
    sealed: Buffer;
    sig: Buffer;
    upstream_key_id: string;
    state: 'pending' | 'dead';
  }>;
  const items: BundleItem[] = rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    sealed: r.sealed.toString('base64'),
    sig: r.sig.toString('base64'),
    upstreamKeyId: r.upstream_key_id,
    state: r.state,
  }));
  const text = signBundle(
    sodium,
    {
      v: 1,
      kind: 'kelu-visit-export',
      deviceId: device.deviceId,
      devicePublicKey: toB64(device.publicKey),
      createdAt: now.toISOString(),
      items,
    },
    device.secretKey,
  );
  try {
    writeNewFileAtomic(target, text, 0o600);
  } catch (err) {
    // Created by someone else between the check and the write: still never overwritten.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UserFacingError(`${outFile} already exists; choose a new file name.`, 'bad-input');
    throw err;
  }
  return {
    items: items.length,
    pending: items.filter((i) => i.state === 'pending').length,
    dead: items.filter((i) => i.state === 'dead').length,
  };
}
