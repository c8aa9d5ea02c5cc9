import { isIP } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fromB64 } from '../../platform/crypto/index.js';
import { writeFileAtomic } from './files.js';
import { isDevelopmentUpstreamKey } from './dev-upstream.js';

/** Where this kiosk sends visits and the upstream key it pins; previous ones are kept for audit. */
const entrySchema = z
  .object({
    clinicId: z.string().min(1).max(64),
    upstreamUrl: z.string(),
    upstreamPublicKey: z.string(),
    upstreamKeyId: z.string(),
    deviceKeyId: z.string(),
    /** The device key's public half (issue 17: the kiosk's audit verify trusts the keys it was provisioned with). */
    devicePublicKey: z.string().optional(),
    development: z.boolean(),
    provisionedAt: z.string(),
  })
  .strict();

const fileSchema = z
  .object({ v: z.literal(1), current: entrySchema, previous: z.array(entrySchema).default([]) })
  .strict();

export type ProvisioningEntry = z.infer<typeof entrySchema>;

export interface Provisioning extends ProvisioningEntry {
  upstreamPublicKeyBytes: Uint8Array;
  previous: ProvisioningEntry[];
}

export const provisioningFile = (dataDir: string): string => join(dataDir, 'keys', 'provisioning.json');

export function readProvisioning(dataDir: string): Provisioning | null {
  const file = provisioningFile(dataDir);
  if (!existsSync(file)) return null;
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    throw new Error(`The provisioning file ${file} is damaged; run "kioskctl provision" again.`);
  }
  const upstreamPublicKeyBytes = fromB64(parsed.current.upstreamPublicKey);
  // Pinned to the development upstream key: development, whatever the file says (an older kioskctl
  // wrote such kiosks as real). Status, sync and the kiosk's readiness all read it from here.
  const development = parsed.current.development || isDevelopmentUpstreamKey(upstreamPublicKeyBytes);
  return { ...parsed.current, development, upstreamPublicKeyBytes, previous: parsed.previous };
}

/** Pins a new upstream; the one it replaces is kept in `previous`. */
export function writeProvisioning(dataDir: string, entry: ProvisioningEntry): Provisioning {
  const before = readProvisioning(dataDir);
  const previous = before ? [...before.previous, stripBytes(before)].slice(-20) : [];
  writeFileAtomic(provisioningFile(dataDir), JSON.stringify({ v: 1, current: entry, previous }, null, 2));
  return { ...entry, upstreamPublicKeyBytes: fromB64(entry.upstreamPublicKey), previous };
}

function stripBytes(p: Provisioning): ProvisioningEntry {
  const { upstreamPublicKeyBytes: _b, previous: _p, ...entry } = p;
  return entry;
}

/**
 * True only for a loopback host as the URL parser reads it: an IPv4 address in 127.0.0.0/8, the
 * IPv6 address ::1, or the name `localhost`. The WHATWG parser has already normalised the host
 * (`127.1` → `127.0.0.1`, upper case → lower case), so a name that merely starts with `127.`
 * (`127.evil.example`) is a name, resolved by DNS, and not loopback.
 */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return isIP(hostname) === 4 && hostname.split('.')[0] === '127';
}

/**
 * HTTPS is required, except to loopback (a local reference upstream or tests). The one check of an
 * upstream URL: provisioning, the configuration's `sync.upstreamUrl` and every delivery run use it.
 */
export function checkUpstreamUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`"${url.slice(0, 200)}" is not a URL`);
  }
  const loopback = isLoopbackHost(u.hostname);
  if (u.protocol === 'https:' || (u.protocol === 'http:' && loopback)) return u.toString().replace(/\/$/, '');
  throw new Error(`The upstream must use HTTPS (plain HTTP is allowed only to loopback): ${u.protocol}//${u.host}`);
}
