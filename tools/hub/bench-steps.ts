#!/usr/bin/env node
// npm run hub:bench-steps -- [--visits 4000] [--batch 20] [--rounds 5] [--part steps|receive|both] [--database-url URL] [--json FILE]
// The hub's CPU per visit, step by step, on the load tool's mix of real sealed, signed envelopes:
//  1. each step of a batch item (decode, verify, open, parse, keyed hashes, match) with the earlier
//     implementation (Node's OpenSSL and libsodium-wrappers) and the shipped one (sodium-native) in
//     the same process, CPU time (user + system) per visit, the best of --rounds (the least
//     disturbed by other load on the machine), and the median;
//  2. HubStore.receive() end to end against the real PostgreSQL (one pooled connection): this
//     process's CPU and all PostgreSQL processes' CPU per visit, and SQL statements per batch.
// Part 2 (`--part receive`) uses only the hub's public API, so the same file run on an older
// checkout gives its "before".
import { createPrivateKey, createPublicKey, diffieHellman, randomBytes, verify, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { postgresCpu } from './proc-cpu.js';
import pg from 'pg';
import { z } from 'zod';
import { getSodium, visitSigningMessage, type Sodium } from '../../electron/core/platform/crypto/index.js';
import { batchRequestSchema, type BatchItem } from '../../electron/shared/protocol/batch.js';
import { envelopeSchema, type VisitEnvelope } from '../../electron/shared/protocol/envelope.js';
import { descriptorDistance } from '../../electron/core/face/descriptor-distance.js';
import { parseOptionsOrExit } from '../../electron/core/platform/cli-options.js';
import { upstreamModels } from '../../upstream/app.js';
import { ReceiverCore, egovSecret } from '../../upstream/core.js';
import { createPool, migrate } from '../../upstream/hub/db.js';
import { ReferenceVault } from '../../upstream/hub/keys.js';
import { addClinic, enrolDevice, issueToken } from '../../upstream/hub/registry.js';
import { HubStore } from '../../upstream/hub/store.js';
import { descriptorOf, sealedItem, simKiosk, type SimKiosk, type VisitFields } from '../../upstream/hub/sim-kiosk.js';
import { percentile } from '../percentile.js';

const argsSchema = z.object({
  visits: z.coerce.number().int().min(20).max(100_000).default(4000),
  batch: z.coerce.number().int().min(1).max(1000).default(20),
  rounds: z.coerce.number().int().min(1).max(50).default(5),
  part: z.enum(['steps', 'receive', 'both']).default('both'),
  'database-url': z.string().default(process.env.KELU_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'),
  json: z.string().optional(),
  help: z.boolean().default(false),
});

const log = (s: string) => console.error(`[hub:bench-steps] ${s}`);

/** main's receiver crypto before sodium-native (upstream/fast-crypto.ts at f05fdc3): OpenSSL Ed25519, OpenSSL X25519 + libsodium WebAssembly. */
const mainCrypto = {
  publicKey: (raw: Uint8Array): KeyObject =>
    createPublicKey({
      key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(raw)]),
      format: 'der',
      type: 'spki',
    }),
  verify: (key: KeyObject, message: Uint8Array, sig: Uint8Array): boolean => {
    try {
      return sig.length === 64 && verify(null, message, key, sig);
    } catch {
      return false;
    }
  },
  opener(s: Sodium, publicKey: Uint8Array, secretKey: Uint8Array) {
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
    const privateKey = createPrivateKey({
      key: { kty: 'OKP', crv: 'X25519', d: b64(secretKey), x: b64(publicKey) },
      format: 'jwk',
    });
    const zero16 = new Uint8Array(16);
    return (sealed: Uint8Array): Uint8Array | null => {
      try {
        const epk = sealed.subarray(0, 32);
        const ephemeral = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64(epk) }, format: 'jwk' });
        const key = s.crypto_core_hsalsa20(zero16, diffieHellman({ privateKey, publicKey: ephemeral }), null);
        const nonceInput = new Uint8Array(64);
        nonceInput.set(epk, 0);
        nonceInput.set(publicKey, 32);
        return s.crypto_secretbox_open_easy(sealed.subarray(32), s.crypto_generichash(24, nonceInput, null), key);
      } catch {
        return null;
      }
    };
  },
};

