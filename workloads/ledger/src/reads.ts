// Reads: a transfer, an account, and the change feed — served by any ledger, primary or standby.
import type { Pool } from 'pg';
import { safeNumber, transferView, type Account, type Transfer } from './model.js';
import {
  ACCOUNT_COLUMNS,
  TRANSFER_COLUMNS,
  toAccount,
  toTransfer,
  type AccountRow,
  type TransferRow,
} from './rows.js';

export async function getTransfer(pool: Pool, id: string): Promise<Transfer | undefined> {
  const r = await pool.query<TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = $1`, [id]);
  return r.rows[0] ? toTransfer(r.rows[0]) : undefined;
}

export async function getAccount(pool: Pool, id: string): Promise<Account | undefined> {
  const r = await pool.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1`, [id]);
  return r.rows[0] ? toAccount(r.rows[0]) : undefined;
}

export interface FeedEvent {
  readonly seq: number;
  readonly kind: 'transfer' | 'decline';
  readonly at: string;
  readonly transfer?: Record<string, unknown>;
  readonly decline?: Record<string, unknown>;
}

interface DeclineRow {
  id: string;
  seq: string;
  amount: string;
  currency: string;
  reason: string;
  member: string;
  metadata: Record<string, string | number>;
  created_at: Date;
}

/**
 * Events after a cursor, in seq order. A transfer event shows the transfer as it was booked (a
 * hold is `pending` in its event even once posted: the post is its own event), so events never
 * change once read.
 *
 * Both tables are read in ONE snapshot (a repeatable-read transaction on one connection): read
 * apart, a batch committed between the two reads could show its decline (seq n+1) but not its
 * transfer (seq n), the follower's cursor would pass n, and n would never be delivered. The single
 * writer commits in seq order, so a snapshot holds every seq up to its highest.
 */
export async function readEvents(pool: Pool, after: number, limit: number): Promise<FeedEvent[]> {
  const client = await pool.connect();
  let transfers: { rows: TransferRow[] };
  let declines: { rows: DeclineRow[] };
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    transfers = await client.query<TransferRow>(
      `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [String(after), limit],
    );
    declines = await client.query<DeclineRow>(
      'SELECT id, seq, amount, currency, reason, member, metadata, created_at FROM declines WHERE seq > $1 ORDER BY seq LIMIT $2',
      [String(after), limit],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(err instanceof Error ? err : true);
    throw err;
  }
  client.release();
  const events: FeedEvent[] = [
    ...transfers.rows.map((r): FeedEvent => {
      const t = toTransfer(r);
      const asBooked = { ...t, state: t.type === 'pending' ? ('pending' as const) : ('posted' as const) };
      return { seq: t.seq, kind: 'transfer', at: t.createdAt, transfer: transferView(asBooked) };
    }),
    ...declines.rows.map((r): FeedEvent => ({
      seq: safeNumber(r.seq, 'seq'),
      kind: 'decline',
      at: r.created_at.toISOString(),
      decline: {
        id: r.id,
        amountMinor: safeNumber(r.amount, 'amount'),
        currency: r.currency,
        reason: r.reason,
        member: r.member,
        metadata: r.metadata,
      },
    })),
  ];
  return events.sort((a, b) => a.seq - b.seq).slice(0, limit);
}
