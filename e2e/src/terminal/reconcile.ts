// The money reconciliation, pure: the terminals' result records against what the ledger holds and
// what the sites' journals still have to forward. Every approval a terminal received must be
// booked exactly once with its amount; every capture or reversal a terminal was told succeeded must
// be applied once; nothing may be booked for this fleet that no approval explains; the books must
// balance, in total and per account; and no journal may still hold entries. The I/O that gathers
// the inputs is ledger-snapshot.ts.
import type { ResultRecord } from './results.js';
import {
  checkStandInLimits,
  type SiteExposure,
  type StandInApproval,
  type StandInLimits,
} from './stand-in-limits.js';

export interface LedgerTransferRow {
  readonly id: string;
  readonly type: 'single' | 'pending' | 'post' | 'void';
  readonly amountMinor: number;
  readonly currency: string;
  readonly pendingId: string | null;
  readonly state: 'posted' | 'pending' | 'voided' | 'expired';
  readonly standIn: boolean;
  readonly isExpiry: boolean;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  /** metadata.terminalId, when the transfer carries one. */
  readonly terminalId: string | null;
  /** When the ledger committed it (ms since the epoch); the stand-in limits check needs it. */
  readonly createdAtMs?: number;
}

export interface AccountRow {
  readonly id: string;
  readonly debitsPendingMinor: number;
  readonly debitsPostedMinor: number;
  readonly creditsPendingMinor: number;
  readonly creditsPostedMinor: number;
}

export interface JournalBacklog {
  /** Which site's journal (a path or a member name). */
  readonly source: string;
  /** Outbox entries not yet acknowledged by the ledger. */
  readonly queued: number;
  /** Outbox entries the ledger refused for good. */
  readonly rejected: number;
}

export interface ReconcileInput {
  readonly records: readonly ResultRecord[];
  readonly transfers: readonly LedgerTransferRow[];
  readonly accounts: readonly AccountRow[];
  readonly journals: readonly JournalBacklog[];
  /** The gateway's spec.authorization.standIn: when given, the stand-in approvals are checked against it. */
  readonly standInLimits?: StandInLimits;
}

export type ViolationKind =
  | 'lost'
  | 'doubled'
  | 'amountMismatch'
  | 'captureLost'
  | 'reversalLost'
  | 'appliedTwice'
  | 'resolutionMismatch'
  | 'conflictingAnswers'
  | 'unbalanced'
  | 'accountMismatch'
  | 'journalBacklog'
  | 'journalRejected'
  | 'standInLimitExceeded';

export interface Violation {
  readonly kind: ViolationKind;
  /** What it is about: an authorization id, a key, an account, a journal. */
  readonly subject: string;
  readonly detail: string;
}

export interface ReconcileCounts {
  attempts: number;
  payments: number;
  approved: number;
  approvedOnline: number;
  approvedStandIn: number;
  declined: number;
  /** Payments with no decided answer (the terminal gave up). */
  undecided: number;
  /** Attempts that got no answer (timeout, refused, reset). */
  unanswered: number;
  /** Writes decided at another endpoint than their first attempt went to. */
  decidedElsewhere: number;
  captured: number;
  reversed: number;
  /** Approvals found once in the ledger. */
  booked: number;
  /** Stand-in approvals the ledger holds (replayed from a journal, or also booked online). */
  standInBooked: number;
  ledgerTransfers: number;
  /** Longest time between two approvals the fleet received (ms), from the first to the last. */
  longestGapMs: number;
  /** Time from a payment's first attempt to its approval, 50th and 99th percentile (ms). */
  approvalP50Ms: number;
  approvalP99Ms: number;
  lost: number;
  doubled: number;
}

export interface ReconcileReport {
  readonly ok: boolean;
  readonly counts: ReconcileCounts;
  readonly violations: readonly Violation[];
  /** Per site, the most stand-in approvals (and amount) outstanding at once, when limits were given. */
  readonly standIn?: readonly SiteExposure[];
}

/** An answer that decides a write (the terminal stops retrying it): see decisions.ts nextStep. */
const decides = (r: ResultRecord): boolean => r.status > 0 && r.status < 500 && r.status !== 429;

interface Write {
  readonly op: ResultRecord['op'];
  readonly key: string;
  readonly first: ResultRecord;
  final?: ResultRecord;
}

