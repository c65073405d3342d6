import {
  formatReport,
  reconcile,
  type AccountRow,
  type LedgerTransferRow,
  type ReconcileInput,
} from './reconcile.js';
import type { ResultRecord } from './results.js';

const A = 'http://127.0.0.1:1001';
const B = 'http://127.0.0.1:1002';

function rec(over: Partial<ResultRecord> & Pick<ResultRecord, 'op' | 'key'>): ResultRecord {
  return {
    at: '2026-12-07T10:00:00.000Z',
    gateway: 'payments/checkout',
    terminal: 't-run1-1',
    attempt: 1,
    endpoint: A,
    status: 201,
    amountMinor: 1000,
    currency: 'EUR',
    last4: '1111',
    latencyMs: 3,
    ...over,
  };
}

function transfer(
  over: Partial<LedgerTransferRow> & Pick<LedgerTransferRow, 'id' | 'type'>,
): LedgerTransferRow {
  return {
    amountMinor: 1000,
    currency: 'EUR',
    pendingId: null,
    state: 'posted',
    standIn: false,
    isExpiry: false,
    debitAccountId: 'card:a',
    creditAccountId: 'merchant:m',
    terminalId: 't-run1-1',
    ...over,
  };
}

const account = (id: string, dp: number, dP: number, cp: number, cP: number): AccountRow => ({
  id,
  debitsPendingMinor: dp,
  debitsPostedMinor: dP,
  creditsPendingMinor: cp,
  creditsPostedMinor: cP,
});

/**
 * A sound run: authz_1 approved online and captured in part (600 of 1000); authz_2 approved in
 * stand-in (replayed) and reversed; authz_3 declined; authz_4 approved at B after a timeout at A
 * and left authorized.
 */
function sound(): {
  records: ResultRecord[];
  transfers: LedgerTransferRow[];
  accounts: AccountRow[];
  journals: ReconcileInput['journals'][number][];
} {
  return {
    records: [
      rec({ op: 'authorize', key: 'k1', authId: 'authz_1', decision: 'approved', mode: 'online' }),
      rec({
        op: 'capture',
        key: 'k1.capture',
        authId: 'authz_1',
        status: 200,
        amountMinor: 600,
        capturedMinor: 600,
      }),
      rec({
        op: 'authorize',
        key: 'k2',
        authId: 'authz_2',
        amountMinor: 500,
        decision: 'approved',
        mode: 'standIn',
      }),
      rec({ op: 'reversal', key: 'k2.reversal', authId: 'authz_2', status: 200, amountMinor: 500 }),
      rec({
        op: 'authorize',
        key: 'k3',
        authId: 'authz_3',
        decision: 'declined',
        reason: 'StandInFloorLimitExceeded',
      }),
      rec({ op: 'authorize', key: 'k4', amountMinor: 300, status: 0, failure: 'timeout' }),
      rec({ op: 'authorize', key: 'k4', amountMinor: 300, status: 0, failure: 'ECONNREFUSED', attempt: 2 }),
      rec({
        op: 'authorize',
        key: 'k4',
        amountMinor: 300,
        attempt: 3,
        endpoint: B,
        authId: 'authz_4',
        decision: 'approved',
        mode: 'online',
      }),
    ],
    transfers: [
      transfer({ id: 'authz_1', type: 'pending', state: 'posted' }),
      transfer({ id: 'capt_1', type: 'post', pendingId: 'authz_1', amountMinor: 600 }),
      transfer({ id: 'authz_2', type: 'pending', amountMinor: 500, state: 'voided', standIn: true }),
      transfer({ id: 'rvsl_2', type: 'void', pendingId: 'authz_2', amountMinor: 500 }),
      transfer({ id: 'authz_4', type: 'pending', amountMinor: 300, state: 'pending' }),
      // Another client's booking: not this fleet's, balanced.
      transfer({
        id: 'other',
        type: 'single',
        amountMinor: 50,
        terminalId: null,
        debitAccountId: 'x',
        creditAccountId: 'y',
      }),
    ],
    accounts: [
      account('card:a', 300, 600, 0, 0),
      account('merchant:m', 0, 0, 300, 600),
      account('x', 0, 50, 0, 0),
      account('y', 0, 0, 0, 50),
    ],
    journals: [{ source: 'edge-a', queued: 0, rejected: 0 }],
  };
}

const kinds = (input: ReconcileInput) => reconcile(input).violations.map((v) => v.kind);

