// Maps a request path to a file of the built renderer. Pure (no Electron), shared by the Electron
// app:// protocol handler and the browser host's request interception.
import { existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

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
 * The file inside `root` for a URL path, or undefined when it would escape the folder (`..`,
 * encoded or not), holds a NUL, or does not exist. `/` is index.html.
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

export const contentTypeOf = (file: string): string =>
  mimeTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';

/** Headers every renderer file is served with; the CSP travels with the HTML documents. */
export function rendererHeaders(file: string, csp: string): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': contentTypeOf(file),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  if (file.endsWith('.html')) headers['content-security-policy'] = csp;
  return headers;
}