export function reconcile(input: ReconcileInput): ReconcileReport {
  const violations: Violation[] = [];
  const v = (kind: ViolationKind, subject: string, detail: string): void => {
    violations.push({ kind, subject, detail });
  };
  const counts: ReconcileCounts = {
    attempts: 0,
    payments: 0,
    approved: 0,
    approvedOnline: 0,
    approvedStandIn: 0,
    declined: 0,
    undecided: 0,
    unanswered: 0,
    decidedElsewhere: 0,
    captured: 0,
    reversed: 0,
    booked: 0,
    standInBooked: 0,
    ledgerTransfers: input.transfers.length,
    longestGapMs: 0,
    approvalP50Ms: 0,
    approvalP99Ms: 0,
    lost: 0,
    doubled: 0,
  };

  // Writes by (op, key): the first attempt and the deciding answer; two deciding answers must agree.
  const writes = new Map<string, Write>();
  const terminals = new Set<string>();
  for (const r of input.records) {
    terminals.add(r.terminal);
    if (r.failure === 'gaveUp') continue;
    counts.attempts++;
    if (r.status === 0) counts.unanswered++;
    const id = `${r.op} ${r.key}`;
    let w = writes.get(id);
    if (!w) writes.set(id, (w = { op: r.op, key: r.key, first: r }));
    if (!decides(r)) continue;
    if (w.final && !sameAnswer(w.final, r))
      v(
        'conflictingAnswers',
        r.key,
        `${r.op} answered ${describe(w.final)} at ${w.final.endpoint} and ${describe(r)} at ${r.endpoint}`,
      );
    w.final ??= r;
  }

  const approvals = new Map<string, ResultRecord>();
  const declinedIds = new Set<string>();
  const captures = new Map<string, ResultRecord>();
  const reversals = new Map<string, ResultRecord>();
  const resolutionAsked = new Set<string>();
  const resolutionRefused = new Map<string, ResultRecord>();
  for (const w of writes.values()) {
    if (w.op === 'authorize') counts.payments++;
    const f = w.final;
    if (!f) {
      if (w.op === 'authorize') counts.undecided++;
      continue;
    }
    if (f.endpoint !== w.first.endpoint) counts.decidedElsewhere++;
    if (w.op !== 'authorize' && f.authId) resolutionAsked.add(f.authId);
    if (w.op === 'authorize' && f.status === 201 && f.decision === 'approved' && f.authId) {
      const other = approvals.get(f.authId);
      if (other)
        v(
          'conflictingAnswers',
          f.authId,
          `two payments (keys ${other.key}, ${f.key}) were approved as one authorization`,
        );
      approvals.set(f.authId, f);
      counts.approved++;
      if (f.mode === 'standIn') counts.approvedStandIn++;
      else counts.approvedOnline++;
    } else if (w.op === 'authorize' && f.status === 201 && f.decision === 'declined') {
      counts.declined++;
      if (f.authId) declinedIds.add(f.authId);
    } else if (w.op === 'capture' && f.status === 200 && f.authId) {
      captures.set(f.authId, f);
      counts.captured++;
    } else if (w.op === 'reversal' && f.status === 200 && f.authId) {
      reversals.set(f.authId, f);
      counts.reversed++;
    } else if (w.op !== 'authorize' && f.authId) {
      resolutionRefused.set(f.authId, f);
    }
  }

  const byId = new Map(input.transfers.map((t) => [t.id, t]));
  const resolutions = new Map<string, LedgerTransferRow[]>();
  for (const t of input.transfers)
    if (t.pendingId !== null) resolutions.set(t.pendingId, [...(resolutions.get(t.pendingId) ?? []), t]);

  for (const [authId, a] of approvals) {
    const hold = byId.get(authId);
    const how = a.mode === 'standIn' ? 'stand-in approval' : 'online approval';
    if (!hold || hold.type !== 'pending') {
      counts.lost++;
      v(
        'lost',
        authId,
        `${how} of ${a.amountMinor} ${a.currency} (key ${a.key}, ${a.terminal}) is not in the ledger`,
      );
      continue;
    }
    counts.booked++;
    if (hold.standIn) counts.standInBooked++;
    if (hold.amountMinor !== a.amountMinor || hold.currency !== a.currency)
      v(
        'amountMismatch',
        authId,
        `approved ${a.amountMinor} ${a.currency}, the ledger holds ${hold.amountMinor} ${hold.currency}`,
      );
    const res = resolutions.get(authId) ?? [];
    if (res.length > 1)
      v('appliedTwice', authId, `resolved ${res.length} times: ${res.map((r) => r.id).join(', ')}`);
    const got = res[0];
    const cap = captures.get(authId);
    const rev = reversals.get(authId);
    if (cap) {
      const want = cap.capturedMinor ?? cap.amountMinor;
      if (!got || got.type !== 'post')
        v(
          'captureLost',
          authId,
          `captured ${want} (key ${cap.key}), the ledger has ${got ? got.type : 'no resolution'}`,
        );
      else if (got.amountMinor !== want)
        v('amountMismatch', authId, `captured ${want}, the ledger posted ${got.amountMinor}`);
    } else if (rev) {
      if (!got || got.type !== 'void' || got.isExpiry)
        v(
          'reversalLost',
          authId,
          `reversed (key ${rev.key}), the ledger has ${got ? got.type : 'no resolution'}`,
        );
    } else if (got && !got.isExpiry) {
      const refused = resolutionRefused.get(authId);
      if (got.id.endsWith('.cancel'))
        v('resolutionMismatch', authId, `an approved hold was cancelled (${got.id})`);
      else if (!resolutionAsked.has(authId))
        v(
          'resolutionMismatch',
          authId,
          `no capture or reversal was asked, yet the ledger has ${got.type} ${got.id}`,
        );
      else if (refused)
        v(
          'resolutionMismatch',
          authId,
          `the ${refused.op} was answered ${describe(refused)}, yet the ledger has ${got.type} ${got.id}`,
        );
    }
  }

  // Bookings of this fleet's terminals that no approval explains: doubled (or held for a decline).
  for (const t of input.transfers) {
    if (t.type !== 'pending' || t.terminalId === null || !terminals.has(t.terminalId) || approvals.has(t.id))
      continue;
    if (declinedIds.has(t.id) && t.state === 'voided') continue;
    counts.doubled++;
    v(
      'doubled',
      t.id,
      declinedIds.has(t.id)
        ? `held ${t.amountMinor} ${t.currency} (${t.state}) for a payment ${t.terminalId} was told was declined`
        : `held ${t.amountMinor} ${t.currency} (${t.state}) for ${t.terminalId} with no approval any terminal received`,
    );
  }

  Object.assign(counts, approvalFigures([...writes.values()]));
  let standIn: SiteExposure[] | undefined;
  if (input.standInLimits) {
    const standIns: StandInApproval[] = [...approvals]
      .filter(([, a]) => a.mode === 'standIn')
      .map(([authId, a]) => {
        const booked = byId.get(authId)?.createdAtMs;
        return {
          authId,
          site: a.endpoint ?? 'unknown',
          answeredAtMs: Date.parse(a.at),
          amountMinor: a.amountMinor,
          currency: a.currency,
          ...(booked === undefined ? {} : { bookedAtMs: booked }),
        };
      });
    const limits = checkStandInLimits(standIns, input.standInLimits);
    standIn = limits.sites;
    for (const b of limits.breaches) v('standInLimitExceeded', b.subject, b.detail);
  }
  balanceViolations(input, v);
  for (const j of input.journals) {
    if (j.queued > 0)
      v('journalBacklog', j.source, `${j.queued} journal entries not yet forwarded to the ledger`);
    if (j.rejected > 0) v('journalRejected', j.source, `${j.rejected} journal entries refused by the ledger`);
  }
  return { ok: violations.length === 0, counts, violations, ...(standIn ? { standIn } : {}) };
}

