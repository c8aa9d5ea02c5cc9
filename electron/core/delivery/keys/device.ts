import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { fromB64, getSodium, keyId, toB64 } from '../../platform/crypto/index.js';
import { writeFileAtomic } from './files.js';
import type { SecretProtector } from '../../platform/crypto/protector.js';

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
type DeviceFile = z.infer<typeof deviceFileSchema>;

export const deviceKeyFile = (dataDir: string): string => join(dataDir, 'keys', 'device.json');

/**
 * The secret is there but this process cannot unwrap it: it was wrapped by the OS keyring
 * (safeStorage) and the keyring is gone or changed (e.g. Linux fell back to `basic_text`), or
 * the keyring refused to decrypt. IT must fix the keyring or re-provision; the kiosk stays up.
 */
export class KeyringError extends Error {
  override readonly name = 'KeyringError';
  constructor(
    message: string,
    readonly problem: 'keyring-unavailable' | 'keyring-cannot-unwrap',
  ) {
    super(message);
  }
}

/** The stored device file, validated; null when there is none (not provisioned yet). */
function readDeviceFile(file: string): DeviceFile | null {
  if (!existsSync(file)) return null;
  try {
    return deviceFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    throw new Error(`The device key file ${file} is damaged; restore it from backup or re-provision the kiosk.`);
  }
}

function writeDeviceFile(file: string, content: DeviceFile): void {
  writeFileAtomic(file, JSON.stringify(content, null, 2));
  chmodSync(file, 0o600);
}

/** What loading did besides loading: an unwrapped key found and wrapped (for the audit log). */
export interface DeviceKeysLoaded {
  keys: DeviceKeys;
  /** The key was in a plain 0600 file (kioskctl provision) and is now wrapped by `protector`. */
  migratedFrom?: 'plain-file';
}

/**
 * Loads the device key. A key in a plain 0600 file (written by `kioskctl provision`, which runs
 * outside Electron) is wrapped with the process's safeStorage protector on the spot and written
 * back atomically; the opposite (a wrapped key, no keyring now) is a KeyringError.
 */
export async function loadDeviceKeysMigrating(
  dataDir: string,
  protector: SecretProtector,
): Promise<DeviceKeysLoaded | null> {
  const file = deviceKeyFile(dataDir);
  const parsed = readDeviceFile(file);
  if (!parsed) return null;
  const sodium = await getSodium();
  if (parsed.protector === 'safe-storage' && protector.kind !== 'safe-storage') {
    throw new KeyringError(
      `The device key in ${file} was wrapped with safe-storage (the OS keyring), but this process has ${protector.kind}` +
        `${protector.unavailableReason ? ` (${protector.unavailableReason})` : ''}: fix the keyring and restart, or re-provision the kiosk from the IT screen with a new device key.`,
      'keyring-unavailable',
    );
  }
  let secretKey: Uint8Array;
  try {
    secretKey =
      parsed.protector === 'plain-file'
        ? fromB64(parsed.wrappedSecret)
        : protector.unprotect(fromB64(parsed.wrappedSecret));
  } catch {
    throw new KeyringError(
      `The OS keyring could not unwrap the device key in ${file} (the keyring was reset or belongs to another user): fix the keyring and restart, or re-provision the kiosk from the IT screen with a new device key.`,
      'keyring-cannot-unwrap',
    );
  }
  const publicKey = fromB64(parsed.publicKey);
  if (
    secretKey.length !== 64 ||
    sodium.to_hex(sodium.crypto_sign_ed25519_sk_to_pk(secretKey)) !== sodium.to_hex(publicKey)
  ) {
    throw new Error(`The device key in ${file} does not match its public key.`);
  }
  const keys: DeviceKeys = {
    deviceId: parsed.deviceId,
    publicKey,
    secretKey,
    keyId: keyId(sodium, publicKey),
    protector: protector.kind,
  };
  if (parsed.protector === 'plain-file' && protector.kind === 'safe-storage') {
    const wrapped = protector.protect(secretKey);
    // Check the keyring gives the secret back before the plain copy is replaced.
    const back = protector.unprotect(wrapped);
    if (back.length !== secretKey.length || !sodium.memcmp(back, secretKey))
      throw new KeyringError(
        `The OS keyring does not give back what it wrapped; ${file} was left as it was.`,
        'keyring-cannot-unwrap',
      );
    writeDeviceFile(file, { ...parsed, protector: 'safe-storage', wrappedSecret: toB64(wrapped) });
    return { keys, migratedFrom: 'plain-file' };
  }
  return { keys };
}

export async function loadDeviceKeys(dataDir: string, protector: SecretProtector): Promise<DeviceKeys | null> {
  const file = deviceKeyFile(dataDir);
  const parsed = readDeviceFile(file);
  if (!parsed) return null;
  if (parsed.protector !== protector.kind) {
    throw new KeyringError(
      `The device key in ${file} was wrapped with ${parsed.protector}, but this process has ${protector.kind}; run the kiosk the same way it was provisioned.`,
      'keyring-unavailable',
    );
  }
  return (await loadDeviceKeysMigrating(dataDir, protector))?.keys ?? null;
}

/** Creates and stores a new device key pair (0600 file; the secret wrapped by the protector). */
export async function createDeviceKeys(
  dataDir: string,
  protector: SecretProtector,
  deviceId: string = `kiosk-${randomUUID()}`,
): Promise<DeviceKeys> {
  const sodium = await getSodium();
  const kp = sodium.crypto_sign_keypair();
  writeDeviceFile(deviceKeyFile(dataDir), {
    v: 1,
    deviceId,
    publicKey: toB64(kp.publicKey),
    protector: protector.kind,
    wrappedSecret: toB64(protector.protect(kp.privateKey)),
    createdAt: new Date().toISOString(),
  });
  return {
    deviceId,
    publicKey: kp.publicKey,
    secretKey: kp.privateKey,
    keyId: keyId(sodium, kp.publicKey),
    protector: protector.kind,
  };
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
