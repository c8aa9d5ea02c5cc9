import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * The hub's PostgreSQL: a pool per node (node-postgres), numbered SQL migrations in
 * hub/migrations (NNN_name.sql), applied in order under an advisory lock so that any number of
 * nodes may start at once against one database.
 */
export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const migrationLock = 0x6b656c75; // 'kelu'

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dir = migrationsDir): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((f) => {
    const m = /^(\d{3})_([a-z0-9_-]+)\.sql$/.exec(f);
    if (!m) throw new Error(`${f}: a migration is named NNN_name.sql`);
    return { version: Number(m[1]), name: m[2]!, sql: readFileSync(join(dir, f), 'utf8') };
  });
}

export function createPool(databaseUrl: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away (PostgreSQL restarted) is dropped by the pool; without a
  // listener the error would end the process.
  pool.on('error', () => {});
  return pool;
}

/** Applies the migrations not yet applied; returns the versions it applied. */
export async function migrate(pool: pg.Pool, migrations = readMigrations()): Promise<number[]> {
  const ignore = () => {};
  const client = await checkout(pool, ignore);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLock]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(
          `migration ${m.version} (${m.name}) failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      applied.push(m.version);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [migrationLock]).catch(() => {});
    client.off('error', ignore);
    client.release();
  }
}

/** The newest migration applied, or 0 (readiness compares it with the code's). */
export async function schemaVersion(pool: pg.Pool): Promise<number> {
  const r = await pool.query<{ v: number | null }>(
    "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN NULL ELSE (SELECT max(version) FROM schema_migrations) END AS v",
  );
  return r.rows[0]?.v ?? 0;
}

/**
 * A pooled client with an 'error' listener attached in the pool's own callback, synchronously. The
 * server may go away between two statements (PostgreSQL restarting): the client then emits 'error'
 * outside any query, which ends the process if nobody listens, and with `await pool.connect()` the
 * listener would come a microtask too late (the FATAL message can be parsed in the same read).
 */
function checkout(pool: pg.Pool, onError: (err: Error) => void): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    pool.connect((err, client) => {
      if (err || !client) return reject(err ?? new Error('no client'));
      client.on('error', onError);
      resolve(client);
    });
  });
}

/** Runs `fn` in one transaction on one pooled client. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let broken: Error | undefined;
  const onError = (err: Error) => (broken = err);
  const client = await checkout(pool, onError);
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    // A failed client is not returned to the pool (its connection may be the thing that failed).
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
