import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, type AuthorizationRecord, type JournalWrite } from './journal.js';

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

function journal(j: Journal, id: string, amount: number): Promise<void> {
  return j.write(hold(id, amount));
}
