// The decision half of a group commit, pure: given what the write transaction read (the accounts,
// pending transfers and earlier transfers the batch names, and the fences) and the requests in
// arrival order, what each request gets. The transaction then inserts exactly the `book` rows; the
// database's triggers and constraints re-check every rule (docs/ledger.md), so a mistake here
// fails the insert rather than the books.
import { judgeWriter, type WriterIdentity } from './fencing.js';
import type { Account, NewTransfer, Transfer, TransferState } from './model.js';
import { fingerprint, type TransferRequest } from './transfer-request.js';

export interface BatchItem {
  readonly request: TransferRequest;
  readonly writer: WriterIdentity;
  /** Set by the expiry sweeper: a void that marks the pending transfer expired. */
  readonly isExpiry?: boolean;
}

export interface LoadedState {
  readonly accounts: ReadonlyMap<string, Account>;
  /** Earlier transfers with the ids the batch uses or names as pendingId. */
  readonly transfers: ReadonlyMap<string, Transfer>;
  /** Authorization fences by member. */
  readonly memberFences: ReadonlyMap<string, number>;
  readonly now: number;
}

export type Outcome =
  | { readonly kind: 'book'; readonly row: NewTransfer }
  | { readonly kind: 'duplicate'; readonly of: Transfer | NewTransfer }
  | { readonly kind: 'conflict'; readonly existing: Transfer | NewTransfer }
  | { readonly kind: 'fenced'; readonly fenceEpoch: number }
  | { readonly kind: 'rejected'; readonly reason: string; readonly message: string };

export interface BatchPlan {
  readonly outcomes: readonly Outcome[];
  /** Accounts to create (no flags) before inserting, in the currency of their first transfer. */
  readonly newAccounts: readonly { readonly id: string; readonly currency: string }[];
}

interface Balances {
  currency: string;
  dnec: boolean;
  cned: boolean;
  dp: number;
  dP: number;
  cp: number;
  cP: number;
}

interface PendingView {
  readonly id: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amountMinor: number;
  readonly currency: string;
  state: TransferState;
  readonly expiresAtMs?: number;
}

const reject = (reason: string, message: string): Outcome => ({ kind: 'rejected', reason, message });

