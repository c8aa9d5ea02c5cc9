import { hostname } from 'node:os';
import type pg from 'pg';
import { upstreamModels, type UpstreamOptions } from '../app.js';
import { ReceiverCore } from '../core.js';
import { createPool, migrate } from './db.js';
import { ReferenceVault, readUpstreamKeys } from './keys.js';
import { startHubServer, type LogEvent, type RunningHub } from './server.js';
import { HubStore, type HubStoreOptions } from './store.js';

export interface HubOptions extends HubStoreOptions {
  databaseUrl: string;
  /** Upstream key pair files: the current one first, then the previous one(s) during a rotation. Mode 0600. */
  keyFiles: string[];
  /** The reference key file (32 bytes base64, mode 0600). */
  referenceKeyFile: string;
  port: number;
  host?: string;
  node?: string;
  poolSize?: number;
  /** Apply pending migrations at start (the first node; the others wait on the advisory lock). */
  migrate?: boolean;
  faceThreshold?: number;
  templateThreshold?: number;
  modelPackage?: UpstreamOptions['modelPackage'];
  log?: (event: LogEvent) => void;
}

export interface Hub extends RunningHub {
  store: HubStore;
  pool: pg.Pool;
}

/** Opens the keys (refusing loose file modes), the pool, and starts one stateless node. */
export async function startHub(options: HubOptions): Promise<Hub> {
  const keys = await readUpstreamKeys(options.keyFiles);
  const vault = await ReferenceVault.fromFile(options.referenceKeyFile);
  const core = await ReceiverCore.create(keys, {
    models: upstreamModels(options.modelPackage),
    ...(options.faceThreshold ? { faceThreshold: options.faceThreshold } : {}),
    ...(options.templateThreshold ? { templateThreshold: options.templateThreshold } : {}),
  });
  const pool = createPool(options.databaseUrl, options.poolSize ?? 10);
  try {
    if (options.migrate) await migrate(pool);
    const store = new HubStore(pool, core, vault, options);
    const running = await startHubServer(store, {
      port: options.port,
      ...(options.host ? { host: options.host } : {}),
      node: options.node ?? `${hostname()}-${process.pid}`,
      ...(options.log ? { log: options.log } : {}),
    });
    return {
      ...running,
      store,
      pool,
      async close() {
        await running.close();
        await pool.end();
      },
    };
  } catch (err) {
    await pool.end();
    throw err;
  }
}
