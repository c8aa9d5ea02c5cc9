// Issue 17 item 4: the HTTPS rule holds for the URL fetched, not only the URL configured. An
// allowed loopback upstream answers 307 to a plain-HTTP host that is not loopback (0.0.0.0 reaches
// this machine, but the rule does not count it as loopback): the kiosk must not post there.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openHeadlessKiosk, quickSettings, syntheticVisit } from '../../tools/harness/headless-kiosk.js';
import { Outbox } from '../../electron/core/delivery/sync/outbox.js';
import { useCleanups } from '../support/upstream.js';

const { cleanups, tempDir } = useCleanups();

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  cleanups.push(() => new Promise((r) => server.close(r)));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })),
  );
}

describe('issue 17 item 4: redirects are refused', () => {
  it('a 307 from the loopback upstream to plain HTTP elsewhere: nothing is posted there, the visit stays queued', async () => {
    const received: string[] = [];
    const rogue = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        const ids = (JSON.parse(body) as { items: Array<{ id: string }> }).items.map((i) => i.id);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ results: ids.map((id) => ({ id, status: 'accepted', verdict: 'egov-valid' })) }));
      });
    });
    const allowed = await listen((req, res) => {
      req.resume();
      res.writeHead(307, { location: `http://0.0.0.0:${rogue.port}${req.url ?? '/'}` });
      res.end();
    });
    const kiosk = await openHeadlessKiosk(
      tempDir('kiosk'),
      { sync: { upstreamUrl: `http://127.0.0.1:${allowed.port}` } },
      quickSettings,
    );
    cleanups.push(() => kiosk.close());
    await kiosk.queue.queueVisit(syntheticVisit(1));
    const p = await kiosk.sync.engine.drain({ deadlineMs: 3_000 });
    expect(received).toHaveLength(0);
    expect(p.accepted).toBe(0);
    expect(new Outbox(kiosk.db).counts(kiosk.keys.provisioning.upstreamKeyId).pending).toBe(1);
  });
});
