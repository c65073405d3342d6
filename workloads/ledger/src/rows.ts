// PostgreSQL rows → the service's records. bigint arrives as text (node-postgres keeps it exact);
// safeNumber refuses anything a JS number cannot hold exactly.
import { safeNumber, type Account, type Transfer } from './model.js';
import type { Metadata, TransferType } from './transfer-request.js';

export const TRANSFER_COLUMNS = `id, seq, type, debit_account_id, credit_account_id, amount, currency, pending_id,
  timeout_seconds, expires_at, state, is_expiry, stand_in, epoch, member, fingerprint, metadata, created_at`;

export const ACCOUNT_COLUMNS = `id, currency, debits_must_not_exceed_credits, credits_must_not_exceed_debits,
  debits_pending, debits_posted, credits_pending, credits_posted`;

export interface TransferRow {
  id: string;
  seq: string;
  type: TransferType;
  debit_account_id: string;
  credit_account_id: string;
  amount: string;
  currency: string;
  pending_id: string | null;
  timeout_seconds: number;
  expires_at: Date | null;
  state: Transfer['state'];
  is_expiry: boolean;
  stand_in: boolean;
  epoch: string;
  member: string;
  fingerprint: string;
  metadata: Metadata;
  created_at: Date;
}

export interface AccountRow {
  id: string;
  currency: string;
  debits_must_not_exceed_credits: boolean;
  credits_must_not_exceed_debits: boolean;
  debits_pending: string;
  debits_posted: string;
  credits_pending: string;
  credits_posted: string;
}

export function toTransfer(r: TransferRow): Transfer {
  return {
    id: r.id,
    seq: safeNumber(r.seq, 'seq'),
    type: r.type,
    debitAccountId: r.debit_account_id,
    creditAccountId: r.credit_account_id,
    amountMinor: safeNumber(r.amount, 'amount'),
    currency: r.currency,
    ...(r.pending_id !== null ? { pendingId: r.pending_id } : {}),
    timeoutSeconds: r.timeout_seconds,
    ...(r.expires_at !== null ? { expiresAt: r.expires_at.toISOString() } : {}),
    state: r.state,
    isExpiry: r.is_expiry,
    standIn: r.stand_in,
    epoch: safeNumber(r.epoch, 'epoch'),
    member: r.member,
    fingerprint: r.fingerprint,
    metadata: r.metadata,
    createdAt: r.created_at.toISOString(),
  };
}

export function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    currency: r.currency,
    debitsMustNotExceedCredits: r.debits_must_not_exceed_credits,
    creditsMustNotExceedDebits: r.credits_must_not_exceed_debits,
    debitsPendingMinor: safeNumber(r.debits_pending, 'debits_pending'),
    debitsPostedMinor: safeNumber(r.debits_posted, 'debits_posted'),
    creditsPendingMinor: safeNumber(r.credits_pending, 'credits_pending'),
    creditsPostedMinor: safeNumber(r.credits_posted, 'credits_posted'),
  };
}
