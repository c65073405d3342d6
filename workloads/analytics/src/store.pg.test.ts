// The store on a real PostgreSQL: migrations idempotent under concurrency, a batch counted once
// however often it is applied, holds followed across batches, and a transaction that fails half
// way leaves neither aggregates nor cursor behind.
import pg from 'pg';
import { createTestDatabase, queryText, type TestDatabase } from '@paygrid/workload-kit/testing';
import { migrate } from './migrate.js';
import { readTotals } from './queries.js';
import { applyEvents, readCursor } from './store.js';
import { declineEvent, hold, parsed, resetSeq, resolve, transferEvent } from './test-support/events.js';

const A = { gateway: 'payments/checkout', site: 'edge-a', latencyMs: 4 };

describe('analytics store on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase('analytics_store');
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const totalsText = () =>
    queryText(
      db.url,
      `SELECT (SELECT coalesce(json_agg(c ORDER BY gateway, site), '[]') FROM counts_total c)::text || ' ' ||
              (SELECT coalesce(json_agg(v ORDER BY gateway, site, currency, kind), '[]') FROM volumes_total v)::text || ' ' ||
              (SELECT coalesce(json_agg(m ORDER BY minute, gateway, site), '[]') FROM counts_by_minute m)::text || ' ' ||
              (SELECT seq FROM feed_cursor)`,
    );

  it('migrates once, even when two replicas start together', async () => {
    const other = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      const [a, b] = await Promise.all([migrate(pool), migrate(other)]);
      expect([...a, ...b]).toEqual([1]);
      expect(await migrate(pool)).toEqual([]);
      expect(await queryText(db.url, 'SELECT count(*) FROM schema_migrations')).toBe('1');
    } finally {
      await other.end();
    }
  });

  it('counts a batch once however often it is applied, and only the new part of an overlap', async () => {
    resetSeq();
    const raw = [
      transferEvent(hold('authz_1', 1000, A)),
      transferEvent(hold('authz_2', 2000, A, { standIn: true })),
      declineEvent({ id: 'd1', amountMinor: 50, reason: 'FloorLimitExceeded', metadata: A }),
    ];
    const first = await applyEvents(pool, parsed(raw));
    expect(first).toMatchObject({ cursorBefore: 0, cursor: 3 });
    const after = await totalsText();

    const again = await applyEvents(pool, parsed(raw));
    expect(again).toEqual({ cursorBefore: 3, cursor: 3, folded: undefined });
    expect(await totalsText()).toBe(after);

    // A page re-fetched after a crash overlaps the committed part: only seq 4 is new.
    const overlap = [...raw.slice(1), transferEvent(resolve('post', 'cap_1', 'authz_1', 600))];
    const third = await applyEvents(pool, parsed(overlap, 1));
    expect(third.folded?.outcomes).toEqual({ counted: 1, ignored: 0, skipped: 0 });
    const totals = await readTotals(pool);
    expect(totals.counts).toEqual([
      {
        gateway: 'payments/checkout',
        site: 'edge-a',
        approvals: 2n,
        standInApprovals: 1n,
        declines: 1n,
        latencyCount: 3n,
        latencySumMs: 12n,
      },
    ]);
    expect(totals.volumes.map((v) => [v.kind, v.count, v.amountMinor]).sort()).toEqual([
      ['approved', 2n, 3000n],
      ['captured', 1n, 600n],
      ['declined', 1n, 50n],
    ]);
    // The captured hold left open_holds; the other is still open.
    expect(await queryText(db.url, "SELECT string_agg(id, ',') FROM open_holds")).toBe('authz_2');
    expect((await readCursor(pool)).seq).toBe(4);
  });

  it('rolls a batch back whole when PostgreSQL fails half way: no aggregate, no cursor', async () => {
    const before = await totalsText();
    const locker = await pool.connect();
    const impatient = new pg.Pool({ connectionString: db.url, max: 1, options: '-c lock_timeout=300' });
    try {
      await locker.query('BEGIN');
      // counts_* and declines_* are written before volumes_total, which this lock blocks.
      await locker.query('LOCK TABLE volumes_total IN EXCLUSIVE MODE');
      resetSeq(4);
      const batch = parsed(
        [transferEvent(hold('authz_3', 700, A)), transferEvent(resolve('void', 'rev_2', 'authz_2', 2000))],
        4,
      );
      await expect(applyEvents(impatient, batch)).rejects.toThrow(/lock timeout/);
      await locker.query('ROLLBACK');
      expect(await totalsText()).toBe(before);
      expect(await queryText(db.url, "SELECT string_agg(id, ',') FROM open_holds")).toBe('authz_2');

      // The same batch, fetched again, then counts once.
      await applyEvents(pool, batch);
      expect((await readCursor(pool)).seq).toBe(6);
      const volumes = (await readTotals(pool)).volumes.map((v) => [v.kind, v.amountMinor]).sort();
      expect(volumes).toEqual([
        ['approved', 3700n],
        ['captured', 600n],
        ['declined', 50n],
        ['voided', 2000n],
      ]);
    } finally {
      locker.release();
      await impatient.end();
    }
  });
});
