// The checks every fault test runs after the fault (docs/ledger.md): read straight from the
// tables with SQL, independent of the service's code. Returns the violations; empty means sound.
import type { Pool } from 'pg';

interface Check {
  readonly name: string;
  readonly sql: string;
}

const CHECKS: readonly Check[] = [
  {
    name: 'I2 posted debits equal posted credits',
    sql: 'SELECT 1 FROM accounts HAVING coalesce(sum(debits_posted), 0) <> coalesce(sum(credits_posted), 0)',
  },
  {
    name: 'I2 pending debits equal pending credits',
    sql: 'SELECT 1 FROM accounts HAVING coalesce(sum(debits_pending), 0) <> coalesce(sum(credits_pending), 0)',
  },
  {
    name: 'I2 every account equals what its transfers add up to',
    sql: `
WITH moves AS (
  SELECT t.debit_account_id AS account, 'd' AS side, t.type, t.amount, t.state, p.amount AS pending_amount
  FROM transfers t LEFT JOIN transfers p ON p.id = t.pending_id
  UNION ALL
  SELECT t.credit_account_id, 'c', t.type, t.amount, t.state, p.amount
  FROM transfers t LEFT JOIN transfers p ON p.id = t.pending_id
), sums AS (
  SELECT account, side,
    sum(CASE WHEN type = 'pending' THEN amount WHEN type IN ('post', 'void') THEN -pending_amount ELSE 0 END) AS pend,
    sum(CASE WHEN type IN ('single', 'post') THEN amount ELSE 0 END) AS posted
  FROM moves GROUP BY account, side
)
SELECT a.id FROM accounts a
LEFT JOIN sums d ON d.account = a.id AND d.side = 'd'
LEFT JOIN sums c ON c.account = a.id AND c.side = 'c'
WHERE a.debits_pending <> coalesce(d.pend, 0) OR a.debits_posted <> coalesce(d.posted, 0)
   OR a.credits_pending <> coalesce(c.pend, 0) OR a.credits_posted <> coalesce(c.posted, 0)`,
  },
  {
    name: 'I3 no flagged account is negative',
    sql: `SELECT id FROM accounts WHERE (debits_must_not_exceed_credits AND debits_pending + debits_posted > credits_posted)
       OR (credits_must_not_exceed_debits AND credits_pending + credits_posted > debits_posted)`,
  },
  {
    name: 'I4 a pending transfer has at most one resolution, matching its state',
    sql: `SELECT p.id FROM transfers p LEFT JOIN transfers r ON r.pending_id = p.id
          WHERE p.type = 'pending' GROUP BY p.id, p.state
          HAVING count(r.id) > 1 OR (count(r.id) = 0) <> (p.state = 'pending')`,
  },
  {
    name: 'I7 no transfer without a positive amount',
    sql: 'SELECT id FROM transfers WHERE amount <= 0',
  },
];

export async function checkInvariants(pool: Pick<Pool, 'query'>): Promise<string[]> {
  const violations: string[] = [];
  for (const check of CHECKS) {
    const r = await pool.query<Record<string, unknown>>(check.sql);
    if (r.rows.length > 0)
      violations.push(
        `${check.name}: ${r.rows.length} violation(s), e.g. ${JSON.stringify(r.rows.slice(0, 3))}`,
      );
  }
  return violations;
}
