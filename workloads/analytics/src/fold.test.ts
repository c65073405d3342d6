import { foldEvents, holdsToLookUp, minuteOf, type Hold } from './fold.js';
import { declineEvent, hold, parsed, resetSeq, resolve, T0, transferEvent } from './test-support/events.js';

const A = { gateway: 'payments/checkout', site: 'edge-a' };
const B = { gateway: 'payments/checkout', site: 'edge-b' };
const none = new Map<string, Hold>();

describe('folding feed events into aggregate deltas', () => {
  beforeEach(() => resetSeq());

  it('counts an approval with its volume and latency, and a stand-in one twice over', () => {
    const f = foldEvents(
      parsed([
        transferEvent(hold('authz_1', 1250, { ...A, latencyMs: 3 })),
        transferEvent(hold('authz_2', 700, { ...A, latencyMs: 40 }, { standIn: true })),
      ]),
      none,
      0,
    );
    expect(f.counts).toEqual([
      {
        minuteMs: T0,
        ...A,
        approvals: 2,
        standInApprovals: 1,
        declines: 0,
        latencyCount: 2,
        latencySumMs: 43n,
      },
    ]);
    expect(f.volumes).toEqual([
      { minuteMs: T0, ...A, currency: 'EUR', kind: 'approved', count: 2, amountMinor: 1950n },
    ]);
    expect(f.latency.map((l) => [l.bucket, l.count])).toEqual([
      [2, 1], // 3 ms: (2, 5]
      [5, 1], // 40 ms: (20, 50]
    ]);
    expect(f.holdsOpened.map((h) => h.id)).toEqual(['authz_1', 'authz_2']);
    expect(f.lastSeq).toBe(2);
    expect(f.outcomes).toEqual({ counted: 2, ignored: 0, skipped: 0 });
  });

  it('attributes a capture and a void to the hold, in the minute they happen, and closes the holds', () => {
    const later = T0 + 90_000;
    const f = foldEvents(
      parsed([
        transferEvent(hold('authz_1', 1000, A)),
        transferEvent(hold('authz_2', 500, A)),
        // The capture is booked by another site (after a failover): the hold's site keeps it.
        transferEvent(resolve('post', 'cap_1', 'authz_1', 800, { metadata: B }), later),
        transferEvent(resolve('void', 'rev_2', 'authz_2', 500, { metadata: B }), later),
      ]),
      none,
      0,
    );
    const volumes = f.volumes.map((v) => [v.minuteMs, v.site, v.kind, v.amountMinor]);
    expect(volumes).toEqual([
      [T0, 'edge-a', 'approved', 1500n],
      [minuteOf(later), 'edge-a', 'captured', 800n],
      [minuteOf(later), 'edge-a', 'voided', 500n],
    ]);
    expect(f.holdsOpened).toEqual([]);
    expect(f.holdsResolved).toEqual([]);
  });

  it('resolves holds opened in an earlier batch from the store, and says which to delete', () => {
    const known = new Map<string, Hold>([['authz_9', { id: 'authz_9', ...B, currency: 'USD' }]]);
    resetSeq(41);
    const events = parsed(
      [transferEvent(resolve('void', 'expiry.x', 'authz_9', 300, { currency: 'USD', expiry: true }))],
      41,
    );
    expect(holdsToLookUp(events)).toEqual(['authz_9']);
    const f = foldEvents(events, known, 41);
    expect(f.volumes).toEqual([
      { minuteMs: T0, ...B, currency: 'USD', kind: 'expired', count: 1, amountMinor: 300n },
    ]);
    expect(f.holdsResolved).toEqual(['authz_9']);
    expect(f.lastSeq).toBe(42);
  });

  it('counts declines by reason with their volume and latency', () => {
    const f = foldEvents(
      parsed([
        declineEvent({
          id: 'd1',
          amountMinor: 9000,
          reason: 'FloorLimitExceeded',
          metadata: { ...A, latencyMs: 1 },
        }),
        declineEvent({ id: 'd2', amountMinor: 100, reason: 'FloorLimitExceeded', metadata: A }),
        declineEvent({ id: 'd3', amountMinor: 50, reason: 'InsufficientFunds', metadata: A }),
      ]),
      none,
      0,
    );
    expect(f.counts[0]).toMatchObject({ ...A, approvals: 0, declines: 3, latencyCount: 1, latencySumMs: 1n });
    expect(f.declines.map((d) => [d.reason, d.count])).toEqual([
      ['FloorLimitExceeded', 2],
      ['InsufficientFunds', 1],
    ]);
    expect(f.volumes).toEqual([
      { minuteMs: T0, ...A, currency: 'EUR', kind: 'declined', count: 3, amountMinor: 9150n },
    ]);
  });

  it('ignores what is not an authorization: singles, holds naming no gateway, and their posts', () => {
    const f = foldEvents(
      parsed([
        transferEvent({ id: 's1', type: 'single', amountMinor: 5, metadata: A }),
        transferEvent(hold('other_1', 10, { note: 'not from authorization' })),
        transferEvent(resolve('post', 'p1', 'other_1', 10)),
        transferEvent(resolve('post', 'p2', 'never-seen', 10)),
      ]),
      none,
      0,
    );
    expect(f.counts).toEqual([]);
    expect(f.volumes).toEqual([]);
    expect(f.outcomes).toEqual({ counted: 0, ignored: 4, skipped: 0 });
    expect(f.lastSeq).toBe(4);
  });

  it('sums amounts exactly past 2^53', () => {
    const big = 2 ** 52;
    const f = foldEvents(parsed([1, 2, 3].map((i) => transferEvent(hold(`authz_${i}`, big, A)))), none, 0);
    expect(f.volumes[0]?.amountMinor).toBe(3n * BigInt(big));
    expect((f.volumes[0]?.amountMinor ?? 0n) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it('falls back to the writer member for the site, cleans labels, and skips unusable events', () => {
    const f = foldEvents(
      parsed([
        transferEvent(hold('authz_1', 10, { gateway: 'g\u0000w' }), T0 + 59_999),
        transferEvent({ id: 'bad', type: 'pending', amountMinor: 1.5, metadata: A }),
        { seq: 3, kind: 'mystery', at: new Date(T0).toISOString() },
      ]),
      none,
      0,
    );
    expect(f.counts).toEqual([
      expect.objectContaining({ minuteMs: T0, gateway: 'gw', site: 'edge-a', approvals: 1 }),
    ]);
    expect(f.outcomes).toEqual({ counted: 1, ignored: 0, skipped: 2 });
    expect(f.skipped).toEqual({ 'transfer.amountMinor invalid': 1, 'kind unknown': 1 });
    expect(f.lastSeq).toBe(3);
  });

  it('refuses events at or before the cursor', () => {
    const events = parsed([transferEvent(hold('authz_1', 10, A))]);
    expect(() => foldEvents(events, none, 1)).toThrow(/not after 1/);
  });
});
