// One hub node's Prometheus metrics (GET /metrics): items by outcome, batch times, time per stage, pool clients.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { HubStore } from './store.js';

export function createHubMetrics(registry: Registry, store: HubStore) {
  const items = new Counter({
    name: 'kelu_hub_items_total',
    help: 'Batch items by outcome',
    labelNames: ['status'],
    registers: [registry],
  });
  const batches = new Histogram({
    name: 'kelu_hub_batch_seconds',
    help: 'Time to answer a batch',
    labelNames: ['code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const stages = new Counter({
    name: 'kelu_hub_stage_seconds_total',
    help: 'Time spent per step of receiving: verify, open, parse, match (CPU); lookup, insert (waiting on PostgreSQL)',
    labelNames: ['stage'],
    registers: [registry],
  });
  const pool = new Gauge({
    name: 'kelu_hub_pool_clients',
    help: 'PostgreSQL pool clients',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, store.pool.totalCount);
      this.set({ state: 'idle' }, store.pool.idleCount);
      this.set({ state: 'waiting' }, store.pool.waitingCount);
    },
  });
  void pool;
  return { items, batches, stages };
}