/** The load tool's mix: 40 % face with a reference, 30 % face without, 20 % eGov code, 10 % staff. */
function visitFields(p: number, modelId: string): { fields: VisitFields; reference?: number[] } {
  const iin = `9${String(p).padStart(11, '0')}`;
  const kind = p % 10;
  const face = (side: 'left' | 'right'): VisitFields => ({
    method: 'face',
    iin,
    face: {
      descriptor: descriptorOf(p, 0.01),
      modelId,
      presence: { challenge: 'head-turn', side, frames: 12, durationMs: 2000 },
    },
  });
  if (kind < 4) return { fields: face('left'), reference: descriptorOf(p) };
  if (kind < 7) return { fields: face('right') };
  if (kind < 9) return { fields: { method: 'egov-code', iin, egov: { code: String(100000 + (p % 899999)) } } };
  return {
    fields: {
      method: 'staff-verified',
      iin,
      staff: { staffId: 'nurse-1', documentType: 'id-card', documentLast4: '1234', reason: 'no phone' },
    },
  };
}

interface Fixture {
  sodium: Sodium;
  upstream: { publicKey: Uint8Array; secretKey: Uint8Array };
  kiosks: SimKiosk[];
  items: Array<{ kiosk: SimKiosk; item: BatchItem }>;
  bodies: Array<{ deviceId: string; body: string; items: BatchItem[] }>;
  references: Array<{ iin: string; d: number[] }>;
  modelId: string;
}

async function fixture(visits: number, batch: number): Promise<Fixture> {
  const sodium = await getSodium();
  const kp = sodium.crypto_box_keypair();
  const upstream = { publicKey: kp.publicKey, secretKey: kp.privateKey };
  const modelId = upstreamModels()[0]!.modelId;
  const kiosks: SimKiosk[] = [];
  for (let k = 0; k < Math.ceil(visits / 40); k++)
    kiosks.push(await simKiosk(`kiosk-${String(k).padStart(5, '0')}`, `clinic-${k % 50}`));
  const items: Fixture['items'] = [];
  const references: Fixture['references'] = [];
  for (let p = 0; p < visits; p++) {
    const kiosk = kiosks[Math.floor(p / 40)]!;
    const { fields, reference } = visitFields(p, modelId);
    if (reference) references.push({ iin: fields.iin, d: reference });
    const createdAt = new Date(Date.now() - 3_600_000 + (p % 40) * 1000).toISOString();
    items.push({ kiosk, item: sealedItem(sodium, kiosk, upstream.publicKey, { ...fields, createdAt }) });
  }
  const bodies: Fixture['bodies'] = [];
  for (let i = 0; i < items.length; i += batch) {
    const part = items.slice(i, i + batch).filter((x) => x.kiosk === items[i]!.kiosk);
    const list = part.map((x) => x.item);
    bodies.push({
      deviceId: part[0]!.kiosk.deviceId,
      items: list,
      body: JSON.stringify({ deviceId: part[0]!.kiosk.deviceId, items: list }),
    });
  }
  return { sodium, upstream, kiosks, items, bodies, references, modelId };
}

const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

/** CPU µs per unit of `fn` over `units` units: best and median of `rounds` runs. */
function measure(rounds: number, units: number, fn: () => void): { best: number; median: number } {
  fn(); // warm-up (JIT)
  const per: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = cpuNow();
    fn();
    per.push((cpuNow() - c0) / units);
  }
  const round = (x: number) => Math.round(x * 10) / 10;
  return { best: round(Math.min(...per)), median: round(percentile(per, 50)) };
}

type Row = { step: string; impl: string; best: number; median: number; per: string };

