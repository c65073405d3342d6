import type { StandInLimits } from '@paygrid/workload-kit';
import { decideStandIn } from './stand-in-limits.js';

const LIMITS: StandInLimits = {
  floorLimitMinor: 5000,
  maxOfflineCount: 3,
  maxOfflineAmountMinor: 10000,
  currency: 'EUR',
};
const none = { count: 0, amountMinor: 0 };

describe('decideStandIn', () => {
  it('approves exactly at the floor limit, declines one minor unit above', () => {
    expect(decideStandIn(LIMITS, none, { amountMinor: 5000, currency: 'EUR' })).toEqual({ approve: true });
    expect(decideStandIn(LIMITS, none, { amountMinor: 5001, currency: 'EUR' })).toMatchObject({
      approve: false,
      reason: 'StandInFloorLimitExceeded',
    });
  });

  it('approves the last allowed offline approval, declines the one after', () => {
    expect(decideStandIn(LIMITS, { count: 2, amountMinor: 0 }, { amountMinor: 1, currency: 'EUR' })).toEqual({
      approve: true,
    });
    expect(
      decideStandIn(LIMITS, { count: 3, amountMinor: 0 }, { amountMinor: 1, currency: 'EUR' }),
    ).toMatchObject({
      approve: false,
      reason: 'StandInOfflineCountExceeded',
    });
  });

  it('approves up to exactly the offline amount, declines one minor unit above', () => {
    expect(
      decideStandIn(LIMITS, { count: 1, amountMinor: 5000 }, { amountMinor: 5000, currency: 'EUR' }),
    ).toEqual({
      approve: true,
    });
    expect(
      decideStandIn(LIMITS, { count: 1, amountMinor: 5001 }, { amountMinor: 5000, currency: 'EUR' }),
    ).toMatchObject({
      approve: false,
      reason: 'StandInOfflineAmountExceeded',
    });
  });

  it('declines another currency whatever the amount', () => {
    expect(decideStandIn(LIMITS, none, { amountMinor: 1, currency: 'USD' })).toMatchObject({
      approve: false,
      reason: 'StandInCurrencyNotAllowed',
    });
  });

  it('with zero limits approves nothing alone', () => {
    const zero = { ...LIMITS, floorLimitMinor: 0, maxOfflineCount: 0, maxOfflineAmountMinor: 0 };
    expect(decideStandIn(zero, none, { amountMinor: 1, currency: 'EUR' }).approve).toBe(false);
    expect(
      decideStandIn({ ...LIMITS, maxOfflineCount: 0 }, none, { amountMinor: 1, currency: 'EUR' }),
    ).toMatchObject({
      reason: 'StandInOfflineCountExceeded',
    });
  });

  it('stays exact beyond 2^53 / 100 (no float arithmetic on amounts)', () => {
    const big = {
      ...LIMITS,
      floorLimitMinor: 2 ** 52,
      maxOfflineCount: 10,
      maxOfflineAmountMinor: Number.MAX_SAFE_INTEGER,
    };
    expect(
      decideStandIn(
        big,
        { count: 1, amountMinor: Number.MAX_SAFE_INTEGER - 2 ** 52 },
        { amountMinor: 2 ** 52, currency: 'EUR' },
      ),
    ).toEqual({ approve: true });
    expect(
      decideStandIn(
        big,
        { count: 1, amountMinor: Number.MAX_SAFE_INTEGER - 2 ** 52 + 1 },
        { amountMinor: 2 ** 52, currency: 'EUR' },
      ).approve,
    ).toBe(false);
  });
});
