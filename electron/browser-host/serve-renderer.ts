// Serves the built renderer (out/renderer) to Chromium through Playwright request interception:
// the page lives on a loopback-named origin (a secure context, so getUserMedia works) while the
// host opens no network port. Every request to any other origin is refused: the kiosk is offline
// by design and its screens load nothing from outside.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { BrowserContext, Route } from 'playwright-core';
import { contentSecurityPolicy } from '../main/csp.js';

/** *.localhost is "potentially trustworthy" in Chromium: http on it is a secure context. */
export const kioskOrigin = 'http://kelu.localhost';

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.bin': 'application/octet-stream',
};

/**
 * Maps a URL path to a file inside `root`, or undefined when it would escape the folder or does
 * not exist. `/` is index.html. Pure apart from the existence check; unit-tested.
 */
export function resolveRendererFile(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const file = normalize(join(base, relative));
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  if (!existsSync(file) || !statSync(file).isFile()) return undefined;
  return file;
}

export const contentTypeOf = (file: string): string => mimeTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';

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
    const headers: Record<string, string> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (file.endsWith('.html')) headers['content-security-policy'] = contentSecurityPolicy;
    await route.fulfill({ status: 200, contentType: contentTypeOf(file), headers, body: readFileSync(file) });
  };
  await context.route('**/*', handle);
}
