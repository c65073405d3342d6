// The ledger's records as the service handles them (amounts are JS numbers: safe integers of minor
// units, checked on the way in and on the way out of PostgreSQL's bigint).
import type { Metadata, TransferType } from './transfer-request.js';

export type TransferState = 'posted' | 'pending' | 'voided' | 'expired';

export interface Account {
  readonly id: string;
  readonly currency: string;
  readonly debitsMustNotExceedCredits: boolean;
  readonly creditsMustNotExceedDebits: boolean;
  readonly debitsPendingMinor: number;
  readonly debitsPostedMinor: number;
  readonly creditsPendingMinor: number;
  readonly creditsPostedMinor: number;
}

/** A transfer row, before PostgreSQL gives it a seq and a time. */
export interface NewTransfer {
  readonly id: string;
  readonly type: TransferType;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly pendingId?: string;
  readonly timeoutSeconds: number;
  readonly state: TransferState;
  readonly isExpiry: boolean;
  readonly standIn: boolean;
  readonly epoch: number;
  readonly member: string;
  readonly fingerprint: string;
  readonly metadata: Metadata;
}

export interface Transfer extends NewTransfer {
  readonly seq: number;
  readonly createdAt: string;
  readonly expiresAt?: string;
}

/** A bigint column as a JS number; refuses what a number cannot hold exactly. */
export function safeNumber(value: string | number, what: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`${what} ${String(value)} is not a safe integer`);
  return n;
}

/** The JSON a client sees for a transfer. */
export function transferView(t: Transfer): Record<string, unknown> {
  return {
    id: t.id,
    seq: t.seq,
    type: t.type,
    debitAccountId: t.debitAccountId,
    creditAccountId: t.creditAccountId,
    amountMinor: t.amountMinor,
    currency: t.currency,
    ...(t.pendingId !== undefined ? { pendingId: t.pendingId } : {}),
    ...(t.type === 'pending' ? { timeoutSeconds: t.timeoutSeconds } : {}),
    ...(t.expiresAt !== undefined ? { expiresAt: t.expiresAt } : {}),
    state: t.state,
    ...(t.isExpiry ? { expiry: true } : {}),
    standIn: t.standIn,
    epoch: t.epoch,
    member: t.member,
    metadata: t.metadata,
    createdAt: t.createdAt,
  };
}

export function accountView(a: Account): Record<string, unknown> {
  return {
    id: a.id,
    currency: a.currency,
    flags: {
      debitsMustNotExceedCredits: a.debitsMustNotExceedCredits,
      creditsMustNotExceedDebits: a.creditsMustNotExceedDebits,
    },
    debitsPendingMinor: a.debitsPendingMinor,
    debitsPostedMinor: a.debitsPostedMinor,
    creditsPendingMinor: a.creditsPendingMinor,
    creditsPostedMinor: a.creditsPostedMinor,
  };
}
