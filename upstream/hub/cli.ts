#!/usr/bin/env node
// The hub: protocol v1 on PostgreSQL for many kiosks of many clinics (docs/hub.md).
import { parseArgs } from 'node:util';
import { z } from 'zod';
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

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'database-url': { type: 'string' },
      key: { type: 'string', multiple: true },
      'reference-key': { type: 'string' },
      'upstream-key': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      node: { type: 'string' },
      pool: { type: 'string' },
      'rate-limit': { type: 'string' },
      migrate: { type: 'boolean' },
      threshold: { type: 'string' },
      'template-threshold': { type: 'string' },
      'growth-threshold': { type: 'string' },
      'growth-max': { type: 'string' },
      'model-package': { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      clinic: { type: 'string' },
      device: { type: 'string' },
      token: { type: 'string' },
      'public-key': { type: 'string' },
      'ttl-hours': { type: 'string' },
      'older-than-days': { type: 'string' },
      csv: { type: 'string' },
      actor: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  if (command === 'keygen') {
    if (values['upstream-key']) {
      const pub = await writeUpstreamKeyPair(values['upstream-key']);
      console.log(`wrote ${values['upstream-key']} (mode 0600); the kiosks' upstream public key: ${pub}`);
    }
    if (values['reference-key']) {
      await writeReferenceKey(values['reference-key']);
      console.log(`wrote ${values['reference-key']} (mode 0600): keep it outside the database and its backups`);
    }
    if (!values['upstream-key'] && !values['reference-key'])
      return bad('keygen needs --upstream-key FILE or --reference-key FILE');
    return 0;
  }
  const databaseUrl = values['database-url'] ?? process.env.KELU_HUB_DATABASE_URL;
  if (!databaseUrl) return bad('give the database: --database-url URL or KELU_HUB_DATABASE_URL');
  const id = z.string().min(1).max(128);
  const pk = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 Ed25519 public key');

  if (command === 'serve') {
    const a = z
      .object({
        key: z.array(z.string().min(1)).min(1, 'at least one --key FILE (the upstream key pair)').max(2),
        'reference-key': z.string().min(1, 'the reference key file'),
        port: z.coerce.number().int().min(0).max(65535).default(8443),
        host: z.string().default('127.0.0.1'),
        node: z.string().max(64).optional(),
        pool: z.coerce.number().int().min(1).max(200).default(10),
        'rate-limit': z.coerce.number().int().min(1).default(6000),
        threshold: z.coerce.number().min(0.05).max(2).optional(),
        'template-threshold': z.coerce.number().min(0.05).max(2).optional(),
        'growth-threshold': z.coerce.number().min(0.05).max(2).optional(),
        'growth-max': z.coerce.number().int().min(1).max(50).default(4),
        'model-package': z
          .string()
          .regex(/^[^:]+(:[0-9a-f]{64})?$/, 'DIR or DIR:SHA256')
          .optional(),
      })
      .safeParse({ ...values, key: values.key ?? [] });
    if (!a.success) return bad(a.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
    const o = a.data;
    if (o['growth-threshold'] !== undefined && o['template-threshold'] === undefined)
      return bad('--growth-threshold makes references templates: give --template-threshold too');
    const [dir, sha] = o['model-package']?.split(':') ?? [];
    const hub = await startHub({
      databaseUrl,
      keyFiles: o.key,
      referenceKeyFile: o['reference-key'],
      port: o.port,
      host: o.host,
      poolSize: o.pool,
      rateLimitPerMinute: o['rate-limit'],
      growthMax: o['growth-max'],
      ...(values.migrate ? { migrate: true } : {}),
      ...(o.node ? { node: o.node } : {}),
      ...(o.threshold ? { faceThreshold: o.threshold } : {}),
      ...(o['template-threshold'] ? { templateThreshold: o['template-threshold'] } : {}),
      ...(o['growth-threshold'] ? { growthThreshold: o['growth-threshold'] } : {}),
      ...(dir ? { modelPackage: { dir, ...(sha ? { manifestSha256: sha } : {}) } } : {}),
      log: (e) => console.log(JSON.stringify({ t: new Date().toISOString(), ...e })),
    });
    // One JSON line first, so scripts and tests can read the port.
    console.log(JSON.stringify({ listening: hub.url, port: hub.port }));
    const stop = () => void hub.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return -1;
  }

  const pool = createPool(databaseUrl, 2);
  try {
    if (command === 'migrate') {
      const applied = await migrate(pool);
      console.log(applied.length ? `applied migration(s) ${applied.join(', ')}` : 'the database is up to date');
      return 0;
    }
    if (command === 'clinic' && sub === 'add') {
      const a = z.object({ id: z.string().min(1).max(64), name: z.string().max(200).default('') }).safeParse(values);
      if (!a.success) return bad('clinic add --id CLINIC [--name NAME]');
      await addClinic(pool, a.data.id, a.data.name);
      console.log(`clinic ${a.data.id} registered`);
      return 0;
    }
    if (command === 'token') {
      const a = z
        .object({
          clinic: z.string().min(1).max(64),
          device: id,
          'ttl-hours': z.coerce
            .number()
            .min(1)
            .max(24 * 30)
            .default(72),
        })
        .safeParse(values);
      if (!a.success) return bad('token --clinic CLINIC --device DEVICE [--ttl-hours H]');
      const token = await issueToken(pool, a.data.clinic, a.data.device, a.data['ttl-hours']);
      console.log(token);
      console.error(
        `one-time enrolment token for ${a.data.device} of clinic ${a.data.clinic}, valid ${a.data['ttl-hours']} h (shown once; only its hash is stored)`,
      );
      return 0;
    }
    if (command === 'enrol') {
      const a = z.object({ token: z.string().min(8), device: id, 'public-key': pk }).safeParse(values);
      if (!a.success) return bad('enrol --token TOKEN --device DEVICE --public-key BASE64');
      const r = await enrolDevice(pool, a.data.token, a.data.device, Buffer.from(a.data['public-key'], 'base64'));
      console.log(`${a.data.device} enrolled for clinic ${r.clinicId} (${r.keys} live key(s))`);
      return 0;
    }
    if (command === 'revoke-key') {
      const a = z.object({ device: id, 'public-key': pk }).safeParse(values);
      if (!a.success) return bad('revoke-key --device DEVICE --public-key BASE64');
      const done = await revokeKey(pool, a.data.device, Buffer.from(a.data['public-key'], 'base64'));
      console.log(done ? 'key revoked' : 'no such live key');
      return done ? 0 : 3;
    }
    if (command === 'consumer' && sub === 'add') {
      const a = z.object({ id: z.string().min(1).max(64), clinic: z.string().min(1).max(64) }).safeParse(values);
      if (!a.success) return bad('consumer add --id MIS --clinic CLINIC');
      console.log(await addConsumer(pool, a.data.id, a.data.clinic));
      console.error(
        `consumer ${a.data.id} reads clinic ${a.data.clinic}'s verdicts with this key (shown once; only its hash is stored)`,
      );
      return 0;
    }
    if (command === 'references') {
      const a = z
        .object({
          csv: z.string().min(1),
          'reference-key': z.string().min(1),
          'model-package': z
            .string()
            .regex(/^[^:]+(:[0-9a-f]{64})?$/)
            .optional(),
          actor: z
            .string()
            .min(1)
            .max(64)
            .default(process.env.USER ?? 'it'),
        })
        .safeParse(values);
      if (!a.success)
        return bad('references --csv FILE --reference-key FILE [--model-package DIR[:SHA256]] [--actor NAME]');
      const { References } = await import('./store.js');
      const { ReferenceVault } = await import('./keys.js');
      const { enrolReferencesFromCsv } = await import('./references.js');
      const { createFaceEngine } = await import('../../electron/core/face/engine.js');
      const { shippedDir } = await import('../../electron/core/platform/resources.js');
      const [dir = '', sha] = a.data['model-package']?.split(':') ?? [];
      const engine = await createFaceEngine({
        modelsDir: shippedDir('models'),
        requestTimeoutMs: 60_000,
        log: () => {},
        ...(dir ? { modelPackage: { dir, ...(sha ? { manifestSha256: sha } : {}) } } : {}),
      });
      try {
        const r = await enrolReferencesFromCsv(
          new References(pool, await ReferenceVault.fromFile(a.data['reference-key'])),
          a.data.csv,
          engine,
          a.data.actor,
        );
        console.log(
          `enrolled ${r.people} reference(s) from ${r.photos} photo(s) and ${r.codes} eGov code(s), encrypted, audited as ${a.data.actor}`,
        );
      } finally {
        await engine.close();
      }
      return 0;
    }
    if (command === 'purge') {
      const a = z.object({ 'older-than-days': z.coerce.number().int().min(1) }).safeParse(values);
      if (!a.success) return bad('purge --older-than-days N');
      const r = await pool.query('DELETE FROM verdicts WHERE received_at < now() - make_interval(days => $1)', [
        a.data['older-than-days'],
      ]);
      console.log(`deleted ${r.rowCount ?? 0} verdict(s)`);
      return 0;
    }
    return bad(`unknown command "${command.slice(0, 40)}"`);
  } finally {
    await pool.end();
  }
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
