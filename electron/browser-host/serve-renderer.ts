// Serves the built renderer (out/renderer) to Chromium through Playwright request interception:
// the page lives on a loopback-named origin (a secure context, so getUserMedia works) while the
// host opens no network port. Every request to any other origin is refused: the kiosk is offline
// by design and its screens load nothing from outside.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Route } from 'playwright-core';
import { contentSecurityPolicy } from '../serving/csp.js';
import { rendererHeaders, resolveRendererFile } from '../serving/renderer-files.js';

/** *.localhost is "potentially trustworthy" in Chromium: http on it is a secure context. */
export const kioskOrigin = 'http://kelu.localhost';

/** Installs the interception on the context; pages opened in it get the renderer and nothing else. */
export async function serveRenderer(context: BrowserContext, rendererDir: string): Promise<void> {
  const handle = async (route: Route): Promise<void> => {
    const url = new URL(route.request().url());
    if (url.origin !== kioskOrigin) {
      await route.abort('blockedbyclient');
      return;
    }
    const file = resolveRendererFile(rendererDir, url.pathname);
    if (!file) {
      await route.fulfill({ status: 404, contentType: 'text/plain; charset=utf-8', body: 'Not found' });
      return;
    }
    await route.fulfill({
      status: 200,
      headers: rendererHeaders(file, contentSecurityPolicy),
      body: readFileSync(file),
    });
  };
  await context.route('**/*', handle);
}
