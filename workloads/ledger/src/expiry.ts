// Pending transfers past their timeout are voided by the ledger itself (state `expired`), through
// the same writer as every other write, so the feed stays in commit order.
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { Transfer } from './model.js';
import { TRANSFER_COLUMNS, toTransfer, type TransferRow } from './rows.js';
import type { TransferRequest } from './transfer-request.js';

/** Id of the void that expires a pending transfer: fixed length, the same on every ledger. */
export function expiryId(pendingId: string): string {
  return `expiry.${createHash('sha256').update(pendingId).digest('base64url')}`;
}

export function expiryVoid(p: Transfer): TransferRequest {
  return {
    id: expiryId(p.id),
    type: 'void',
    debitAccountId: p.debitAccountId,
    creditAccountId: p.creditAccountId,
    currency: p.currency,
    pendingId: p.id,
    timeoutSeconds: 0,
    standIn: false,
    metadata: { ...p.metadata, expired: 'true' },
  };
}

export async function findExpired(pool: Pool, limit: number): Promise<Transfer[]> {
  const r = await pool.query<TransferRow>(
    `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= now()
     ORDER BY expires_at LIMIT $1`,
    [limit],
  );
  return r.rows.map(toTransfer);
}