export function planBatch(items: readonly BatchItem[], state: LoadedState): BatchPlan {
  const balances = new Map<string, Balances>();
  const newAccounts: { id: string; currency: string }[] = [];
  const booked = new Map<string, NewTransfer>();
  const pendings = new Map<string, PendingView>();
  for (const t of state.transfers.values())
    if (t.type === 'pending')
      pendings.set(t.id, {
        id: t.id,
        debitAccountId: t.debitAccountId,
        creditAccountId: t.creditAccountId,
        amountMinor: t.amountMinor,
        currency: t.currency,
        state: t.state,
        ...(t.expiresAt !== undefined ? { expiresAtMs: Date.parse(t.expiresAt) } : {}),
      });

  const account = (id: string, currency: string): Balances | string => {
    let b = balances.get(id);
    if (!b) {
      const a = state.accounts.get(id);
      b = a
        ? {
            currency: a.currency,
            dnec: a.debitsMustNotExceedCredits,
            cned: a.creditsMustNotExceedDebits,
            dp: a.debitsPendingMinor,
            dP: a.debitsPostedMinor,
            cp: a.creditsPendingMinor,
            cP: a.creditsPostedMinor,
          }
        : { currency, dnec: false, cned: false, dp: 0, dP: 0, cp: 0, cP: 0 };
      balances.set(id, b);
      if (!a) newAccounts.push({ id, currency });
    }
    return b.currency === currency ? b : `account ${id} is in ${b.currency}, not ${currency}`;
  };

  const overdrawn = (b: Balances) => (b.dnec && b.dp + b.dP > b.cP) || (b.cned && b.cp + b.cP > b.dP);

  const outcomes = items.map((item): Outcome => {
    const r = item.request;
    const fp = fingerprint(r);
    const earlier = booked.get(r.id) ?? state.transfers.get(r.id);
    if (earlier)
      return earlier.fingerprint === fp
        ? { kind: 'duplicate', of: earlier }
        : { kind: 'conflict', existing: earlier };
    const verdict = judgeWriter(
      item.writer,
      r.standIn || item.isExpiry === true,
      state.memberFences.get(item.writer.member),
    );
    if (!verdict.ok) return { kind: 'fenced', fenceEpoch: verdict.fenceEpoch };

    const debit = account(r.debitAccountId, r.currency);
    if (typeof debit === 'string') return reject('CurrencyMismatch', debit);
    const credit = account(r.creditAccountId, r.currency);
    if (typeof credit === 'string') return reject('CurrencyMismatch', credit);

    let amountMinor: number;
    let pending: PendingView | undefined;
    const next = { d: { ...debit }, c: { ...credit } };
    if (r.type === 'single' || r.type === 'pending') {
      amountMinor = r.amountMinor as number;
      if (r.type === 'single') {
        next.d.dP += amountMinor;
        next.c.cP += amountMinor;
      } else {
        next.d.dp += amountMinor;
        next.c.cp += amountMinor;
      }
    } else {
      pending = pendings.get(r.pendingId as string);
      if (!pending) return reject('PendingNotFound', `pending transfer ${r.pendingId} does not exist`);
      if (pending.state !== 'pending')
        return reject('PendingAlreadyResolved', `pending transfer ${pending.id} is already ${pending.state}`);
      if (pending.debitAccountId !== r.debitAccountId || pending.creditAccountId !== r.creditAccountId)
        return reject('PendingMismatch', `the accounts differ from those of pending transfer ${pending.id}`);
      if (pending.currency !== r.currency)
        return reject('CurrencyMismatch', `pending transfer ${pending.id} is in ${pending.currency}`);
      if (r.type === 'post' && pending.expiresAtMs !== undefined && pending.expiresAtMs <= state.now)
        return reject('PendingExpired', `pending transfer ${pending.id} expired; it can only be voided`);
      amountMinor = r.type === 'post' ? (r.amountMinor ?? pending.amountMinor) : pending.amountMinor;
      if (amountMinor > pending.amountMinor)
        return reject(
          'AmountExceedsPending',
          `${amountMinor} is more than the ${pending.amountMinor} pending`,
        );
      next.d.dp -= pending.amountMinor;
      next.c.cp -= pending.amountMinor;
      if (r.type === 'post') {
        next.d.dP += amountMinor;
        next.c.cP += amountMinor;
      }
    }
    if (overdrawn(next.d))
      return reject('InsufficientFunds', `account ${r.debitAccountId} would go negative`);
    if (overdrawn(next.c))
      return reject('InsufficientFunds', `account ${r.creditAccountId} would go negative`);
    Object.assign(debit, next.d);
    Object.assign(credit, next.c);

    const row: NewTransfer = {
      id: r.id,
      type: r.type,
      debitAccountId: r.debitAccountId,
      creditAccountId: r.creditAccountId,
      amountMinor,
      currency: r.currency,
      ...(r.pendingId !== undefined ? { pendingId: r.pendingId } : {}),
      timeoutSeconds: r.timeoutSeconds,
      state: r.type === 'pending' ? 'pending' : 'posted',
      isExpiry: item.isExpiry === true,
      standIn: r.standIn,
      epoch: item.writer.epoch,
      member: item.writer.member,
      fingerprint: fp,
      metadata: r.metadata,
    };
    if (pending) pending.state = r.type === 'post' ? 'posted' : item.isExpiry ? 'expired' : 'voided';
    if (r.type === 'pending')
      pendings.set(r.id, {
        id: r.id,
        debitAccountId: r.debitAccountId,
        creditAccountId: r.creditAccountId,
        amountMinor,
        currency: r.currency,
        state: 'pending',
        ...(r.timeoutSeconds > 0 ? { expiresAtMs: state.now + r.timeoutSeconds * 1000 } : {}),
      });
    booked.set(r.id, row);
    return { kind: 'book', row };
  });
  return { outcomes, newAccounts };
}
