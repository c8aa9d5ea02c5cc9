#!/usr/bin/env node
// The reference upstream receiver (protocol v1) for tests, demos and staging:
//   npm run upstream -- --port N --data-dir DIR --key FILE [--enroll CSV] [--faults SPEC] [--admin-token T]
//   npm run upstream -- register --data-dir DIR --key FILE --device ID --public-key BASE64 [--clinic ID]
//   npm run upstream -- import FILE --data-dir DIR --key FILE
import { z } from 'zod';
import { checkOptions, OptionsError, readOptions } from '../electron/core/platform/cli-options.js';
import { importBundle, registerDevice, startUpstream } from './app.js';

const usage = `Usage:
  npm run upstream -- --port N --data-dir DIR --key FILE [--enroll CSV] [--faults SPEC] [--fault-seed N] [--admin-token T] [--slow-ms MS] [--threshold D] [--template-threshold D]
  npm run upstream -- register --data-dir DIR --key FILE --device ID --public-key BASE64 [--clinic ID]
  npm run upstream -- import FILE --data-dir DIR --key FILE
Faults: comma-separated kind:rate with kinds 500, reset, timeout, slow, 429, malformed, drop-ids (e.g. 500:0.1,429:0.05).
A device registered with --clinic may send visits for that clinic only; without, its first accepted visit binds it.`;

const common = { 'data-dir': z.string().min(1), key: z.string().min(1) };
// Each command's options, named once here (cli-options: the parse table is their union).
const importSchema = z.object({ ...common, file: z.string().min(1) });
const registerSchema = z.object({
  ...common,
  device: z.string().min(1).max(128),
  'public-key': z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 Ed25519 public key'),
  clinic: z.string().min(1).max(64).optional(),
});
const serveSchema = z.object({
  ...common,
  port: z.coerce.number().int().min(0).max(65535),
  enroll: z.string().optional(),
  faults: z.string().optional(),
  'fault-seed': z.coerce.number().int().optional(),
  'admin-token': z.string().min(16, 'at least 16 characters').optional(),
  'slow-ms': z.coerce.number().int().min(1).max(600_000).optional(),
  threshold: z.coerce.number().min(0.05).max(2).optional(),
  'template-threshold': z.coerce.number().min(0.05).max(2).optional(),
});
const helpSchema = z.object({ help: z.boolean().optional() });

async function main(argv: string[]): Promise<number> {
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = readOptions(argv, [serveSchema, registerSchema, helpSchema], {
      positionals: true,
      short: { help: 'h' },
    }));
  } catch (err) {
    return bad(err);
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [command, file] = positionals;
  try {
    if (command === 'import') {
      const a = checkOptions({ ...values, file }, importSchema);
      const r = await importBundle(a['data-dir'], a.key, a.file);
      console.log(
        `imported ${r.items} item(s): ${r.accepted} new, ${r.duplicate} already received, ${r.rejected} rejected`,
      );
      return r.rejected ? 3 : 0;
    }
    if (command === 'register') {
      const a = checkOptions(values, registerSchema);
      await registerDevice(a['data-dir'], a.key, a.device, a['public-key'], a.clinic);
      console.log(`registered ${a.device}${a.clinic ? ` for clinic ${a.clinic}` : ''}`);
      return 0;
    }
  } catch (err) {
    if (err instanceof OptionsError) return bad(err);
    throw err;
  }
  if (command) {
    console.error(`upstream: unknown command "${command.slice(0, 40)}"\n${usage}`);
    return 2;
  }
  let a: z.infer<typeof serveSchema>;
  try {
    a = checkOptions(values, serveSchema);
  } catch (err) {
    return bad(err);
  }
  const up = await startUpstream({
    port: a.port,
    dataDir: a['data-dir'],
    keyFile: a.key,
    ...(a.enroll ? { enrollCsv: a.enroll } : {}),
    ...(a.faults ? { faults: a.faults } : {}),
    ...(a['fault-seed'] !== undefined ? { faultSeed: a['fault-seed'] } : {}),
    ...(a['admin-token'] ? { adminToken: a['admin-token'] } : {}),
    ...(a['slow-ms'] ? { slowMs: a['slow-ms'] } : {}),
    ...(a.threshold ? { faceThreshold: a.threshold } : {}),
    ...(a['template-threshold'] ? { templateThreshold: a['template-threshold'] } : {}),
    log: (l) => console.log(`upstream: ${l}`),
  });
  // One JSON line first, so scripts and tests can read the port and the admin token.
  console.log(JSON.stringify({ listening: up.url, port: up.port, adminToken: up.adminToken }));
  const stop = () => void up.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1;
}

function bad(error: unknown): number {
  console.error(`upstream: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
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
