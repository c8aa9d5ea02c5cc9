#!/usr/bin/env node
// The hub: protocol v1 on PostgreSQL for many kiosks of many clinics (docs/hub.md).
import { z } from 'zod';
import { checkOptions, readOptions } from '../../electron/core/platform/cli-options.js';
import { modelPackageOption } from '../../electron/core/face/model-package.js';
import { createPool, migrate } from './db.js';
import { startHub } from './app.js';
import { writeReferenceKey, writeUpstreamKeyPair } from './keys.js';
import { addClinic, addConsumer, enrolDevice, issueToken, revokeKey } from './registry.js';

const usage = `Kelu hub: the upstream for many kiosks of many clinics, on PostgreSQL (docs/hub.md).

  npm run hub -- keygen --upstream-key FILE            a new upstream key pair (mode 0600); give its public key to the kiosks
  npm run hub -- keygen --reference-key FILE           a new key that encrypts face references at rest (mode 0600)
  npm run hub -- migrate                               apply the numbered SQL migrations (upstream/hub/migrations)
  npm run hub -- serve --key FILE [--key OLD_FILE] --reference-key FILE [--port 8443] [--host 0.0.0.0]
        [--node NAME] [--pool 10] [--rate-limit 6000] [--migrate]
        [--threshold D] [--template-threshold D] [--growth-threshold D] [--growth-max 4]
        [--model-package DIR[:SHA256]]
                                                       one stateless node; start as many as you like against one database
  npm run hub -- clinic add --id CLINIC [--name NAME]
  npm run hub -- token --clinic CLINIC --device DEVICE [--ttl-hours 72]
                                                       a one-time enrolment token for one kiosk (printed once)
  npm run hub -- enrol --token TOKEN --device DEVICE --public-key BASE64
                                                       spend a token by hand (kiosks do it with POST /v1/devices:enrol)
  npm run hub -- revoke-key --device DEVICE --public-key BASE64
  npm run hub -- consumer add --id MIS --clinic CLINIC  a key for a clinic's MIS to read GET /v1/verdicts?after=… (printed once)
  npm run hub -- references --csv FILE --reference-key FILE [--model-package DIR[:SHA256]] [--actor NAME]
                                                       enrol face references from ID photos (rows iin,image[,egov_code]);
                                                       photos of one IIN that are not one person are refused, naming the odd one
  npm run hub -- purge --older-than-days N             retention: delete verdicts received before then

The database: --database-url URL or KELU_HUB_DATABASE_URL (e.g. postgres://kelu@db.internal/kelu).
Key files must be readable by their owner only (chmod 600); the hub refuses looser modes and never logs a key.
--key twice: the current upstream key first, the previous one second, while kiosks move to the new one.
Endpoints: POST /v1/visits:batch, POST /v1/devices:enrol, GET /v1/verdicts, GET /healthz, /readyz, /metrics.
Logs: one JSON line per event on stdout, with ids, counts and times only (never an IIN, a code or a descriptor).`;

const id = z.string().min(1).max(128);
const pk = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 Ed25519 public key');
// Each command's options, named once here (cli-options: the parse table is their union).
const commonSchema = z.object({ 'database-url': z.string().min(1).optional(), help: z.boolean().optional() });
const keygenSchema = z.object({
  'upstream-key': z.string().min(1).optional(),
  'reference-key': z.string().min(1).optional(),
});
const serveSchema = z.object({
  key: z.array(z.string().min(1)).min(1, 'at least one --key FILE (the upstream key pair)').max(2).prefault([]),
  'reference-key': z.string().min(1, 'the reference key file'),
  port: z.coerce.number().int().min(0).max(65535).default(8443),
  host: z.string().default('127.0.0.1'),
  node: z.string().max(64).optional(),
  pool: z.coerce.number().int().min(1).max(200).default(10),
  'rate-limit': z.coerce.number().int().min(1).default(6000),
  migrate: z.boolean().optional(),
  threshold: z.coerce.number().min(0.05).max(2).optional(),
  'template-threshold': z.coerce.number().min(0.05).max(2).optional(),
  'growth-threshold': z.coerce.number().min(0.05).max(2).optional(),
  'growth-max': z.coerce.number().int().min(1).max(50).default(4),
  'model-package': modelPackageOption.optional(),
});
const clinicSchema = z.object({ id: z.string().min(1).max(64), name: z.string().max(200).default('') });
const tokenSchema = z.object({
  clinic: z.string().min(1).max(64),
  device: id,
  'ttl-hours': z.coerce
    .number()
    .min(1)
    .max(24 * 30)
    .default(72),
});
const enrolSchema = z.object({ token: z.string().min(8), device: id, 'public-key': pk });
const revokeSchema = z.object({ device: id, 'public-key': pk });
const consumerSchema = z.object({ id: z.string().min(1).max(64), clinic: z.string().min(1).max(64) });
const referencesSchema = z.object({
  csv: z.string().min(1),
  'reference-key': z.string().min(1),
  'model-package': modelPackageOption.optional(),
  actor: z
    .string()
    .min(1)
    .max(64)
    .default(process.env.USER ?? 'it'),
});
const purgeSchema = z.object({ 'older-than-days': z.coerce.number().int().min(1) });

