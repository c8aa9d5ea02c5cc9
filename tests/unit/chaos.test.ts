import { describe, expect, it } from 'vitest';
import { runChaos } from '../../tools/chaos/chaos.js';

/**
 * The crash test: a kiosk process creating and syncing visits is killed with SIGKILL at random
 * moments (during sealing, inside a transaction, mid-request, while applying the upstream's answer)
 * at least 200 times; afterwards nothing is lost, nothing is counted twice and the database is sound.
 * KELU_CHAOS_SEED repeats a run; the seed is printed.
 */
const kills = Number(process.env.KELU_CHAOS_KILLS ?? 200);
const seed = Number(process.env.KELU_CHAOS_SEED ?? Math.floor(Math.random() * 1e6));

describe('crash test', () => {
  it(`loses nothing and counts nothing twice across ${kills} SIGKILLs`, { timeout: 900_000 }, async () => {
    console.log(`chaos seed ${seed} (set KELU_CHAOS_SEED=${seed} to repeat)`);
    const result = await runChaos({ visits: 2000, kills, seed });
    expect(result.kills).toBe(kills);
    expect(result).toMatchObject({ visits: 2000, delivered: 2000, lost: 0, duplicates: 0, integrity: 'ok' });
  });
});
