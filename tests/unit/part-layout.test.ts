import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * docs/CONTRIBUTING.md, "A part's files": a folder under electron/core whose contract.ts declares
 * methods is a part, and its handlers are made in the part's handlers.ts.
 */
const core = join(import.meta.dirname, '../../electron/core');

function folders(dir: string): string[] {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isDirectory())
    .flatMap((path) => [path, ...folders(path)]);
}

const parts = folders(core).filter((dir) => {
  const contract = join(dir, 'contract.ts');
  return existsSync(contract) && /\bmethod\(/.test(readFileSync(contract, 'utf8'));
});

describe('core parts', () => {
  it('finds the parts', () => {
    expect(parts.length).toBeGreaterThan(5);
  });

  it.each(parts.map((dir) => [dir.slice(core.length + 1), dir]))('%s has its handlers in handlers.ts', (_, dir) => {
    expect(existsSync(join(dir, 'handlers.ts'))).toBe(true);
  });
});
