import { z } from 'zod';
import { fromB64, signDetached, toB64, verifyDetached, type Sodium } from '../../platform/crypto/index.js';
import { batchItemSchema } from '../../../shared/protocol/batch.js';

/**
 * The offline transfer bundle (`kioskctl export`, the upstream's `import`): the still-sealed visits
 * as they would be sent, signed as a whole by the device, so a USB stick in the wrong hands can
 * neither read them nor slip one in, drop one or change one unnoticed — a tampered bundle is
 * refused whole. Importing twice counts nothing twice: ids are the idempotency keys.
 */
export const bundleItemSchema = batchItemSchema.extend({
  upstreamKeyId: z.string().max(64),
  /** 'dead' when the upstream had rejected it before (exported so IT can take it up). */
  state: z.enum(['pending', 'dead']),
});
export type BundleItem = z.infer<typeof bundleItemSchema>;

export const bundleBodySchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('kelu-visit-export'),
    deviceId: z.string().min(1).max(128),
    devicePublicKey: z.string(),
    createdAt: z.iso.datetime(),
    items: z.array(bundleItemSchema),
  })
  .strict();
export type BundleBody = z.infer<typeof bundleBodySchema>;

export const bundleSchema = z.object({ body: bundleBodySchema, sig: z.string() }).strict();

/** Signs the exact serialised body; the file holds that string, so nothing is re-serialised to check it. */
export function signBundle(sodium: Sodium, body: BundleBody, deviceSecretKey: Uint8Array): string {
  const bodyText = JSON.stringify(bundleBodySchema.parse(body));
  const sig = signDetached(sodium, sodium.from_string(`kelu/export/v1\n${bodyText}`), deviceSecretKey);
  return `{"body":${bodyText},"sig":"${toB64(sig)}"}\n`;
}

export type BundleCheck = { ok: true; body: BundleBody } | { ok: false; reason: string };

/**
 * Checks a bundle file's text against the registered public key of its device. The signature is
 * verified over the body bytes exactly as they appear in the file.
 */
export function openBundle(
  sodium: Sodium,
  text: string,
  registeredKey: (deviceId: string) => Uint8Array | undefined,
): BundleCheck {
  const m = /^\{"body":(\{.*\}),"sig":"([A-Za-z0-9+/=]+)"\}\s*$/s.exec(text);
  if (!m) return { ok: false, reason: 'not a Kelu export bundle' };
  let raw: unknown;
  try {
    raw = JSON.parse(m[1]!);
  } catch {
    return { ok: false, reason: 'the bundle body is not JSON' };
  }
  const parsed = bundleBodySchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'the bundle body is not valid' };
  const key = registeredKey(parsed.data.deviceId);
  if (!key) return { ok: false, reason: `device ${parsed.data.deviceId} is not registered` };
  let sig: Uint8Array;
  try {
    sig = fromB64(m[2]!);
  } catch {
    return { ok: false, reason: 'the bundle signature is not base64' };
  }
  if (!verifyDetached(sodium, sig, sodium.from_string(`kelu/export/v1\n${m[1]!}`), key))
    return { ok: false, reason: 'the bundle signature does not verify: it was changed or not made by this device' };
  return { ok: true, body: parsed.data };
}
