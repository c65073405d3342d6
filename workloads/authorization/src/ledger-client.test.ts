import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LedgerClient, type LedgerTarget } from './ledger-client.js';

function listen(onRequest: (req: IncomingMessage) => void): Promise<Server> {
  const server = createServer((req, res) => {
    onRequest(req);
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('LedgerClient', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it("calls the contract's current endpoint, under its path, with its fencing headers", async () => {
    const seen: { server: string; url: string; epoch: string | undefined }[] = [];
    const a = await listen((req) =>
      seen.push({ server: 'a', url: req.url!, epoch: req.headers['paygrid-epoch'] as string }),
    );
    const b = await listen((req) =>
      seen.push({ server: 'b', url: req.url!, epoch: req.headers['paygrid-epoch'] as string }),
    );
    servers.push(a, b);
    let target: LedgerTarget = {
      baseUrl: `http://127.0.0.1:${(a.address() as AddressInfo).port}/`,
      headers: { 'paygrid-epoch': '3' },
    };
    const client = new LedgerClient({ timeoutMs: 2000, target: () => target });
    expect(await client.call('POST', '/v1/transfers', { id: 'x' })).toEqual({
      kind: 'answered',
      status: 201,
      body: { ok: true },
    });
    target = {
      baseUrl: `http://127.0.0.1:${(b.address() as AddressInfo).port}/ledger/`,
      headers: { 'paygrid-epoch': '4' },
    };
    await client.call('GET', '/v1/transfers/x');
    expect(seen).toEqual([
      { server: 'a', url: '/v1/transfers', epoch: '3' },
      { server: 'b', url: '/ledger/v1/transfers/x', epoch: '4' },
    ]);
    client.close();
  });

  it('says a refused connection was not sent, so the caller knows nothing was booked', async () => {
    const s = await listen(() => undefined);
    const port = (s.address() as AddressInfo).port;
    await new Promise((r) => s.close(r));
    const client = new LedgerClient({
      timeoutMs: 2000,
      target: () => ({ baseUrl: `http://127.0.0.1:${port}`, headers: {} }),
    });
    expect(await client.call('GET', '/readyz')).toMatchObject({ kind: 'unavailable', ambiguous: false });
    client.close();
  });
});
