import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getSodium, keyFingerprint } from '../../platform/crypto/index.js';
import { readUpstreamPublicKey } from './upstream-key.js';

/** Where removable media are mounted: Linux desktops (/media/USER/LABEL, /run/media/USER/LABEL), /mnt, Windows drives. */
export function removableMediaRoots(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'win32') return 'DEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((d) => `${d}:\\`);
  return ['/media', '/run/media', '/mnt'];
}

export interface FoundKeyFile {
  path: string;
  keyId: string;
  /** For IT to compare with the fingerprint the upstream published (issue 17 item 16). */
  fingerprint: string;
}

/**
 * Upstream public key files on mounted USB sticks, so IT can pick one instead of typing a path:
 * files of at most 64 KiB ending in .json, .txt or .pub, up to three folders deep, that read as an
 * upstream key. Links (to files or folders) are not followed: a stick cannot point the picker at
 * a file elsewhere (issue 17 item 16). Unreadable folders are skipped; at most `limit` results.
 */
export async function findUpstreamKeyFiles(roots: readonly string[], limit = 20): Promise<FoundKeyFile[]> {
  const found: FoundKeyFile[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    if (found.length >= limit) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      if (found.length >= limit || name.startsWith('.')) continue;
      const path = join(dir, name);
      let st: ReturnType<typeof lstatSync>;
      try {
        st = lstatSync(path);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (depth < 3) await visit(path, depth + 1);
      } else if (st.isFile() && st.size <= 64 * 1024 && /\.(json|txt|pub)$/i.test(name)) {
        const key = await readUpstreamPublicKey(path).catch(() => null);
        if (key) found.push({ path, keyId: key.keyId, fingerprint: keyFingerprint(await getSodium(), key.publicKey) });
      }
    }
  };
  for (const root of roots) if (existsSync(root)) await visit(root, 0);
  return found;
}
