import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { fromB64, getSodium, keyId, toB64 } from '../crypto/index.js';
import { writeFileAtomic } from './files.js';
import type { SecretProtector } from './protector.js';

/** The kiosk's identity: an Ed25519 key pair; the upstream registers its public half. */
export interface DeviceKeys {
  deviceId: string;
  publicKey: Uint8Array;
  /** 64-byte Ed25519 secret; in memory only, wrapped at rest. */
  secretKey: Uint8Array;
  keyId: string;
  protector: SecretProtector['kind'];
}

const deviceFileSchema = z
  .object({
    v: z.literal(1),
    deviceId: z.string().min(1).max(128),
    publicKey: z.string(),
    protector: z.enum(['safe-storage', 'plain-file']),
    wrappedSecret: z.string(),
    createdAt: z.string(),
  })
  .strict();

export const deviceKeyFile = (dataDir: string): string => join(dataDir, 'keys', 'device.json');

/** The stored device file, validated; null when there is none (not provisioned yet). */
function readDeviceFile(file: string): z.infer<typeof deviceFileSchema> | null {
  if (!existsSync(file)) return null;
  try {
    return deviceFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    throw new Error(`The device key file ${file} is damaged; restore it from backup or re-provision the kiosk.`);
  }
}

export async function loadDeviceKeys(dataDir: string, protector: SecretProtector): Promise<DeviceKeys | null> {
  const file = deviceKeyFile(dataDir);
  const parsed = readDeviceFile(file);
  if (!parsed) return null;
  const sodium = await getSodium();
  if (parsed.protector !== protector.kind) {
    throw new Error(`The device key in ${file} was wrapped with ${parsed.protector}, but this process has ${protector.kind}; run the kiosk the same way it was provisioned.`);
  }
  const secretKey = protector.unprotect(fromB64(parsed.wrappedSecret));
  const publicKey = fromB64(parsed.publicKey);
  if (secretKey.length !== 64 || sodium.to_hex(sodium.crypto_sign_ed25519_sk_to_pk(secretKey)) !== sodium.to_hex(publicKey)) {
    throw new Error(`The device key in ${file} does not match its public key.`);
  }
  return { deviceId: parsed.deviceId, publicKey, secretKey, keyId: keyId(sodium, publicKey), protector: protector.kind };
}

/** Creates and stores a new device key pair (0600 file; the secret wrapped by the protector). */
export async function createDeviceKeys(dataDir: string, protector: SecretProtector, deviceId: string = `kiosk-${randomUUID()}`): Promise<DeviceKeys> {
  const sodium = await getSodium();
  const kp = sodium.crypto_sign_keypair();
  const file = deviceKeyFile(dataDir);
  writeFileAtomic(
    file,
    JSON.stringify({ v: 1, deviceId, publicKey: toB64(kp.publicKey), protector: protector.kind, wrappedSecret: toB64(protector.protect(kp.privateKey)), createdAt: new Date().toISOString() }, null, 2),
  );
  chmodSync(file, 0o600);
  return { deviceId, publicKey: kp.publicKey, secretKey: kp.privateKey, keyId: keyId(sodium, kp.publicKey), protector: protector.kind };
}

/** The device's public identity without unwrapping its secret (status and sync need no secret). */
export type DeviceIdentity = Omit<DeviceKeys, 'secretKey'>;

export async function readDeviceIdentity(dataDir: string): Promise<DeviceIdentity | null> {
  const file = deviceKeyFile(dataDir);
  const parsed = readDeviceFile(file);
  if (!parsed) return null;
  const sodium = await getSodium();
  const publicKey = fromB64(parsed.publicKey);
  return { deviceId: parsed.deviceId, publicKey, keyId: keyId(sodium, publicKey), protector: parsed.protector };
}

export async function loadOrCreateDeviceKeys(dataDir: string, protector: SecretProtector): Promise<DeviceKeys> {
  return (await loadDeviceKeys(dataDir, protector)) ?? (await createDeviceKeys(dataDir, protector));
}
