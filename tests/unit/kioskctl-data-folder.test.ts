// Issue 17 item 7: kioskctl tightens only the kiosk's own files, only by removing group/other bits,
// refuses a folder that is not a kiosk's, and opens read-only for read-only commands.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/platform/store/index.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { useCleanups } from '../support/upstream.js';

const { tempDir } = useCleanups();
const tsx = join(projectRoot, 'node_modules', '.bin', 'tsx');
const kioskctl = (...args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(
      tsx,
      [join(projectRoot, 'tools/kioskctl/kioskctl.ts'), ...args],
      { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 },
      (error, out, err) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, out, err });
      },
    );
  });
const mode = (p: string) => statSync(p).mode & 0o777;

describe('issue 17 item 7: kioskctl and folders that are not the kiosk’s', () => {
  it('audit tail on an unrelated folder changes nothing in it and creates no database', async () => {
    const dir = tempDir('project');
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'build.sh'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(dir, 'notes.txt'), 'hello', { mode: 0o644 });
    chmodSync(join(dir, 'build.sh'), 0o755);
    chmodSync(join(dir, 'notes.txt'), 0o644);
    const r = await kioskctl('audit', 'tail', '--data-dir', dir);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/no kiosk database/i);
    expect(mode(dir)).toBe(0o755);
    expect(mode(join(dir, 'build.sh'))).toBe(0o755);
    expect(mode(join(dir, 'notes.txt'))).toBe(0o644);
    expect(existsSync(join(dir, 'kelu.db'))).toBe(false);
  }, 60_000);

  it('a write command refuses a folder of unrelated files (no kiosk database in it)', async () => {
    const dir = tempDir('project');
    writeFileSync(join(dir, 'notes.txt'), 'hello', { mode: 0o644 });
    chmodSync(join(dir, 'notes.txt'), 0o644);
    const r = await kioskctl('staff', 'list', '--data-dir', dir);
    expect(r.code).not.toBe(0);
    expect(mode(join(dir, 'notes.txt'))).toBe(0o644);
    expect(existsSync(join(dir, 'kelu.db'))).toBe(false);
  }, 60_000);

  it("in the kiosk's own folder only its files are tightened, and only group/other bits are removed", () => {
    const dir = tempDir('kiosk');
    openDatabase(join(dir, 'kelu.db')).close();
    chmodSync(join(dir, 'kelu.db'), 0o754);
    mkdirSync(join(dir, 'tools'));
    writeFileSync(join(dir, 'tools', 'x'), '');
    writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(dir, 'run.sh'), 0o755);
    openDatabase(join(dir, 'kelu.db')).close();
    expect(mode(join(dir, 'kelu.db'))).toBe(0o700); // the owner's execute bit kept, group/other removed
    expect(mode(join(dir, 'run.sh'))).toBe(0o755); // not the kiosk's file: untouched
  });
});
