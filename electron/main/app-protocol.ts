// app://kelu/ serves the built renderer from disk: a secure context of its own (so getUserMedia
// works and CSP 'self' means exactly these files) without file:// and its wide reach.
import { readFile } from 'node:fs/promises';
import type { Protocol } from 'electron';
import { contentSecurityPolicy } from '../serving/csp.js';
import { rendererHeaders, resolveRendererFile } from '../serving/renderer-files.js';
import { appHost, appScheme } from './security-policy.js';

/** Must run before the app is ready. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: appScheme,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
    },
  ]);
}

export function handleAppScheme(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    if (url.host !== appHost || request.method !== 'GET') return new Response('Not found', { status: 404 });
    const file = resolveRendererFile(rendererDir, url.pathname);
    if (!file) return new Response('Not found', { status: 404 });
    return new Response(new Uint8Array(await readFile(file)), {
      status: 200,
      headers: rendererHeaders(file, contentSecurityPolicy),
    });
  });
}