/** The command's options, or undefined when they do not fit (the caller prints the command's usage). */
function optionsOf<S extends z.ZodObject>(values: Record<string, unknown>, schema: S): z.infer<S> | undefined {
  const parsed = schema.safeParse(values);
  return parsed.success ? parsed.data : undefined;
}

async function main(argv: string[]): Promise<number> {
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = readOptions(
      argv,
      [
        commonSchema,
        keygenSchema,
        serveSchema,
        clinicSchema,
        tokenSchema,
        enrolSchema,
        consumerSchema,
        referencesSchema,
        purgeSchema,
      ],
      { positionals: true, short: { help: 'h' } },
    ));
  } catch (err) {
    return bad(err instanceof Error ? err.message : String(err));
  }
  const [command, sub] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  if (command === 'keygen') return keygen(values);
  const databaseUrl = (values['database-url'] as string | undefined) ?? process.env.KELU_HUB_DATABASE_URL;
  if (!databaseUrl) return bad('give the database: --database-url URL or KELU_HUB_DATABASE_URL');

  if (command === 'serve') return serve(values, databaseUrl);

  const pool = createPool(databaseUrl, 2);
  try {
    return await databaseCommand(pool, command, sub, values);
  } finally {
    await pool.end();
  }
}

/** keygen: the upstream key pair and/or the reference key, each in its own file. */
async function keygen(values: Record<string, unknown>): Promise<number> {
  const k = optionsOf(values, keygenSchema);
  if (k?.['upstream-key']) {
    const pub = await writeUpstreamKeyPair(k['upstream-key']);
    console.log(`wrote ${k['upstream-key']} (mode 0600); the kiosks' upstream public key: ${pub}`);
  }
  if (k?.['reference-key']) {
    await writeReferenceKey(k['reference-key']);
    console.log(`wrote ${k['reference-key']} (mode 0600): keep it outside the database and its backups`);
  }
  if (!k?.['upstream-key'] && !k?.['reference-key'])
    return bad('keygen needs --upstream-key FILE or --reference-key FILE');
  return 0;
}

/** serve: one hub node until SIGINT or SIGTERM (-1: the process keeps running). */
async function serve(values: Record<string, unknown>, databaseUrl: string): Promise<number> {
  let o: z.infer<typeof serveSchema>;
  try {
    o = checkOptions(values, serveSchema);
  } catch (err) {
    return bad(err instanceof Error ? err.message : String(err));
  }
  if (o['growth-threshold'] !== undefined && o['template-threshold'] === undefined)
    return bad('--growth-threshold makes references templates: give --template-threshold too');
  const hub = await startHub({
    databaseUrl,
    keyFiles: o.key,
    referenceKeyFile: o['reference-key'],
    port: o.port,
    host: o.host,
    poolSize: o.pool,
    rateLimitPerMinute: o['rate-limit'],
    growthMax: o['growth-max'],
    ...(o.migrate ? { migrate: true } : {}),
    ...(o.node ? { node: o.node } : {}),
    ...(o.threshold ? { faceThreshold: o.threshold } : {}),
    ...(o['template-threshold'] ? { templateThreshold: o['template-threshold'] } : {}),
    ...(o['growth-threshold'] ? { growthThreshold: o['growth-threshold'] } : {}),
    ...(o['model-package'] ? { modelPackage: o['model-package'] } : {}),
    log: (e) => console.log(JSON.stringify({ t: new Date().toISOString(), ...e })),
  });
  // One JSON line first, so scripts and tests can read the port.
  console.log(JSON.stringify({ listening: hub.url, port: hub.port }));
  const stop = () => void hub.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1;
}

