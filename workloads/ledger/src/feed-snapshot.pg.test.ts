// The change feed under a live writer: every batch books a transfer and a decline in one
// transaction (the transfer's seq just below the decline's) while a follower pages through
// readEvents as fast as it can. Read in two snapshots, a batch committing between the two reads
// showed the decline without its transfer, the cursor passed the transfer's seq, and it was never
// delivered (analytics under-counted approvals). Every seq must arrive exactly once, in order.
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@paygrid/workload-kit/testing';
import { checkInvariants } from './invariants.js';
import { migrate } from './migrate.js';
import { readEvents } from './reads.js';
import { parseDecline, parseTransfer } from './transfer-request.js';
import { commitBatch, type Job } from './write-transaction.js';

const BATCHES = 300;
const writer = { epoch: 1, member: 'edge-a' };

function batch(i: number): Job[] {
  return [
    {
      kind: 'transfer',
      writer,
      request: parseTransfer({
        id: `t-${i}`,
        type: 'single',
        debitAccountId: 'card:1',
        creditAccountId: 'merchant:1',
        amountMinor: 100 + i,
        currency: 'EUR',
      }),
    },
    {
      kind: 'decline',
      writer,
      decline: parseDecline({ id: `d-${i}`, amountMinor: 7, currency: 'EUR', reason: 'InsufficientFunds' }),
    },
  ];
}

describe('the change feed while the writer commits', () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase('ledger_feed_snapshot');
    pool = new pg.Pool({ connectionString: db.url, max: 6 });
    await migrate(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('delivers every seq once, in order, to a follower paging during the writes', async () => {
    const client = await pool.connect();
    let writing = true;
    const written = (async () => {
      try {
        for (let i = 0; i < BATCHES; i++) await commitBatch(client, batch(i), { epoch: 1, member: 'ledger' });
      } finally {
        writing = false;
        client.release();
      }
    })();
    const delivered: number[] = [];
    let cursor = 0;
    const deadline = Date.now() + 60_000;
    // Follow until the writer is done and a page comes back empty (bounded in time).
    for (;;) {
      const writerDone = !writing; // before the read: an empty page then means nothing is left
      const page = await readEvents(pool, cursor, 3);
      for (const e of page) delivered.push(e.seq);
      if (page.length > 0) cursor = page[page.length - 1]!.seq;
      else if (writerDone) break;
      if (Date.now() > deadline) throw new Error('follower did not finish in 60 s');
    }
    await written;
    const all = await pool.query<{ seq: string }>(
      'SELECT seq FROM transfers UNION ALL SELECT seq FROM declines ORDER BY seq',
    );
    expect(all.rows).toHaveLength(2 * BATCHES);
    expect(delivered).toEqual(all.rows.map((r) => Number(r.seq)));
    expect(await checkInvariants(pool)).toEqual([]);
  }, 90_000);
});
