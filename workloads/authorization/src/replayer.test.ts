// The replayer on a real journal against an HTTP peer that books like the ledger (idempotent by
// id, a post needs its hold first): order, acknowledgement before "forwarded", a failed round
// leaves everything queued, and a replay of entries the ledger already has books nothing twice.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, createRegistry } from '@paygrid/workload-kit';
import { CircuitBreaker } from './circuit-breaker.js';
import { Journal, type JournalWrite, type LedgerTransfer } from './journal.js';
import { LedgerClient } from './ledger-client.js';
import { createMetrics } from './metrics.js';
import { OfflineExposureBook } from './offline-exposure.js';
import { Replayer } from './replayer.js';

interface Booked {
  readonly transfer: LedgerTransfer & { standIn?: boolean };
  state: string;
}

async function ledgerPeer() {
  const booked = new Map<string, Booked>();
  const calls: string[][] = [];
  let down = false;
  const book = (t: LedgerTransfer & { standIn?: boolean }) => {
    if (booked.has(t.id)) return { status: 200, transfer: t };
    if (t.type !== 'pending') {
      const hold = booked.get(t.pendingId ?? '');
      if (!hold) return { status: 422, error: { reason: 'PendingNotFound' } };
      hold.state = t.type === 'post' ? 'posted' : 'voided';
    }
    booked.set(t.id, { transfer: t, state: t.type === 'pending' ? 'pending' : 'posted' });
    return { status: 201, transfer: t };
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (down) return res.writeHead(503).end('{"error":{"reason":"NotPrimary"}}');
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { transfers: LedgerTransfer[] };
      calls.push(body.transfers.map((t) => t.id));
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ results: body.transfers.map(book) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    booked,
    calls,
    setDown: (v: boolean) => (down = v),
    close: () => server.close(),
  };
}

const hold = (id: string, amountMinor: number): JournalWrite => ({
  kind: 'outbox',
  entry: {
    kind: 'hold',
    authorizationId: id,
    exposureMinor: amountMinor,
    currency: 'EUR',
    transfer: {
      id,
      type: 'pending',
      debitAccountId: 'card:t',
      creditAccountId: 'merchant:m',
      amountMinor,
      currency: 'EUR',
      metadata: {},
    },
  },
});
const capture = (id: string, of: string): JournalWrite => ({
  kind: 'outbox',
  entry: {
    kind: 'post',
    authorizationId: of,
    exposureMinor: 0,
    currency: 'EUR',
    transfer: {
      id,
      type: 'post',
      debitAccountId: 'card:t',
      creditAccountId: 'merchant:m',
      amountMinor: 5,
      currency: 'EUR',
      pendingId: of,
      metadata: {},
    },
  },
});

describe('Replayer', () => {
  it('forwards in journal order, a capture after its hold, each once, and releases the exposure', async () => {
    const peer = await ledgerPeer();
    const dir = mkdtempSync(join(tmpdir(), 'paygrid-replay-'));
    const journal = new Journal({ dir });
    await journal.write([hold('a', 10), hold('b', 20), capture('ca', 'a'), hold('c', 30)]);
    const exposure = new OfflineExposureBook();
    exposure.load(journal.exposure());
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 60_000 });
    const ledger = new LedgerClient({ timeoutMs: 1000, target: () => ({ baseUrl: peer.url, headers: {} }) });
    const replayer = new Replayer({
      journal,
      ledger,
      breaker,
      exposure,
      metrics: createMetrics(createRegistry('replay-test')),
      logger: createLogger({
        service: 'test',
        destination: new Writable({ write: (_c, _e, done) => done() }),
      }),
      intervalMs: 1000,
      batchSize: 100,
      timeoutMs: 1000,
    });

    // The ledger fails the round: nothing is marked, nothing released.
    peer.setDown(true);
    await replayer.drain();
    expect(journal.queued(10)).toHaveLength(4);
    expect(exposure.of('EUR')).toEqual({ count: 3, amountMinor: 60 });
    expect(breaker.state).toBe('open');

    peer.setDown(false);
    breaker.onSuccess();
    await replayer.drain();
    expect(peer.calls).toEqual([
      ['a', 'b'],
      ['ca', 'c'],
    ]);
    expect(peer.booked.get('a')?.state).toBe('posted');
    expect([...peer.booked.values()].every((b) => b.transfer.standIn === true)).toBe(true);
    expect(journal.queued(10)).toEqual([]);
    expect(exposure.of('EUR')).toEqual({ count: 0, amountMinor: 0 });
    await journal.close();

    // A crash after the ledger booked but before "forwarded" was durable: the journal still has
    // them queued; the replay gets duplicates (200) and books nothing twice.
    const again = new Journal({ dir: mkdtempSync(join(tmpdir(), 'paygrid-replay-')) });
    await again.write([hold('a', 10), hold('b', 20)]);
    const replayAgain = new Replayer({
      journal: again,
      ledger,
      breaker,
      exposure: new OfflineExposureBook(),
      metrics: createMetrics(createRegistry('replay-test-2')),
      logger: createLogger({
        service: 'test',
        destination: new Writable({ write: (_c, _e, done) => done() }),
      }),
      intervalMs: 1000,
      batchSize: 100,
      timeoutMs: 1000,
    });
    const before = peer.booked.size;
    await replayAgain.drain();
    expect(again.queued(10)).toEqual([]);
    expect(peer.booked.size).toBe(before);
    await again.close();
    ledger.close();
    peer.close();
  });

  it('finish: replays what is queued before exit even with the breaker open, and gives up at the grace', async () => {
    const peer = await ledgerPeer();
    const journal = new Journal({ dir: mkdtempSync(join(tmpdir(), 'paygrid-replay-')) });
    await journal.write([hold('x', 10), hold('y', 20), capture('cx', 'x')]);
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 60_000 });
    breaker.onFailure(); // open: the ordinary drain would not even try
    const ledger = new LedgerClient({ timeoutMs: 1000, target: () => ({ baseUrl: peer.url, headers: {} }) });
    const replayer = (j: Journal) =>
      new Replayer({
        journal: j,
        ledger,
        breaker,
        exposure: new OfflineExposureBook(),
        metrics: createMetrics(createRegistry(`replay-finish-${Math.random()}`)),
        logger: createLogger({
          service: 'test',
          destination: new Writable({ write: (_c, _e, done) => done() }),
        }),
        intervalMs: 50,
        batchSize: 100,
        timeoutMs: 1000,
      });
    await replayer(journal).drain();
    expect(peer.calls).toEqual([]);
    expect(await replayer(journal).finish(5000)).toBe(0);
    expect(peer.calls).toEqual([['x', 'y'], ['cx']]);
    expect(journal.queued(10)).toEqual([]);

    // The ledger never answers: finish returns what is left once the grace is spent.
    peer.setDown(true);
    await journal.write([hold('z', 30)]);
    const t0 = Date.now();
    expect(await replayer(journal).finish(300)).toBe(1);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(peer.booked.has('z')).toBe(false);
    await journal.close();
    ledger.close();
    peer.close();
  });
});