describe('reconcile', () => {
  it('passes a sound run and counts what happened', () => {
    const r = reconcile(sound());
    expect(r.violations).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.counts).toMatchObject({
      attempts: 8,
      payments: 4,
      approved: 3,
      approvedOnline: 2,
      approvedStandIn: 1,
      declined: 1,
      undecided: 0,
      unanswered: 2,
      decidedElsewhere: 1,
      captured: 1,
      reversed: 1,
      booked: 3,
      standInBooked: 1,
      lost: 0,
      doubled: 0,
    });
    expect(formatReport(r)).toMatch(/^OK: every approval booked exactly once/m);
  });

  it('finds an approval the ledger does not hold (lost), naming it', () => {
    const s = sound();
    s.transfers = s.transfers.filter((t) => t.id !== 'authz_4');
    s.accounts[0] = account('card:a', 0, 600, 0, 0);
    s.accounts[1] = account('merchant:m', 0, 0, 0, 600);
    const r = reconcile(s);
    expect(r.violations.map((v) => v.kind)).toEqual(['lost']);
    expect(r.violations[0]).toMatchObject({ subject: 'authz_4' });
    expect(r.violations[0]!.detail).toMatch(/online approval of 300 EUR \(key k4/);
    expect(r.counts.lost).toBe(1);
    expect(formatReport(r)).toMatch(/1 violation\(s\):\n {2}lost authz_4/);
  });

  it('names a stand-in approval that was never replayed', () => {
    const s = sound();
    s.transfers = s.transfers.filter((t) => t.id !== 'authz_2' && t.id !== 'rvsl_2');
    const r = reconcile(s);
    expect(r.violations.find((v) => v.kind === 'lost')?.detail).toMatch(/stand-in approval of 500/);
    expect(r.violations.map((v) => v.kind)).toEqual(['lost']);
  });

  it('finds a booking no approval explains (doubled), and a hold kept for a declined payment', () => {
    const s = sound();
    s.transfers.push(transfer({ id: 'authz_9', type: 'pending', amountMinor: 200, state: 'pending' }));
    s.accounts[0] = account('card:a', 500, 600, 0, 0);
    s.accounts[1] = account('merchant:m', 0, 0, 500, 600);
    expect(kinds(s)).toEqual(['doubled']);

    const d = sound();
    d.transfers.push(transfer({ id: 'authz_3', type: 'pending', state: 'pending' }));
    d.accounts[0] = account('card:a', 1300, 600, 0, 0);
    d.accounts[1] = account('merchant:m', 0, 0, 1300, 600);
    const r = reconcile(d);
    expect(r.violations.map((v) => v.kind)).toEqual(['doubled']);
    expect(r.violations[0]!.detail).toMatch(/told was declined/);

    // A declined payment whose ambiguous hold was cancelled is sound.
    const c = sound();
    c.transfers.push(
      transfer({ id: 'authz_3', type: 'pending', state: 'voided' }),
      transfer({ id: 'authz_3.cancel', type: 'void', pendingId: 'authz_3' }),
    );
    expect(kinds(c)).toEqual([]);
  });

  it('finds an amount the ledger holds differently from the approval', () => {
    const s = sound();
    s.transfers = s.transfers.map((t) => (t.id === 'authz_4' ? { ...t, amountMinor: 301 } : t));
    s.accounts[0] = account('card:a', 301, 600, 0, 0);
    s.accounts[1] = account('merchant:m', 0, 0, 301, 600);
    expect(kinds(s)).toEqual(['amountMismatch']);
  });

  it('finds a capture or reversal the terminal was told succeeded but the ledger lacks', () => {
    const s = sound();
    s.transfers = s.transfers
      .filter((t) => t.id !== 'capt_1')
      .map((t) => (t.id === 'authz_1' ? { ...t, state: 'pending' as const } : t));
    s.accounts[0] = account('card:a', 1300, 0, 0, 0);
    s.accounts[1] = account('merchant:m', 0, 0, 1300, 0);
    expect(kinds(s)).toEqual(['captureLost']);

    const r = sound();
    r.transfers = r.transfers
      .filter((t) => t.id !== 'rvsl_2')
      .map((t) => (t.id === 'authz_2' ? { ...t, state: 'pending' as const } : t));
    r.accounts[0] = account('card:a', 800, 600, 0, 0);
    r.accounts[1] = account('merchant:m', 0, 0, 800, 600);
    expect(kinds(r)).toEqual(['reversalLost']);
  });

  it('finds a hold resolved twice', () => {
    const s = sound();
    s.transfers.push(transfer({ id: 'rvsl_2b', type: 'void', pendingId: 'authz_2', amountMinor: 500 }));
    expect(kinds(s)).toContain('appliedTwice');
  });

  it('finds a resolution nobody asked for, a cancelled approval, and one applied though refused', () => {
    const s = sound();
    s.transfers.push(transfer({ id: 'rvsl_4', type: 'void', pendingId: 'authz_4', amountMinor: 300 }));
    s.transfers = s.transfers.map((t) => (t.id === 'authz_4' ? { ...t, state: 'voided' as const } : t));
    s.accounts[0] = account('card:a', 0, 600, 0, 0);
    s.accounts[1] = account('merchant:m', 0, 0, 0, 600);
    expect(kinds(s)).toEqual(['resolutionMismatch']);

    const c = sound();
    c.transfers.push(
      transfer({ id: 'authz_4.cancel', type: 'void', pendingId: 'authz_4', amountMinor: 300 }),
    );
    c.accounts = s.accounts;
    expect(reconcile(c).violations[0]?.detail).toMatch(/approved hold was cancelled/);

    const f = sound();
    f.records.push(
      rec({
        op: 'capture',
        key: 'k4.capture',
        authId: 'authz_4',
        status: 404,
        reason: 'AuthorizationNotFound',
      }),
    );
    f.transfers.push(transfer({ id: 'capt_4', type: 'post', pendingId: 'authz_4', amountMinor: 300 }));
    f.accounts[0] = account('card:a', 0, 900, 0, 0);
    f.accounts[1] = account('merchant:m', 0, 0, 0, 900);
    const r = reconcile(f);
    expect(r.violations.map((v) => v.kind)).toEqual(['resolutionMismatch']);
    expect(r.violations[0]!.detail).toMatch(/capture was answered 404 AuthorizationNotFound/);
  });

  it('finds two different decided answers to one key', () => {
    const s = sound();
    s.records.push(
      rec({
        op: 'authorize',
        key: 'k3',
        endpoint: B,
        authId: 'authz_3',
        decision: 'approved',
        mode: 'online',
      }),
    );
    const r = reconcile(s);
    expect(r.violations.map((v) => v.kind)).toEqual(['conflictingAnswers']);
    expect(r.violations[0]!.detail).toMatch(/201 declined .* and 201 approved/);
  });

  it('finds books that do not balance, in total and per account', () => {
    const s = sound();
    s.accounts[0] = account('card:a', 300, 601, 0, 0);
    expect(kinds(s)).toEqual(['unbalanced', 'accountMismatch']);

    // Balanced in total, but money on the wrong account.
    const m = sound();
    m.accounts[0] = account('card:a', 300, 500, 0, 0);
    m.accounts.push(account('card:b', 0, 100, 0, 0));
    const r = reconcile(m);
    expect(r.violations.map((v) => v.kind)).toEqual(['accountMismatch', 'accountMismatch']);
    expect(r.violations.map((v) => v.subject)).toEqual(['card:a', 'card:b']);
  });

  it('finds journal entries not forwarded or refused', () => {
    const s = sound();
    s.journals.push({ source: 'edge-b', queued: 2, rejected: 1 });
    const r = reconcile(s);
    expect(r.violations.map((v) => [v.kind, v.subject])).toEqual([
      ['journalBacklog', 'edge-b'],
      ['journalRejected', 'edge-b'],
    ]);
  });

  it('measures what terminals saw: the longest gap between approvals and the time to approval', () => {
    const at = (ms: number) => new Date(Date.UTC(2026, 11, 7, 10, 0, 0) + ms).toISOString();
    const r = reconcile({
      records: [
        rec({ op: 'authorize', key: 'p1', at: at(100), latencyMs: 100, authId: 'a1', decision: 'approved' }),
        // p2: a timeout of 1000 ms sent at 0, then approved at B at 3000: waited 3000 ms.
        rec({ op: 'authorize', key: 'p2', at: at(1000), latencyMs: 1000, status: 0, failure: 'timeout' }),
        rec({
          op: 'authorize',
          key: 'p2',
          at: at(3000),
          latencyMs: 5,
          endpoint: B,
          authId: 'a2',
          decision: 'approved',
        }),
        rec({ op: 'authorize', key: 'p3', at: at(3500), latencyMs: 20, authId: 'a3', decision: 'approved' }),
        rec({ op: 'authorize', key: 'p4', at: at(3600), latencyMs: 10, authId: 'a4', decision: 'declined' }),
      ],
      transfers: [],
      accounts: [],
      journals: [],
    });
    expect(r.counts).toMatchObject({ longestGapMs: 2900, approvalP50Ms: 100, approvalP99Ms: 3000 });
    expect(formatReport(r)).toMatch(
      /longest gap between approvals 2900 ms, time to approval p50 100 ms, p99 3000 ms/,
    );
  });

  it('counts a payment the terminal gave up on as undecided, not as an approval', () => {
    const s = sound();
    s.records.push(
      rec({ op: 'authorize', key: 'k5', status: 0, failure: 'ECONNREFUSED' }),
      rec({ op: 'authorize', key: 'k5', status: 0, endpoint: null, failure: 'gaveUp', attempt: 2 }),
    );
    const r = reconcile(s);
    expect(r.ok).toBe(true);
    expect(r.counts).toMatchObject({ payments: 5, undecided: 1, approved: 3, attempts: 9 });
  });
});
