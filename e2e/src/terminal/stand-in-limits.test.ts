import { checkStandInLimits, type StandInApproval, type StandInLimits } from './stand-in-limits.js';

const limits: StandInLimits = {
  floorLimitMinor: 5000,
  maxOfflineCount: 2,
  maxOfflineAmountMinor: 6000,
  currency: 'EUR',
};

const approval = (
  authId: string,
  answeredAtMs: number,
  bookedAtMs: number | undefined,
  amountMinor = 1000,
  site = 'http://edge-a',
): StandInApproval => ({
  authId,
  site,
  answeredAtMs,
  amountMinor,
  currency: 'EUR',
  ...(bookedAtMs === undefined ? {} : { bookedAtMs }),
});

describe('checkStandInLimits', () => {
  it('measures the peak outstanding per site: approvals replayed before the next come do not add up', () => {
    const r = checkStandInLimits(
      [
        approval('a', 0, 10),
        approval('b', 10, 20),
        approval('c', 20, 30),
        approval('d', 5, 8, 1000, 'http://edge-b'),
      ],
      limits,
    );
    expect(r.breaches).toEqual([]);
    expect(r.sites).toEqual([
      { site: 'http://edge-a', approvals: 3, peakCount: 1, peakAmountMinor: 1000 },
      { site: 'http://edge-b', approvals: 1, peakCount: 1, peakAmountMinor: 1000 },
    ]);
  });

  it('reports a site holding more approvals or more amount at once than its limits', () => {
    const r = checkStandInLimits(
      [approval('a', 0, 100, 3000), approval('b', 1, 100, 3000), approval('c', 2, undefined, 500)],
      limits,
    );
    expect(r.sites[0]).toMatchObject({ peakCount: 3, peakAmountMinor: 6500 });
    expect(r.breaches.map((b) => b.detail)).toEqual([
      'http://edge-a: 3 stand-in approvals outstanding at once, above 2',
      'http://edge-a: 6500 outstanding in stand-in approvals at once, above 6000',
    ]);
  });

  it('counts a hold the ledger had before the answer (booked online, answer lost) as never outstanding', () => {
    const r = checkStandInLimits([approval('a', 10, 5), approval('b', 11, 5), approval('c', 12, 5)], limits);
    expect(r.sites[0]).toMatchObject({ approvals: 3, peakCount: 0 });
    expect(r.breaches).toEqual([]);
  });

  it('reports a stand-in approval above the floor limit or in another currency', () => {
    const r = checkStandInLimits(
      [approval('big', 0, 1, 5001), { ...approval('usd', 2, 3), currency: 'USD' }],
      limits,
    );
    expect(r.breaches.map((b) => b.detail)).toEqual([
      'big at http://edge-a: stand-in approval of 5001 above the floor limit 5000',
      'usd at http://edge-a: stand-in approval in USD, the limits are in EUR',
    ]);
  });
});