/** Part 1: each step of a batch item, main's implementation and this one, in this process. */
async function steps(f: Fixture, rounds: number): Promise<Row[]> {
  // This branch's crypto, loaded here only (part 2 must also run on main's code).
  const { sealOpener, verifyEd25519 } = await import('../../upstream/fast-crypto.js');
  const { strictBase64 } = await import('../../upstream/core.js');
  const s = f.sodium;
  const n = f.items.length;
  const rows: Row[] = [];
  const add = (step: string, impl: string, units: number, per: string, fn: () => void) => {
    rows.push({ step, impl, per, ...measure(rounds, units, fn) });
    log(`${step.padEnd(8)} ${impl.padEnd(52)} ${rows.at(-1)!.best} µs (median ${rows.at(-1)!.median})`);
  };
  const b64 = s.base64_variants.ORIGINAL;
  const decoded = f.items.map(({ kiosk, item }) => {
    const sealed = s.from_base64(item.sealed, b64);
    const sig = s.from_base64(item.sig, b64);
    const message = visitSigningMessage(s, {
      id: item.id,
      deviceId: kiosk.deviceId,
      createdAt: item.createdAt,
      sealed,
    });
    return { kiosk, item, sealed, sig, message, osslKey: mainCrypto.publicKey(kiosk.publicKey) };
  });
  const must = (ok: boolean) => {
    if (!ok) throw new Error('a step refused a good item');
  };

  add('batch', 'JSON.parse + batchRequestSchema (zod), both', n, 'visit', () => {
    for (const b of f.bodies) must(batchRequestSchema.safeParse(JSON.parse(b.body)).success);
  });
  add('decode', 'main: libsodium-wrappers from_base64 ×2', n, 'visit', () => {
    for (const { item } of decoded)
      must(s.from_base64(item.sealed, b64).length + s.from_base64(item.sig, b64).length > 0);
  });
  add('decode', 'now: Buffer base64, canonical check ×2', n, 'visit', () => {
    for (const { item } of decoded) must(!!strictBase64(item.sealed) && !!strictBase64(item.sig));
  });
  add('message', 'visitSigningMessage, both', n, 'visit', () => {
    for (const d of decoded)
      visitSigningMessage(s, {
        id: d.item.id,
        deviceId: d.kiosk.deviceId,
        createdAt: d.item.createdAt,
        sealed: d.sealed,
      });
  });
  add('verify', 'main: Node crypto (OpenSSL) Ed25519, cached KeyObject', n, 'visit', () => {
    for (const d of decoded) must(mainCrypto.verify(d.osslKey, d.message, d.sig));
  });
  add('verify', 'libsodium-wrappers (WebAssembly)', n, 'visit', () => {
    for (const d of decoded) must(s.crypto_sign_verify_detached(d.sig, d.message, d.kiosk.publicKey));
  });
  add('verify', 'now: sodium-native crypto_sign_verify_detached', n, 'visit', () => {
    for (const d of decoded) must(verifyEd25519(d.kiosk.publicKey, d.message, d.sig));
  });
  const mainOpen = mainCrypto.opener(s, f.upstream.publicKey, f.upstream.secretKey);
  add('open', 'main: OpenSSL X25519 + libsodium-wrappers for the rest', n, 'visit', () => {
    for (const d of decoded) must(mainOpen(d.sealed) !== null);
  });
  add('open', 'libsodium-wrappers crypto_box_seal_open (WebAssembly)', n, 'visit', () => {
    for (const d of decoded)
      must(s.crypto_box_seal_open(d.sealed, f.upstream.publicKey, f.upstream.secretKey).length > 0);
  });
  const opener = sealOpener(f.upstream.publicKey, f.upstream.secretKey);
  add('open', 'now: sodium-native crypto_box_seal_open', n, 'visit', () => {
    for (const d of decoded) must(opener.open(d.sealed) !== null);
  });
  const plain = decoded.map((d) => opener.open(d.sealed)!);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  add('parse', 'main: to_string + JSON.parse + envelopeSchema (zod)', n, 'visit', () => {
    for (const p of plain) must(envelopeSchema.safeParse(JSON.parse(s.to_string(p))).success);
  });
  add('parse', 'now: TextDecoder + JSON.parse + envelopeSchema (zod)', n, 'visit', () => {
    for (const p of plain) must(envelopeSchema.safeParse(JSON.parse(utf8.decode(p))).success);
  });
  const core = await ReceiverCore.create([{ ...f.upstream, keyId: 'bench' }], { models: upstreamModels() });
  add('check', 'now: ReceiverCore.check (decode … parse), whole', n, 'visit', () => {
    for (const d of decoded) must('envelope' in core.check(d.kiosk.deviceId, [d.kiosk.publicKey], d.item));
  });
  await judging(
    f,
    plain.map((p) => envelopeSchema.parse(JSON.parse(utf8.decode(p)))),
    add,
  );
  return rows;
}

/** The keyed hashes (lookup keys) and the match of a face visit with a reference: decrypt, template, distance. */
async function judging(
  f: Fixture,
  envelopes: VisitEnvelope[],
  add: (step: string, impl: string, units: number, per: string, fn: () => void) => void,
): Promise<void> {
  const vault = await ReferenceVault.fromKey(randomBytes(32));
  const keyed = envelopes.filter((e) => e.method !== 'staff-verified');
  const hash = (e: VisitEnvelope) => (e.method === 'face' ? vault.iinKey(e.iin) : vault.codeHash(e.iin, egovSecret(e)));
  add('hashes', 'main: HMAC-SHA256 twice per face or eGov visit', envelopes.length, 'visit', () => {
    for (const e of keyed) hash(e).equals(hash(e));
  });
  add('hashes', 'now: once', envelopes.length, 'visit', () => {
    for (const e of keyed) hash(e);
  });
  const byIin = new Map(
    f.references.map((r) => [r.iin, vault.seal(Buffer.from(JSON.stringify({ photos: [r.d], visits: [] })))]),
  );
  const withRef = envelopes.filter((e) => e.face && byIin.has(e.iin));
  const metric = upstreamModels()[0]!.metric;
  add(
    'match',
    'secretbox open + JSON + distance, both (face with reference)',
    withRef.length,
    'face visit with a reference',
    () => {
      for (const e of withRef) {
        const body = JSON.parse(Buffer.from(vault.open(byIin.get(e.iin)!)).toString('utf8')) as { photos: number[][] };
        descriptorDistance(body.photos[0]!, e.face!.descriptor, metric);
      }
    },
  );
}

