// The authorizer's wiring on a real journal (node:sqlite in a temp dir) and a real HTTP peer for
// the ledger: idempotency (retry, concurrent duplicate, conflict), stand-in limits counted once,
// role and fence decisions from the contract.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, createRegistry, type Contract } from '@paygrid/workload-kit';
import { Authorizer } from './authorizer.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { DeclineReporter } from './decline-reporter.js';
import { Journal } from './journal.js';
import { LedgerClient } from './ledger-client.js';
import { createMetrics } from './metrics.js';
import { OfflineExposureBook } from './offline-exposure.js';
import { Tokenizer } from './tokenizer.js';

const PAN = '4111111111111111';
const body = (amountMinor: number) => ({
  amountMinor,
  currency: 'EUR',
  card: { pan: PAN, expiry: '12/39' },
  merchantId: 'm-1',
  terminalId: 't-1',
});

/** A ledger that answers every write with `status` and `reason` (and counts the writes). */
async function fakeLedgerPeer(
  status: number,
  reason?: string,
  scope?: 'ledger' | 'authorization',
): Promise<{ url: string; writes: () => number; close: () => void }> {
  let writes = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      writes++;
      const text = JSON.stringify(
        reason
          ? { error: { reason, message: reason, fenceEpoch: 9, ...(scope ? { scope } : {}) } }
          : { transfer: {} },
      );
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    writes: () => writes,
    close: () => server.close(),
  };
}

function setup(contract: () => Contract) {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'authorization',
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  });
  const metrics = createMetrics(createRegistry('authorization-test'));
  const journal = new Journal({ dir: mkdtempSync(join(tmpdir(), 'paygrid-authorizer-')) });
  const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 60_000 });
  const ledger = new LedgerClient({
    timeoutMs: 200,
    target: () => ({
      baseUrl: contract().ledgerEndpoint,
      headers: { 'paygrid-epoch': String(contract().epoch) },
    }),
  });
  const exposure = new OfflineExposureBook();
  const authorizer = new Authorizer({
    journal,
    ledger,
    breaker,
    exposure,
    declines: new DeclineReporter({ ledger, breaker, metrics }),
    logger,
    contract,
    tokenizer: () => Tokenizer.fromKey(Buffer.alloc(32, 7)),
    holdTimeoutSeconds: 60,
  });
  return { authorizer, journal, exposure, lines, ledger };
}

const contractWith = (over: Partial<Contract>): Contract => ({
  gateway: 'payments/checkout',
  component: 'authorization',
  member: 'edge-a',
  memberKind: 'EdgeSite',
  region: 'eu-west',
  role: 'Active',
  epoch: 3,
  ledgerEndpoint: 'http://127.0.0.1:1', // refuses: the ledger is down
  standIn: { floorLimitMinor: 5000, maxOfflineCount: 2, maxOfflineAmountMinor: 10000, currency: 'EUR' },
  ...over,
});