/** The commands that only talk to the database (migrate, clinic add, token, enrol, revoke-key, consumer add, references, purge). */
async function databaseCommand(
  pool: ReturnType<typeof createPool>,
  command: string,
  sub: string | undefined,
  values: Record<string, unknown>,
): Promise<number> {
  if (command === 'migrate') {
    const applied = await migrate(pool);
    console.log(applied.length ? `applied migration(s) ${applied.join(', ')}` : 'the database is up to date');
    return 0;
  }
  if (command === 'clinic' && sub === 'add') {
    const a = optionsOf(values, clinicSchema);
    if (!a) return bad('clinic add --id CLINIC [--name NAME]');
    await addClinic(pool, a.id, a.name);
    console.log(`clinic ${a.id} registered`);
    return 0;
  }
  if (command === 'token') {
    const a = optionsOf(values, tokenSchema);
    if (!a) return bad('token --clinic CLINIC --device DEVICE [--ttl-hours H]');
    const token = await issueToken(pool, a.clinic, a.device, a['ttl-hours']);
    console.log(token);
    console.error(
      `one-time enrolment token for ${a.device} of clinic ${a.clinic}, valid ${a['ttl-hours']} h (shown once; only its hash is stored)`,
    );
    return 0;
  }
  if (command === 'enrol') {
    const a = optionsOf(values, enrolSchema);
    if (!a) return bad('enrol --token TOKEN --device DEVICE --public-key BASE64');
    const r = await enrolDevice(pool, a.token, a.device, Buffer.from(a['public-key'], 'base64'));
    console.log(`${a.device} enrolled for clinic ${r.clinicId} (${r.keys} live key(s))`);
    return 0;
  }
  if (command === 'revoke-key') {
    const a = optionsOf(values, revokeSchema);
    if (!a) return bad('revoke-key --device DEVICE --public-key BASE64');
    const done = await revokeKey(pool, a.device, Buffer.from(a['public-key'], 'base64'));
    console.log(done ? 'key revoked' : 'no such live key');
    return done ? 0 : 3;
  }
  if (command === 'consumer' && sub === 'add') {
    const a = optionsOf(values, consumerSchema);
    if (!a) return bad('consumer add --id MIS --clinic CLINIC');
    console.log(await addConsumer(pool, a.id, a.clinic));
    console.error(
      `consumer ${a.id} reads clinic ${a.clinic}'s verdicts with this key (shown once; only its hash is stored)`,
    );
    return 0;
  }
  if (command === 'references') return await references(pool, values);
  if (command === 'purge') {
    const a = optionsOf(values, purgeSchema);
    if (!a) return bad('purge --older-than-days N');
    const r = await pool.query('DELETE FROM verdicts WHERE received_at < now() - make_interval(days => $1)', [
      a['older-than-days'],
    ]);
    console.log(`deleted ${r.rowCount ?? 0} verdict(s)`);
    return 0;
  }
  return bad(`unknown command "${command.slice(0, 40)}"`);
}

/** references: enrol reference people from a CSV of photos and eGov codes, through the face engine. */
async function references(pool: ReturnType<typeof createPool>, values: Record<string, unknown>): Promise<number> {
  const a = optionsOf(values, referencesSchema);
  if (!a) return bad('references --csv FILE --reference-key FILE [--model-package DIR[:SHA256]] [--actor NAME]');
  const { References } = await import('./store.js');
  const { ReferenceVault } = await import('./keys.js');
  const { enrolReferencesFromCsv } = await import('./references.js');
  const { createFaceEngine } = await import('../../electron/core/face/engine.js');
  const { shippedDir } = await import('../../electron/core/platform/resources.js');
  const engine = await createFaceEngine({
    modelsDir: shippedDir('models'),
    requestTimeoutMs: 60_000,
    log: () => {},
    ...(a['model-package'] ? { modelPackage: a['model-package'] } : {}),
  });
  try {
    const r = await enrolReferencesFromCsv(
      new References(pool, await ReferenceVault.fromFile(a['reference-key'])),
      a.csv,
      engine,
      a.actor,
    );
    console.log(
      `enrolled ${r.people} reference(s) from ${r.photos} photo(s) and ${r.codes} eGov code(s), encrypted, audited as ${a.actor}`,
    );
  } finally {
    await engine.close();
  }
  return 0;
}

function bad(message: string): number {
  console.error(`hub: ${message}\n\n${usage}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`hub: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