/** Part 2: HubStore.receive() over every batch, one pooled connection, against the real PostgreSQL. */
async function receive(f: Fixture, databaseUrl: string, rounds: number) {
  const name = `kelu_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const pool = createPool(Object.assign(new URL(databaseUrl), { pathname: `/${name}` }).toString(), 1);
  try {
    await migrate(pool);
    const vault = await ReferenceVault.fromKey(randomBytes(32));
    const core = await ReceiverCore.create([{ ...f.upstream, keyId: 'bench' }], { models: upstreamModels() });
    const store = new HubStore(pool, core, vault, { rateLimitPerMinute: 1e9 });
    for (let c = 0; c < 50; c++) await addClinic(pool, `clinic-${c}`);
    for (const k of f.kiosks)
      await enrolDevice(pool, await issueToken(pool, k.clinicId, k.deviceId), k.deviceId, k.publicKey);
    await store.enrolReferences(
      f.references.map((r) => ({ iin: r.iin, modelId: f.modelId, photos: [r.d] })),
      'bench',
    );
    // Statements sent, counted at the driver (every pool.query and client.query goes through it).
    let statements = 0;
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      statements++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    const results: Array<{ nodeUs: number; postgresUs: number; statementsPerBatch: number }> = [];
    try {
      for (let r = 0; r <= rounds; r++) {
        await pool.query('TRUNCATE verdicts');
        const pg0 = postgresCpu();
        const c0 = cpuNow();
        statements = 0;
        for (const b of f.bodies) {
          const out = await store.receive(b.deviceId, b.items);
          if (out.status !== 200 || out.results.some((x) => x.status !== 'accepted'))
            throw new Error(`a batch was not accepted: ${JSON.stringify(out).slice(0, 300)}`);
        }
        const nodeUs = (cpuNow() - c0) / f.items.length;
        let pgS = 0;
        for (const [pid, sec] of postgresCpu()) pgS += sec - (pg0.get(pid) ?? 0);
        if (r > 0)
          results.push({
            nodeUs,
            postgresUs: (pgS * 1e6) / f.items.length,
            statementsPerBatch: statements / f.bodies.length,
          });
      }
    } finally {
      pg.Client.prototype.query = query;
    }
    const best = (k: 'nodeUs' | 'postgresUs') => Math.round(Math.min(...results.map((x) => x[k])));
    const med = (k: 'nodeUs' | 'postgresUs') =>
      Math.round(
        percentile(
          results.map((x) => x[k]),
          50,
        ),
      );
    return {
      batches: f.bodies.length,
      statementsPerBatch: Math.round(results[0]!.statementsPerBatch * 100) / 100,
      nodeCpuUsPerVisit: { best: best('nodeUs'), median: med('nodeUs') },
      postgresCpuUsPerVisit: { best: best('postgresUs'), median: med('postgresUs') },
    };
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const a = parseOptionsOrExit('hub:bench-steps', process.argv.slice(2), argsSchema, { short: { help: 'h' } }).values;
  if (a.help) {
    console.log(
      'npm run hub:bench-steps -- [--visits 4000] [--batch 20] [--rounds 5] [--part steps|receive|both] [--database-url URL] [--json FILE]',
    );
    return;
  }
  const f = await fixture(a.visits, a.batch);
  log(`${f.items.length} sealed, signed visits in ${f.bodies.length} batches; CPU µs per visit, best of ${a.rounds}`);
  const report: Record<string, unknown> = {
    at: new Date().toISOString(),
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    visits: f.items.length,
    batch: a.batch,
    rounds: a.rounds,
  };
  if (a.part !== 'receive') report.steps = await steps(f, a.rounds);
  if (a.part !== 'steps') {
    report.receive = await receive(f, a['database-url'], a.rounds);
    log(`receive(): ${JSON.stringify(report.receive)}`);
  }
  report.loadAverageAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(JSON.stringify(report, null, 2));
  if (a.json) writeFileSync(a.json, `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(`hub:bench-steps: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
});