function sameAnswer(a: ResultRecord, b: ResultRecord): boolean {
  return (
    a.status === b.status && a.decision === b.decision && (a.op !== 'authorize' || a.authId === b.authId)
  );
}

function describe(r: ResultRecord): string {
  return `${r.status}${r.decision ? ` ${r.decision}` : ''}${r.reason ? ` ${r.reason}` : ''}`;
}

/** What terminals saw of approvals: the longest gap between two, and time to approval. */
export function approvalFigures(
  writes: readonly { first: ResultRecord; final?: ResultRecord; op: ResultRecord['op'] }[],
): { longestGapMs: number; approvalP50Ms: number; approvalP99Ms: number } {
  const approved = writes.filter(
    (w) => w.op === 'authorize' && w.final?.status === 201 && w.final.decision === 'approved',
  );
  const times = approved.map((w) => Date.parse(w.final!.at)).sort((a, b) => a - b);
  let longestGapMs = 0;
  for (let i = 1; i < times.length; i++) longestGapMs = Math.max(longestGapMs, times[i]! - times[i - 1]!);
  // A payment starts when its first attempt was sent: its answer time less its latency.
  const waits = approved
    .map((w) => Date.parse(w.final!.at) - (Date.parse(w.first.at) - w.first.latencyMs))
    .sort((a, b) => a - b);
  const pct = (p: number) =>
    waits.length === 0 ? 0 : waits[Math.min(waits.length - 1, Math.ceil(p * waits.length) - 1)]!;
  return { longestGapMs, approvalP50Ms: pct(0.5), approvalP99Ms: pct(0.99) };
}

