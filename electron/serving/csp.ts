/**
 * The renderer's Content-Security-Policy, sent as a response header by both shells (Electron's
 * session and the browser host's request handler). renderer/index.html carries the same policy in a
 * meta tag; when both exist the browser enforces both, so the stricter of the two wins.
 * 'wasm-unsafe-eval' lets the page compile WebAssembly (the QR decoder) without allowing eval().
 * Pure: no Electron import, so the browser host and unit tests can use it.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self' blob: data:",
  "worker-src 'self' blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
].join('; ');
