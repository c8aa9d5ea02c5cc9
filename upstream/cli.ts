#!/usr/bin/env node
// The reference upstream receiver (protocol v1) for tests, demos and staging:
//   npm run upstream -- --port N --data-dir DIR --key FILE [--enroll CSV] [--faults SPEC] [--admin-token T]
//   npm run upstream -- register --data-dir DIR --key FILE --device ID --public-key BASE64 [--clinic ID]
//   npm run upstream -- import FILE --data-dir DIR --key FILE
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { importBundle, registerDevice, startUpstream } from './app.js';

const usage = `Usage:
  npm run upstream -- --port N --data-dir DIR --key FILE [--enroll CSV] [--faults SPEC] [--fault-seed N] [--admin-token T] [--slow-ms MS] [--threshold D] [--template-threshold D]
  npm run upstream -- register --data-dir DIR --key FILE --device ID --public-key BASE64 [--clinic ID]
  npm run upstream -- import FILE --data-dir DIR --key FILE
Faults: comma-separated kind:rate with kinds 500, reset, timeout, slow, 429, malformed, drop-ids (e.g. 500:0.1,429:0.05).
A device registered with --clinic may send visits for that clinic only; without, its first accepted visit binds it.`;

const common = { 'data-dir': z.string().min(1), key: z.string().min(1) };

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      key: { type: 'string' },
      enroll: { type: 'string' },
      faults: { type: 'string' },
      'fault-seed': { type: 'string' },
      'admin-token': { type: 'string' },
      'slow-ms': { type: 'string' },
      threshold: { type: 'string' },
      'template-threshold': { type: 'string' },
      device: { type: 'string' },
      'public-key': { type: 'string' },
      clinic: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [command, file] = positionals;
  if (command === 'import') {
    const a = z.object({ ...common, file: z.string().min(1) }).safeParse({ ...values, file });
    if (!a.success) return bad(a.error);
    const r = await importBundle(a.data['data-dir'], a.data.key, a.data.file);
    console.log(
      `imported ${r.items} item(s): ${r.accepted} new, ${r.duplicate} already received, ${r.rejected} rejected`,
    );
    return r.rejected ? 3 : 0;
  }
  if (command === 'register') {
    const a = z
      .object({
        ...common,
        device: z.string().min(1).max(128),
        'public-key': z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 Ed25519 public key'),
        clinic: z.string().min(1).max(64).optional(),
      })
      .safeParse(values);
    if (!a.success) return bad(a.error);
    await registerDevice(a.data['data-dir'], a.data.key, a.data.device, a.data['public-key'], a.data.clinic);
    console.log(`registered ${a.data.device}${a.data.clinic ? ` for clinic ${a.data.clinic}` : ''}`);
    return 0;
  }
  if (command) {
    console.error(`upstream: unknown command "${command.slice(0, 40)}"\n${usage}`);
    return 2;
  }
  const a = z
    .object({
      ...common,
      port: z.coerce.number().int().min(0).max(65535),
      enroll: z.string().optional(),
      faults: z.string().optional(),
      'fault-seed': z.coerce.number().int().optional(),
      'admin-token': z.string().min(16, 'at least 16 characters').optional(),
      'slow-ms': z.coerce.number().int().min(1).max(600_000).optional(),
      threshold: z.coerce.number().min(0.05).max(2).optional(),
      'template-threshold': z.coerce.number().min(0.05).max(2).optional(),
    })
    .safeParse(values);
  if (!a.success) return bad(a.error);
  const up = await startUpstream({
    port: a.data.port,
    dataDir: a.data['data-dir'],
    keyFile: a.data.key,
    ...(a.data.enroll ? { enrollCsv: a.data.enroll } : {}),
    ...(a.data.faults ? { faults: a.data.faults } : {}),
    ...(a.data['fault-seed'] !== undefined ? { faultSeed: a.data['fault-seed'] } : {}),
    ...(a.data['admin-token'] ? { adminToken: a.data['admin-token'] } : {}),
    ...(a.data['slow-ms'] ? { slowMs: a.data['slow-ms'] } : {}),
    ...(a.data.threshold ? { faceThreshold: a.data.threshold } : {}),
    ...(a.data['template-threshold'] ? { templateThreshold: a.data['template-threshold'] } : {}),
    log: (l) => console.log(`upstream: ${l}`),
  });
  // One JSON line first, so scripts and tests can read the port and the admin token.
  console.log(JSON.stringify({ listening: up.url, port: up.port, adminToken: up.adminToken }));
  const stop = () => void up.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1;
}

function bad(error: z.ZodError): number {
  console.error(`upstream: ${error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n${usage}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`upstream: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
