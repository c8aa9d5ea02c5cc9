import type { IncomingMessage, ServerResponse } from 'node:http';

/** The HTTP plumbing both receivers share (the SQLite reference and the hub): JSON out, JSON in. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export const tooLarge = Symbol('too large');
export const notJson = Symbol('not JSON');

/** The request body as JSON; `tooLarge` past `maxBytes` (reading stops there), `notJson` when it does not parse. */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return tooLarge;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return notJson;
  }
}
