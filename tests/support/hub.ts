import { copyFileSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { devUpstreamKeyPairFile } from '../../electron/core/delivery/keys/index.js';
import { writeReferenceKey } from '../../upstream/hub/keys.js';
import { startHub, type Hub, type HubOptions } from '../../upstream/hub/app.js';

/**
 * The real PostgreSQL the tests use (127.0.0.1:5432, trust authentication, user postgres; CI
 * starts it). Each test gets a database of its own, created with a random name and dropped after.
 */
export const pgAdminUrl = process.env.KELU_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kelu_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(pgAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: pgAdminUrl });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Key files as an operator keeps them (mode 0600): the development upstream pair and a new reference key. */
export async function hubKeyFiles(): Promise<{
  dir: string;
  upstreamKey: string;
  referenceKey: string;
  cleanup(): void;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'kelu-hub-keys-'));
  const upstreamKey = join(dir, 'upstream-key.json');
  copyFileSync(devUpstreamKeyPairFile(), upstreamKey);
  chmodSync(upstreamKey, 0o600);
  const referenceKey = join(dir, 'reference.key');
  await writeReferenceKey(referenceKey);
  return { dir, upstreamKey, referenceKey, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestHub {
  hub: Hub;
  url: string;
  databaseUrl: string;
  keys: Awaited<ReturnType<typeof hubKeyFiles>>;
  /** Another node (its own pool and server) on the same database. */
  secondNode(options?: Partial<HubOptions>): Promise<Hub>;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function startTestHub(options: Partial<HubOptions> = {}): Promise<TestHub> {
  const db = await createTestDatabase();
  const keys = await hubKeyFiles();
  const nodes: Hub[] = [];
  const base = {
    databaseUrl: db.url,
    keyFiles: [keys.upstreamKey],
    referenceKeyFile: keys.referenceKey,
    port: 0,
    poolSize: 4,
  };
  try {
    const hub = await startHub({ ...base, migrate: true, node: 'test-a', ...options });
    nodes.push(hub);
    return {
      hub,
      url: hub.url,
      databaseUrl: db.url,
      keys,
      async secondNode(more = {}) {
        const n = await startHub({ ...base, node: `test-${nodes.length}`, ...options, ...more });
        nodes.push(n);
        return n;
      },
      query: async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
        (await hub.pool.query<T>(sql, params)).rows,
      async close() {
        for (const n of nodes.reverse()) await n.close();
        await db.drop();
        keys.cleanup();
      },
    };
  } catch (err) {
    for (const n of nodes) await n.close();
    await db.drop();
    keys.cleanup();
    throw err;
  }
}
