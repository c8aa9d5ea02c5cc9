import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkOptions, OptionsError, parseOptions, readOptions } from '../../electron/core/platform/cli-options.js';
import { modelPackageOption } from '../../electron/core/face/model-package.js';
import { projectRoot } from '../../tools/harness/fixtures.js';

const schema = z.object({
  fps: z.coerce.number({ error: '--fps must be a number' }).int().default(10),
  json: z.boolean().default(false),
  'model-package': z.array(modelPackageOption).default([]),
  name: z.string().min(2),
  help: z.boolean().optional(),
});

describe('command-line options, each named once in a zod object', () => {
  it('reads flags, repeated options and coerced values from the schema alone', () => {
    const sha = 'a'.repeat(64);
    const { values } = parseOptions(
      ['--fps', '12', '--json', '--name', 'kiosk', '--model-package', '/opt/m', '--model-package', `/opt/n:${sha}`],
      schema,
    );
    expect(values).toEqual({
      fps: 12,
      json: true,
      name: 'kiosk',
      'model-package': [{ dir: '/opt/m' }, { dir: '/opt/n', manifestSha256: sha }],
    });
    expect(parseOptions(['-h', '--name', 'ab'], schema, { short: { help: 'h' } }).values.help).toBe(true);
  });

  it('refuses an unknown option and a bad value in one message naming the option, never twice', () => {
    expect(() => parseOptions(['--name', 'ab', '--colour'], schema)).toThrow(OptionsError);
    expect(() => parseOptions(['--name', 'ab', '--colour'], schema)).toThrow(/Unknown option '--colour'/);
    expect(() => parseOptions(['--name', 'ab', '--fps', 'ten'], schema)).toThrow(/^--fps must be a number$/);
    expect(() => parseOptions(['--name', 'a'], schema)).toThrow(/^--name: /);
    expect(() => parseOptions(['--name', 'ab', '--model-package', 'dir:abc'], schema)).toThrow(
      /--model-package takes DIR or DIR:SHA256/,
    );
  });

  it('parses a tool with sub-commands with the union of their tables, each command checking its own', () => {
    const serve = z.object({ port: z.coerce.number().int() });
    const add = z.object({ id: z.string().min(1) });
    const raw = readOptions(['add', '--id', 'c1'], [serve, add], { positionals: true });
    expect(raw.positionals).toEqual(['add']);
    expect(checkOptions(raw.values, add)).toEqual({ id: 'c1' });
    expect(() => checkOptions(raw.values, serve)).toThrow(/^--port: /);
  });
});

describe('the tools refuse a bad option with their usage and exit code 2', () => {
  const tsx = (file: string, ...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, file), ...args], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, KELU_HUB_DATABASE_URL: '' },
    });

  it('the reference upstream and the hub', () => {
    const up = tsx('upstream/cli.ts', '--port', '0', '--frobnicate');
    expect([up.status, up.stderr]).toEqual([
      2,
      expect.stringMatching(/^upstream: Unknown option '--frobnicate'[^]*Usage:/),
    ]);
    const upPort = tsx('upstream/cli.ts', '--port', 'x', '--data-dir', '/tmp/x', '--key', '/tmp/k');
    expect([upPort.status, upPort.stderr]).toEqual([2, expect.stringMatching(/^upstream: --port: /)]);
    const hub = tsx('upstream/hub/cli.ts', 'serve', '--frobnicate');
    expect([hub.status, hub.stderr]).toEqual([2, expect.stringMatching(/^hub: Unknown option '--frobnicate'/)]);
    const noKey = tsx('upstream/hub/cli.ts', 'serve', '--database-url', 'postgres://127.0.0.1:1/none');
    expect([noKey.status, noKey.stderr]).toEqual([2, expect.stringMatching(/at least one --key FILE/)]);
  });
});
