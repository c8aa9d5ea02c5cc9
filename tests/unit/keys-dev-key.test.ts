// Issue 17 item 5: a kiosk is never provisioned for real with the public development upstream key.
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/kiosk.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { devUpstreamPublicKeyFile, provisioningFile } from '../../electron/core/delivery/keys/index.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { useCleanups } from '../support/upstream.js';

const { cleanups, tempDir } = useCleanups();
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
const config = parseConfig({ sync: { background: false } });

describe('issue 17 item 5: the development upstream key is refused unless development keys are asked for', () => {
  it('kioskctl provision refuses it (a copy on a USB stick too); with --development-keys the kiosk is marked development and does not serve patients', async () => {
    const dataDir = tempDir('kiosk');
    const usb = join(tempDir('usb'), 'upstream-public.json');
    copyFileSync(devUpstreamPublicKeyFile(), usb);
    const refused = await kioskctl(
      'provision',
      '--upstream',
      'https://upstream.example.kz',
      '--upstream-key',
      usb,
      '--clinic',
      'c1',
      '--data-dir',
      dataDir,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.out + refused.err).toMatch(/DEVELOPMENT upstream key/);

    const dev = await kioskctl(
      'provision',
      '--upstream',
      'https://upstream.example.kz',
      '--upstream-key',
      usb,
      '--clinic',
      'c1',
      '--development-keys',
      '--data-dir',
      dataDir,
    );
    expect(dev.code, dev.err).toBe(0);
    const core = await createCore({ dataDir, config });
    cleanups.push(() => core.close());
    const info = await core.router.call('system.info', {}, { transport: 'test' });
    expect(info).toMatchObject({ ok: true, value: { ready: false } });
    const status = await kioskctl('status', '--json', '--data-dir', dataDir);
    expect(JSON.parse(status.out)).toMatchObject({ development: true });
  }, 120_000);

  it('a kiosk whose provisioning names the development key as real (an older kioskctl) is not ready, and status says development', async () => {
    const dataDir = tempDir('kiosk');
    const dev = await kioskctl(
      'provision',
      '--upstream',
      'https://upstream.example.kz',
      '--upstream-key',
      devUpstreamPublicKeyFile(),
      '--clinic',
      'c1',
      '--development-keys',
      '--data-dir',
      dataDir,
    );
    expect(dev.code, dev.err).toBe(0);
    const file = JSON.parse(readFileSync(provisioningFile(dataDir), 'utf8')) as { current: Record<string, unknown> };
    writeFileSync(
      provisioningFile(dataDir),
      JSON.stringify({ ...file, current: { ...file.current, development: false } }),
    );
    const core = await createCore({ dataDir, config });
    cleanups.push(() => core.close());
    expect(await core.router.call('system.info', {}, { transport: 'test' })).toMatchObject({
      ok: true,
      value: { ready: false },
    });
    const status = await kioskctl('status', '--json', '--data-dir', dataDir);
    expect(JSON.parse(status.out)).toMatchObject({ development: true });
  }, 120_000);
});
