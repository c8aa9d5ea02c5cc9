// The browser host's binary frame socket on its own, over real loopback WebSockets: only the kiosk
// origin with the page's secret gets in, only checkin.frame is carried, the router sees the exact
// bytes and the transport's copy is zero-filled once the call is answered.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { type Handlers } from '../../electron/shared/api/define.js';
import { createRouter } from '../../electron/shared/api/router.js';
import { checkinContract } from '../../electron/core/patient/checkin/contract.js';
import {
  frameSocketKeyProtocol,
  frameSocketPath,
  frameSocketProtocol,
  payloadTag,
  startFrameSocket,
  type FrameSocket,
} from '../../electron/browser-host/frame-socket.js';
import { makePageBridgeScript } from '../../electron/browser-host/page-bridge.js';

const origin = 'http://kelu.localhost';
// The real checkin.frame schema, with a handler that reports what it received.
const frameSpec = checkinContract['checkin.frame'];
const contract = {
  'checkin.frame': {
    summary: frameSpec.summary,
    input: frameSpec.input,
    output: z.object({ sha256: z.string(), length: z.number() }).passthrough(),
  },
};
const seen: Uint8Array[] = [];
const handlers: Handlers<typeof contract> = {
  'checkin.frame': ({ data }) => {
    seen.push(data);
    return {
      sha256: createHash('sha256').update(data).digest('hex'),
      length: data.length,
      phase: 'guide',
      instruction: 'x',
      progress: 0,
      faces: [],
      attemptsLeft: 3,
    };
  },
};

let socket: FrameSocket;
beforeAll(async () => {
  socket = await startFrameSocket({ router: createRouter(contract, handlers), origin });
});
afterAll(async () => {
  await socket?.close();
});

const url = () => `ws://127.0.0.1:${socket.port}${frameSocketPath}`;

/** The key travels as a WebSocket subprotocol value (issue 17 item 17), never in the URL. */
function open(key: string | undefined, from = origin, where: 'protocol' | 'query' = 'protocol'): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws =
      where === 'query'
        ? new WebSocket(`${url()}?key=${key ?? ''}`, { origin: from })
        : new WebSocket(
            url(),
            key === undefined ? [frameSocketProtocol] : [frameSocketProtocol, frameSocketKeyProtocol(key)],
            { origin: from },
          );
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function callOver(
  ws: WebSocket,
  header: unknown,
  bytes: Uint8Array,
): Promise<{
  id: number;
  result: { ok: boolean; value?: { sha256: string; length: number }; error?: { code: string } };
}> {
  return new Promise((resolve, reject) => {
    ws.once('message', (m) => resolve(JSON.parse(String(m)) as never));
    ws.once('close', (code) => reject(new Error(`closed ${code}`)));
    ws.send(JSON.stringify(header));
    ws.send(bytes);
  });
}

const session = '0b6c7c1e-4f1a-4a57-9d3e-6a2f3c1d9e10';

describe('frame socket', () => {
  it('refuses a handshake without the secret, with a wrong one, or from another origin', async () => {
    await expect(open(undefined)).rejects.toThrow(/refused 401/);
    await expect(open('0'.repeat(socket.secret.length))).rejects.toThrow(/refused 401/);
    await expect(open(socket.secret.slice(1))).rejects.toThrow(/refused 401/);
    await expect(open(socket.secret, 'http://evil.localhost')).rejects.toThrow(/refused 401/);
  });

  it('issue 17 item 17: the secret never travels in the URL (console errors, DevTools and logs show URLs): a key in the query is refused, and the page script puts none there', async () => {
    await expect(open(socket.secret, origin, 'query')).rejects.toThrow(/refused 401/);
    const script = makePageBridgeScript({
      origin,
      path: frameSocketPath,
      secret: socket.secret,
      methods: ['checkin.frame'],
      payloadTag,
    });
    expect(script).not.toMatch(/\?key=/);
    const ws = await open(socket.secret);
    expect(ws.protocol).toBe(frameSocketProtocol);
    ws.close();
  });

  it('carries a 480×360 RGBA frame byte for byte to the router, and wipes its own copy after the answer', async () => {
    const ws = await open(socket.secret);
    try {
      const width = 480;
      const height = 360;
      const bytes = new Uint8Array(width * height * 4);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + (i >> 9)) & 255;
      const answer = await callOver(
        ws,
        { id: 7, method: 'checkin.frame', input: { session, width, height, data: { [payloadTag]: true } } },
        bytes,
      );
      expect(answer.id).toBe(7);
      expect(answer.result.ok).toBe(true);
      expect(answer.result.value).toMatchObject({
        sha256: createHash('sha256').update(bytes).digest('hex'),
        length: bytes.length,
      });
      const received = seen.at(-1)!;
      expect(received.length).toBe(bytes.length);
      expect(received.every((b) => b === 0)).toBe(true);
      // The router's own validation still applies: a wrong size is refused.
      const bad = await callOver(
        ws,
        { id: 8, method: 'checkin.frame', input: { session, width: 64, height: 64, data: { [payloadTag]: true } } },
        bytes.subarray(0, 100),
      );
      expect(bad.result).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    } finally {
      ws.close();
    }
  });

  it('carries no other method, and closes on bytes without a header', async () => {
    const ws = await open(socket.secret);
    await expect(callOver(ws, { id: 1, method: 'staff.login', input: {} }, new Uint8Array(4))).rejects.toThrow(
      /closed 1008/,
    );
    const again = await open(socket.secret);
    const closed = new Promise<number>((resolve) => again.once('close', (code) => resolve(code)));
    again.send(new Uint8Array(16));
    expect(await closed).toBe(1008);
  });
});
