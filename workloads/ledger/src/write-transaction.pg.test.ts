// The group-commit transaction on a real PostgreSQL, called directly: a row the database refuses
// although the plan booked it is isolated (the batch is rolled back and redone row by row, the
// other rows booked once), and a commit that wrote events notifies the change feed's channel with
// the highest seq.
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@paygrid/workload-kit/testing';
import { checkInvariants } from './invariants.js';
import { migrate } from './migrate.js';
import { planBatch } from './plan-batch.js';
import { parseTransfer } from './transfer-request.js';
import { commitBatch, EVENTS_CHANNEL, type Job } from './write-transaction.js';

const single = (id: string, debitAccountId: string, creditAccountId: string, amountMinor: number): Job => ({
  kind: 'transfer',
  writer: { epoch: 3, member: 'edge-a' },
  request: parseTransfer({
    id,
    type: 'single',
    debitAccountId,
    creditAccountId,
    amountMinor,
    currency: 'EUR',
  }),
});

describe('the write transaction on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let client: pg.PoolClient;

  beforeAll(async () => {
    db = await createTestDatabase('ledger_write_tx');
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    await migrate(pool);
    await pool.query(
      "INSERT INTO accounts (id, currency, debits_must_not_exceed_credits) VALUES ('prepaid:1', 'EUR', true), ('merchant:1', 'EUR', false)",
    );
    client = await pool.connect();
  });

  afterAll(async () => {
    client?.release();
    await pool?.end();
    await db?.drop();
  });

  afterEach(async () => {
    expect(await checkInvariants(pool)).toEqual([]);
  });

  it('isolates a row the database refuses against a wrong plan, and books the others once', async () => {
    // The plan is told the prepaid account has no flag: it books the overdraft; the database does not.
    const blindPlanner: typeof planBatch = (items, state) =>
      planBatch(items, {
        ...state,
        accounts: new Map(
          [...state.accounts].map(([id, a]) => [id, { ...a, debitsMustNotExceedCredits: false }]),
        ),
      });
    const results = await commitBatch(
      client,
      [
        single('overdraw', 'prepaid:1', 'merchant:1', 10),
        single('fine', 'merchant:1', 'shop:2', 5),
        single('overdraw', 'prepaid:1', 'merchant:1', 10),
      ],
      { epoch: 3, member: 'ledger' },
      blindPlanner,
    );
    expect(results.map((r) => r.kind)).toEqual(['rejected', 'booked', 'retry']);
    expect(results[0]).toMatchObject({ reason: 'InsufficientFunds' });
    const { rows } = await pool.query<{ id: string; seq: string }>('SELECT id, seq FROM transfers');
    expect(rows.map((r) => r.id)).toEqual(['fine']);
    expect(results[1]).toMatchObject({ transfer: { id: 'fine', seq: Number(rows[0]?.seq) } });
    const fence = await pool.query<{ epoch: string }>("SELECT epoch FROM fences WHERE scope = 'ledger'");
    expect(fence.rows[0]?.epoch).toBe('3');
  });

  it('takes the ids of its opening reads as quoted literals: quotes and backslashes read nothing, run nothing', async () => {
    // The API and the schema refuse such ids; the opening query must hold even so.
    const nasty = ["o'brien\\x", "x'); DROP TABLE transfers; --", "E'\\\\'"];
    const post = (id: string, pendingId: string): Job => {
      const job = single(id, 'merchant:1', 'shop:4', 1) as Extract<Job, { kind: 'transfer' }>;
      return { ...job, request: { ...job.request, type: 'post', pendingId } };
    };
    const results = await commitBatch(
      client,
      [...nasty.map((n, i) => post(`post-${i}`, n)), single('plain', 'merchant:1', 'shop:4', 2)],
      { epoch: 3, member: 'ledger' },
    );
    expect(results.map((r) => (r.kind === 'rejected' ? r.reason : r.kind))).toEqual([
      'PendingNotFound',
      'PendingNotFound',
      'PendingNotFound',
      'booked',
    ]);
    const { rows } = await pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM transfers WHERE id = 'plain'",
    );
    expect(rows[0]?.n).toBe('1');
  });

  it('notifies the change feed with the highest seq it committed, and only after the commit', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    try {
      const payloads: string[] = [];
      listener.on('notification', (n) => payloads.push(n.payload ?? ''));
      await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
      const heard = new Promise<void>((resolve) => listener.once('notification', () => resolve()));
      const results = await commitBatch(
        client,
        [single('n-1', 'merchant:1', 'shop:3', 1), single('n-2', 'merchant:1', 'shop:4', 2)],
        { epoch: 3, member: 'ledger' },
      );
      await heard;
      const seqs = results.map((r) => (r.kind === 'booked' ? r.transfer.seq : 0));
      expect(payloads).toEqual([String(Math.max(...seqs))]);
      const committed = await pool.query("SELECT 1 FROM transfers WHERE id IN ('n-1', 'n-2')");
      expect(committed.rowCount).toBe(2);
    } finally {
      await listener.end();
    }
  });
});
