// The ledger transfers an authorization books, built in one place so an online attempt and its
// stand-in journal entry have the same content (type, accounts, amount, currency, pendingId,
// timeout): a replay of a hold the ledger also got online is then a duplicate, not a conflict.
import type { LedgerTransfer } from './journal.js';

export interface HoldParts {
  readonly id: string;
  readonly token: string;
  readonly merchantId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly timeoutSeconds: number;
  readonly metadata: Readonly<Record<string, string | number>>;
}

export const cardAccount = (token: string): string => `card:${token}`;
export const merchantAccount = (merchantId: string): string => `merchant:${merchantId}`;

export function holdTransfer(p: HoldParts): LedgerTransfer {
  return {
    id: p.id,
    type: 'pending',
    debitAccountId: cardAccount(p.token),
    creditAccountId: merchantAccount(p.merchantId),
    amountMinor: p.amountMinor,
    currency: p.currency,
    timeoutSeconds: p.timeoutSeconds,
    metadata: p.metadata,
  };
}

/** post (capture, with an explicit amount) or void (reversal, or the cancel of a declined hold). */
export function resolveTransfer(
  type: 'post' | 'void',
  id: string,
  hold: Pick<LedgerTransfer, 'id' | 'debitAccountId' | 'creditAccountId' | 'currency'>,
  metadata: Readonly<Record<string, string | number>>,
  amountMinor?: number,
): LedgerTransfer {
  return {
    id,
    type,
    debitAccountId: hold.debitAccountId,
    creditAccountId: hold.creditAccountId,
    ...(type === 'post' && amountMinor !== undefined ? { amountMinor } : {}),
    currency: hold.currency,
    pendingId: hold.id,
    metadata,
  };
}
