import { mkdtempSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, type AuthorizationRecord, type JournalWrite } from './journal.js';
import { BatchWriter, CHECKPOINT_EVERY_COMMITS, PRAGMAS, SCHEMA } from './journal-worker.js';

const record = (id: string, amountMinor: number): AuthorizationRecord => ({
  id,
  status: 'approved',
  mode: 'standIn',
  state: 'authorized',
  amountMinor,
  currency: 'EUR',
  card: { token: 't'.repeat(64), last4: '1111' },
  merchantId: 'm-1',
  terminalId: 't-1',
  createdAt: new Date(0).toISOString(),
});

const hold = (id: string, amountMinor: number): JournalWrite[] => [
  { kind: 'authorization', record: record(id, amountMinor) },
  {
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
        creditAccountId: 'merchant:m-1',
        amountMinor,
        currency: 'EUR',
        metadata: {},
      },
    },
  },
  { kind: 'answer', key: `key-${id}`, answer: { fingerprint: `f-${id}`, status: 201, body: '{}' } },
];

describe('Journal', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'paygrid-journal-'))));

  it('commits the writes of one turn in one batch, and later ones in the next', async () => {
    const batches: number[] = [];
    const journal = new Journal({ dir, onBatch: (n) => batches.push(n) });
    await Promise.all([
      journal.write(hold('a', 100)),
      journal.write(hold('b', 200)),
      journal.write(hold('c', 300)),
    ]);
    await journal.write(hold('d', 400));
    expect(batches).toEqual([3, 1]);
    await journal.close();
  });

  it('keeps everything across a reopen: answers, records, the outbox in order, the exposure', async () => {
    const first = new Journal({ dir });
    await Promise.all([journal(first, 'a', 100), journal(first, 'b', 250)]);
    await first.close();
    const again = new Journal({ dir });
    expect(again.answer('key-a')).toEqual({ fingerprint: 'f-a', status: 201, body: '{}' });
    expect(again.authorization('b')?.amountMinor).toBe(250);
    expect(again.queued(10).map((e) => e.transfer.id)).toEqual(['a', 'b']);
    expect(again.exposure().get('EUR')).toEqual({ count: 2, amountMinor: 350 });
    expect(again.holdState('a')).toBe('queued');
    const [a] = again.queued(1);
    await again.write([{ kind: 'settled', seq: a!.seq, state: 'forwarded' }]);
    expect(again.queued(10).map((e) => e.transfer.id)).toEqual(['b']);
    expect(again.exposure().get('EUR')).toEqual({ count: 1, amountMinor: 250 });
    expect(again.holdState('a')).toBe('forwarded');
    await again.close();
  });

  it('counts queued captures, reversals and cancels by kind and currency until they are settled', async () => {
    const j = new Journal({ dir });
    const resolution = (
      kind: 'post' | 'void' | 'cancel',
      authorizationId: string,
      amountMinor?: number,
    ): JournalWrite => ({
      kind: 'outbox',
      entry: {
        kind,
        authorizationId,
        exposureMinor: 0,
        currency: 'EUR',
        transfer: {
          id: `${kind}-${authorizationId}`,
          type: kind === 'post' ? 'post' : 'void',
          debitAccountId: 'card:t',
          creditAccountId: 'merchant:m-1',
          ...(amountMinor === undefined ? {} : { amountMinor }),
          currency: 'EUR',
          pendingId: authorizationId,
          metadata: {},
        },
      },
    });
    await j.write([...hold('a', 100), ...hold('b', 250), ...hold('c', 40), ...hold('d', 7)]);
    expect(j.queuedResolutions()).toEqual([]);
    await j.write([
      resolution('post', 'a', 60),
      resolution('post', 'b', 250),
      resolution('void', 'c'),
      resolution('cancel', 'd'),
    ]);
    // A void's amount is the authorization's, which it releases.
    expect(j.queuedResolutions()).toEqual([
      { kind: 'cancel', currency: 'EUR', count: 1, amountMinor: 7 },
      { kind: 'post', currency: 'EUR', count: 2, amountMinor: 310 },
      { kind: 'void', currency: 'EUR', count: 1, amountMinor: 40 },
    ]);
    const post = j.queued(100).find((e) => e.transfer.id === 'post-a')!;
    await j.write([{ kind: 'settled', seq: post.seq, state: 'forwarded' }]);
    expect(j.queuedResolutions().find((r) => r.kind === 'post')).toEqual({
      kind: 'post',
      currency: 'EUR',
      count: 1,
      amountMinor: 250,
    });
    await j.close();
  });

  it('a failing batch rejects every writer in it and commits none of it', async () => {
    const j = new Journal({ dir });
    const good = hold('x', 1)[1] as Extract<JournalWrite, { kind: 'outbox' }>;
    const bad: JournalWrite = { kind: 'outbox', entry: { ...good.entry, exposureMinor: -1 } };
    const results = await Promise.allSettled([j.write(hold('ok', 5)), j.write([bad])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(j.answer('key-ok')).toBeUndefined();
    expect(j.fault).toMatch(/last journal commit failed/);
    await j.write(hold('later', 5));
    expect(j.fault).toBeUndefined();
    await j.close();
  });

  it('close commits what is waiting', async () => {
    const j = new Journal({ dir });
    const pending = j.write(hold('z', 7));
    await j.close();
    await pending;
    const again = new Journal({ dir });
    expect(again.authorization('z')?.amountMinor).toBe(7);
    await again.close();
  });
});

describe('BatchWriter checkpoints', () => {
  it('copies the WAL into the database only when asked after every few commits, never inside COMMIT', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'paygrid-journal-')), 'journal.db');
    const db = new DatabaseSync(file);
    db.exec(PRAGMAS);
    db.exec(SCHEMA);
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const writer = new BatchWriter(db);
    const empty = statSync(file).size;
    // Enough pages per commit that SQLite's own auto-checkpoint (1000 pages) would have run.
    const batch = (n: number) => Array.from({ length: 400 }, (_, i) => hold(`b${n}-${i}`, 1)).flat();
    for (let n = 1; n < CHECKPOINT_EVERY_COMMITS; n++) {
      writer.commit(batch(n));
      expect(writer.checkpointIfDue()).toBe(false);
    }
    expect(statSync(file).size).toBe(empty);
    writer.commit(batch(CHECKPOINT_EVERY_COMMITS));
    expect(writer.checkpointIfDue()).toBe(true);
    expect(statSync(file).size).toBeGreaterThan(empty);
    expect(writer.checkpointIfDue()).toBe(false);
    const count = db.prepare('SELECT COUNT(*) AS n FROM answers').get() as { n: number };
    expect(count.n).toBe(400 * CHECKPOINT_EVERY_COMMITS);
    db.close();
  });
});

function journal(j: Journal, id: string, amount: number): Promise<void> {
  return j.write(hold(id, amount));
}