describe('Authorizer', () => {
  it('a retry gets the first answer, a concurrent duplicate waits for it, another body is refused', async () => {
    const { authorizer, exposure, journal, ledger } = setup(() => contractWith({}));
    const [a, b] = await Promise.all([
      authorizer.authorize('k-1', body(100)),
      authorizer.authorize('k-1', body(100)),
    ]);
    expect(a.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(exposure.of('EUR')).toEqual({ count: 1, amountMinor: 100 });
    const retry = await authorizer.authorize('k-1', body(100));
    expect(retry).toMatchObject({ status: 201, body: a.body, outcome: 'idempotent_replay' });
    const other = await authorizer.authorize('k-1', body(101));
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ error: { reason: 'IdempotencyKeyReused' } });
    // Concurrent with another body: refused too, not approved twice.
    const [c, d] = await Promise.all([
      authorizer.authorize('k-2', body(100)),
      authorizer.authorize('k-2', body(200)),
    ]);
    expect([c.status, d.status]).toEqual([201, 409]);
    expect(exposure.of('EUR')).toEqual({ count: 2, amountMinor: 200 });
    expect(journal.queued(10)).toHaveLength(2);
    await journal.close();
    ledger.close();
  });

  it('the count limit holds under concurrent requests (reserved before the journal write)', async () => {
    const { authorizer, journal, ledger } = setup(() => contractWith({}));
    const answers = await Promise.all([1, 2, 3, 4].map((i) => authorizer.authorize(`c-${i}`, body(10))));
    const statuses = answers.map((a) => (a.body as { status: string }).status).sort();
    expect(statuses).toEqual(['approved', 'approved', 'declined', 'declined']);
    await journal.close();
    ledger.close();
  });

  it('stops approving when the role does not serve, and the 503 says why', async () => {
    let role: Contract['role'] = 'Standby';
    const { authorizer, journal, ledger } = setup(() => contractWith({ role }));
    const refused = await authorizer.authorize('r-1', body(10));
    expect(refused).toMatchObject({ status: 503, body: { error: { reason: 'NotServing' } } });
    role = 'FailoverTarget';
    // Not stored: the same key is decided once the site serves.
    expect((await authorizer.authorize('r-1', body(10))).status).toBe(201);
    await journal.close();
    ledger.close();
  });

  it('a 409 Fenced from the ledger stops approvals at this epoch, a newer epoch lifts it', async () => {
    const peer = await fakeLedgerPeer(409, 'Fenced');
    let epoch = 3;
    const { authorizer, journal, ledger } = setup(() => contractWith({ epoch, ledgerEndpoint: peer.url }));
    expect(await authorizer.authorize('f-1', body(10))).toMatchObject({
      status: 503,
      body: { error: { reason: 'Fenced', fenceEpoch: 9 } },
    });
    const writes = peer.writes();
    // Fenced: refused without asking the ledger again, and not by stand-in.
    expect(await authorizer.authorize('f-2', body(10))).toMatchObject({
      status: 503,
      body: { error: { reason: 'Fenced' } },
    });
    expect(peer.writes()).toBe(writes);
    expect(authorizer.serving()).toMatchObject({ serving: false, reason: 'Fenced' });
    epoch = 4;
    expect(authorizer.serving()).toEqual({ serving: true });
    peer.close();
    await journal.close();
    ledger.close();
  });

  it('a ledger that is itself fenced (a promoted one writes now) is a ledger away, not a fence on this site: it stands in', async () => {
    const peer = await fakeLedgerPeer(409, 'Fenced', 'ledger');
    const { authorizer, journal, ledger } = setup(() => contractWith({ epoch: 3, ledgerEndpoint: peer.url }));
    const a = await authorizer.authorize('l-1', body(10));
    expect(a).toMatchObject({ status: 201, body: { status: 'approved', mode: 'standIn' } });
    expect(authorizer.serving()).toEqual({ serving: true });
    peer.close();
    await journal.close();
    ledger.close();
  });

  it('online approvals and the PAN: the token and last four only, in the answer and in logs', async () => {
    const peer = await fakeLedgerPeer(201);
    const { authorizer, journal, lines, ledger } = setup(() => contractWith({ ledgerEndpoint: peer.url }));
    const a = await authorizer.authorize('o-1', body(10));
    expect(a.body).toMatchObject({ status: 'approved', mode: 'online', card: { last4: '1111' } });
    expect(JSON.stringify(a.body)).not.toContain(PAN);
    await authorizer.authorize('o-2', { ...body(10), card: { pan: '4111111111111112', expiry: '12/39' } });
    expect(lines.join('')).not.toContain(PAN);
    peer.close();
    await journal.close();
    ledger.close();
  });
  /** The journal's commits held until released; `waiting` counts the writes that reached it. */
  function holdCommits(journal: Journal) {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const state = { waiting: 0, release: () => release() };
    const write = journal.write.bind(journal);
    journal.write = async (w) => {
      state.waiting++;
      await held;
      return write(w);
    };
    return state;
  }
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };

  it('answers an online approval only once it is in the journal too, and a retry meanwhile waits for it', async () => {
    const peer = await fakeLedgerPeer(201);
    const { authorizer, journal, ledger } = setup(() => contractWith({ ledgerEndpoint: peer.url }));
    const commits = holdCommits(journal);
    let answered = false;
    const online = authorizer.authorize('e-1', body(10)).then((a) => ((answered = true), a));
    while (commits.waiting === 0) await turns(1);
    const retry = authorizer.authorize('e-1', body(10));
    await turns(5);
    expect(answered).toBe(false);
    const requests = peer.writes();
    commits.release();
    const a = await online;
    expect(a).toMatchObject({ status: 201, body: { status: 'approved', mode: 'online' } });
    expect(journal.authorization((a.body as { id: string }).id)).toMatchObject({ mode: 'online' });
    expect(await retry).toMatchObject({ status: 201, body: a.body, outcome: 'idempotent_replay' });
    expect(peer.writes()).toBe(requests);
    peer.close();
    await journal.close();
    ledger.close();
  });

  it('answers a stand-in approval only once it is in the journal: the site holds its only copy', async () => {
    const { authorizer, journal, ledger } = setup(() => contractWith({}));
    const commits = holdCommits(journal);
    let answered = false;
    const standIn = authorizer.authorize('s-1', body(10)).then((a) => ((answered = true), a));
    while (commits.waiting === 0) await turns(1);
    await turns(5);
    expect(answered).toBe(false);
    commits.release();
    const a = await standIn;
    expect(a).toMatchObject({ status: 201, body: { status: 'approved', mode: 'standIn' } });
    expect(journal.authorization((a.body as { id: string }).id)).toMatchObject({ mode: 'standIn' });
    await journal.close();
    ledger.close();
  });
});