/** Debits = credits in total (pending and posted), and every account equals its transfers. */
function balanceViolations(input: ReconcileInput, v: (k: ViolationKind, s: string, d: string) => void): void {
  const sum = (f: (a: AccountRow) => number) => input.accounts.reduce((n, a) => n + f(a), 0);
  for (const side of ['Pending', 'Posted'] as const) {
    const debits = sum((a) => a[`debits${side}Minor`]);
    const credits = sum((a) => a[`credits${side}Minor`]);
    if (debits !== credits)
      v('unbalanced', side.toLowerCase(), `${side.toLowerCase()} debits ${debits} ≠ credits ${credits}`);
  }
  // What each transfer adds: a hold to pending; a post moves the hold out of pending and its amount
  // to posted; a void only releases the hold; a single posts at once.
  const expected = new Map<string, { dp: number; dP: number; cp: number; cP: number }>();
  const at = (id: string) => {
    let e = expected.get(id);
    if (!e) expected.set(id, (e = { dp: 0, dP: 0, cp: 0, cP: 0 }));
    return e;
  };
  const byId = new Map(input.transfers.map((t) => [t.id, t]));
  for (const t of input.transfers) {
    const d = at(t.debitAccountId);
    const c = at(t.creditAccountId);
    if (t.type === 'single') {
      d.dP += t.amountMinor;
      c.cP += t.amountMinor;
    } else if (t.type === 'pending') {
      d.dp += t.amountMinor;
      c.cp += t.amountMinor;
    } else {
      const held = t.pendingId === null ? 0 : (byId.get(t.pendingId)?.amountMinor ?? 0);
      d.dp -= held;
      c.cp -= held;
      if (t.type === 'post') {
        d.dP += t.amountMinor;
        c.cP += t.amountMinor;
      }
    }
  }
  for (const a of input.accounts) {
    const e = expected.get(a.id) ?? { dp: 0, dP: 0, cp: 0, cP: 0 };
    const have = [a.debitsPendingMinor, a.debitsPostedMinor, a.creditsPendingMinor, a.creditsPostedMinor];
    const want = [e.dp, e.dP, e.cp, e.cP];
    if (have.some((x, i) => x !== want[i]))
      v(
        'accountMismatch',
        a.id,
        `balances (debits pending/posted, credits pending/posted) ${have.join('/')} but its transfers add up to ${want.join('/')}`,
      );
  }
}

/** The report as lines for a person: counts, then each violation. */
export function formatReport(r: ReconcileReport): string {
  const c = r.counts;
  const lines = [
    `payments ${c.payments} (attempts ${c.attempts}, unanswered ${c.unanswered}, decided at another site ${c.decidedElsewhere})`,
    `approved ${c.approved} (online ${c.approvedOnline}, stand-in ${c.approvedStandIn}), declined ${c.declined}, undecided ${c.undecided}`,
    `captured ${c.captured}, reversed ${c.reversed}`,
    `ledger: ${c.booked} approvals booked once, ${c.standInBooked} from stand-in, ${c.lost} lost, ${c.doubled} doubled, ${c.ledgerTransfers} transfers`,
    `terminals saw: longest gap between approvals ${c.longestGapMs} ms, time to approval p50 ${c.approvalP50Ms} ms, p99 ${c.approvalP99Ms} ms`,
    ...(r.standIn ?? []).map(
      (x) =>
        `stand-in at ${x.site}: ${x.approvals} approvals, at most ${x.peakCount} (${x.peakAmountMinor} minor) outstanding at once`,
    ),
    r.ok
      ? 'OK: every approval booked exactly once, books balanced, journals drained'
      : `${r.violations.length} violation(s):`,
    ...r.violations.map((x) => `  ${x.kind} ${x.subject}: ${x.detail}`),
  ];
  return lines.join('\n');
}
