// Lock order: transfers between the same accounts in both directions, from many connections at
// once (direct SQL and the writer's group commit side by side), never deadlock, and the books
// stay sound. The transfer trigger locks each pair in id order and the writer locks a batch's
// accounts in id order with the same lock mode; before that, two inserts naming one account, or
// A→B against B→A, aborted with 40P01.
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@paygrid/workload-kit/testing';
import { checkInvariants } from './invariants.js';
import { migrate } from './migrate.js';
import { parseTransfer } from './transfer-request.js';
import { commitBatch, type Job } from './write-transaction.js';

const CONNECTIONS = 8;
const PER_CONNECTION = 30;
const BATCHES = 40;
const ACCOUNTS = ['acct:a', 'acct:b', 'acct:c'];

describe('lock order on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase('ledger_locks');
    // A short deadlock_timeout: a deadlock is found (and fails the test) in milliseconds, not seconds.
    pool = new pg.Pool({
      connectionString: db.url,
      max: CONNECTIONS + 2,
      options: '-c deadlock_timeout=20ms',
    });
    await migrate(pool);
    await pool.query("INSERT INTO accounts (id, currency) SELECT unnest($1::text[]), 'EUR'", [ACCOUNTS]);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const pair = (n: number): [string, string] => {
    const from = ACCOUNTS[n % 3] as string;
    const to = ACCOUNTS[(n + 1 + (n % 2)) % 3] as string;
    return [from, to];
  };

  it('books transfers in both directions from direct SQL and the writer at once, with no deadlock', async () => {
    const sqlFailures: string[] = [];
    const direct = Array.from({ length: CONNECTIONS }, async (_, c) => {
      for (let i = 0; i < PER_CONNECTION; i++) {
        const n = c * PER_CONNECTION + i;
        const [d, k] = pair(n);
        // Two rows in one transaction, the second in the opposite direction: locks held longer.
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          for (const [id, from, to] of [
            [`sql-${n}-1`, d, k],
            [`sql-${n}-2`, k, d],
          ])
            await client.query(
              `INSERT INTO transfers (id, type, debit_account_id, credit_account_id, amount, currency, state, epoch, member, fingerprint)
               VALUES ($1, 'single', $2, $3, $4, 'EUR', 'posted', 3, 'sql', 'f')`,
              [id, from, to, 1 + (n % 7)],
            );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          sqlFailures.push(`${(err as { code?: string }).code}: ${(err as Error).message}`);
        } finally {
          client.release();
        }
      }
    });
    const writerClient = await pool.connect();
    const writerKinds: string[] = [];
    const viaWriter = (async () => {
      try {
        for (let b = 0; b < BATCHES; b++) {
          const jobs: Job[] = Array.from({ length: 6 }, (_, j) => {
            const [d, k] = pair(b * 6 + j);
            return {
              kind: 'transfer',
              writer: { epoch: 3, member: 'edge-a' },
              request: parseTransfer({
                id: `gc-${b}-${j}`,
                type: 'single',
                debitAccountId: d,
                creditAccountId: k,
                amountMinor: 5,
                currency: 'EUR',
              }),
            };
          });
          const results = await commitBatch(writerClient, jobs, { epoch: 3, member: 'ledger' }).catch(
            (err: { code?: string; message: string }) => [{ kind: `${err.code}: ${err.message}` }],
          );
          writerKinds.push(...results.map((r) => r.kind));
        }
      } finally {
        writerClient.release();
      }
    })();
    await Promise.all([...direct, viaWriter]);

    expect(sqlFailures).toEqual([]);
    expect(writerKinds).toEqual(Array.from({ length: BATCHES * 6 }, () => 'booked'));
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM transfers');
    expect(Number(rows[0]?.n)).toBe(CONNECTIONS * PER_CONNECTION * 2 + BATCHES * 6);
    expect(await checkInvariants(pool)).toEqual([]);
  });
});
