import { assessAvailability, isRollingOut } from './detection.js';
import { at, placement, T0 } from './testSupport.js';

const s = (available: boolean, observed = true) => ({
  member: 'edge-a',
  component: 'authorization' as const,
  observed,
  available,
});

describe('assessAvailability (transaction-path signal)', () => {
  const old = placement('authorization', 'edge-a', 'Active', { since: at(-3600) });

  it('clears the count when available', () => {
    expect(assessAvailability({ ...old, unavailableSince: at(-5) }, s(true), T0, 6)).toEqual({
      failed: false,
    });
  });

  it('starts the count at the first unavailable observation and fails after the detection window', () => {
    expect(assessAvailability(old, s(false), T0, 6)).toEqual({
      unavailableSince: at(0),
      failed: false,
      deadlineMs: T0 + 6000,
      allowedSeconds: 6,
    });
    const counting = { ...old, unavailableSince: at(-6) };
    expect(assessAvailability(counting, s(false), T0, 6).failed).toBe(true);
    expect(assessAvailability(counting, s(false), T0 - 1, 6).failed).toBe(false);
  });

  it('neither starts nor stops the count without fresh data', () => {
    expect(assessAvailability(old, s(false, false), T0, 6)).toEqual({ failed: false });
    expect(assessAvailability({ ...old, unavailableSince: at(-60) }, s(true, false), T0, 6)).toEqual({
      unavailableSince: at(-60),
      failed: false,
    });
    expect(assessAvailability(old, undefined, T0, 6)).toEqual({ failed: false });
  });

  it('treats a workload that is not there as unavailable', () => {
    const gone = { ...s(true), present: false };
    expect(assessAvailability({ ...old, unavailableSince: at(-10) }, gone, T0, 6).failed).toBe(true);
  });

  it('gives a placement that has not been available yet the rollout grace period', () => {
    const fresh = placement('authorization', 'edge-a', 'FailoverTarget', {
      since: at(-30),
      unavailableSince: at(-30),
    });
    expect(isRollingOut(fresh)).toBe(true);
    expect(assessAvailability(fresh, s(false), T0, 6)).toMatchObject({
      failed: false,
      deadlineMs: T0 + 90_000,
    });
    expect(assessAvailability(fresh, s(false), T0 + 90_000, 6).failed).toBe(true);
    // A longer detection window wins over the grace period.
    expect(assessAvailability(fresh, s(false), T0, 300).deadlineMs).toBe(T0 + 270_000);
  });

  it('gives the detection window, not the grace period, to a workload that broke within the second its state began', () => {
    // Active since T0 (second precision), seen available, then unavailable 300 ms later.
    const justActive = placement('authorization', 'edge-a', 'Active', { since: at(0) });
    const first = assessAvailability(justActive, s(false), T0 + 300, 3);
    expect(first.allowedSeconds).toBe(3);
    expect(first.unavailableSince).not.toBe(justActive.since);
    const counting = { ...justActive, unavailableSince: first.unavailableSince! };
    expect(isRollingOut(counting)).toBe(false);
    expect(assessAvailability(counting, s(false), T0 + 3_500, 3).failed).toBe(false);
    expect(assessAvailability(counting, s(false), T0 + 4_000, 3)).toMatchObject({
      failed: true,
      allowedSeconds: 3,
    });
  });
});
