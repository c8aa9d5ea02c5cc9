#!/usr/bin/env node
// `npm run start:browser -- [--camera FILE|none] [--data-dir DIR] [--config FILE] [--headless]
//   [--lang kk|ru|en] [--remote-debugging-port N] [--dev-keys]`
import { parseCliArgs, usage } from './cli-args.js';
import { startBrowserHost, type BrowserHostOptions } from './host.js';

async function main(argv: string[]): Promise<number> {
  let options: BrowserHostOptions | 'help';
  try {
    options = parseCliArgs(argv);
  } catch (err) {
    console.error(`start:browser: ${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
    return 2;
  }
  if (options === 'help') {
    console.log(usage);
    return 0;
  }
  const host = await startBrowserHost({ ...options, log: (line) => console.error(line) });
  const cameraText =
    host.camera.kind === 'file'
      ? `file ${host.camera.y4m}`
      : host.camera.kind === 'real'
        ? 'the machine webcam'
        : host.camera.kind === 'simulator'
          ? `the patient simulator (${host.simulator?.recordings.length ?? 0} recordings)`
          : 'none';
  console.log(
    `Kelu browser host: ${host.url} (${host.headless ? 'headless' : 'window'}; camera: ${cameraText}; data: ${options.dataDir})`,
  );
  if (host.cdpUrl) {
    console.log(
      `DevTools (CDP): ${host.cdpUrl}  →  chromium.connectOverCDP('${host.cdpUrl}'), then browser.contexts()[0].pages()[0]`,
    );
  }
  if (options.developmentKeys)
    console.log(
      'Development keys: an unprovisioned kiosk seals visits to the DEVELOPMENT upstream key (resources/dev-upstream/, secret in git). Never for patients.',
    );
  console.log('Press Ctrl+C to stop.');
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    host.context.once('close', () => done());
  });
  await host.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`start:browser: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
