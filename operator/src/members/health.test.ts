import fc from 'fast-check';
import {
  formatDuration,
  HealthState,
  initialHealth,
  nextHealth,
  normalizeThresholds,
  type HealthRecord,
  type HealthStep,
  type HealthThresholds,
  type ProbeOutcome,
} from './health.js';
import { MemberEventReason, ProbeReason } from './reasons.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const at = (ms: number) => new Date(T0 + ms);
const ok = (ms: number): ProbeOutcome => ({
  ok: true,
  reason: ProbeReason.ProbeSucceeded,
  message: 'ok',
  at: at(ms),
});
const fail = (ms: number, reason: ProbeOutcome['reason'] = ProbeReason.ProbeTimeout): ProbeOutcome => ({
  ok: false,
  reason,
  message: 'no answer within 1000 ms',
  at: at(ms),
});

/** Feed outcomes one by one; returns every step. */
function run(outcomes: ProbeOutcome[], thresholds?: HealthThresholds, start = initialHealth(at(0))) {
  const steps: HealthStep[] = [];
  let record: HealthRecord = start;
  for (const o of outcomes) {
    const step = nextHealth(record, o, thresholds);
    steps.push(step);
    record = step.record;
  }
  return { steps, record, states: steps.map((s) => s.record.state) };
}

const healthyAt = (ms: number): HealthRecord => ({
  state: HealthState.Healthy,
  since: at(ms),
  consecutiveFailures: 0,
  consecutiveSuccesses: 5,
});

describe('initialHealth / normalizeThresholds', () => {
  it('starts Unknown with no counts', () => {
    expect(initialHealth(at(0))).toEqual({
      state: 'Unknown',
      since: at(0),
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
    });
  });

  it('applies the CRD defaults and clamps nonsense to 1', () => {
    expect(normalizeThresholds(undefined)).toEqual({ failureThreshold: 3, successThreshold: 2 });
    expect(normalizeThresholds({ failureThreshold: 0, successThreshold: -4 })).toEqual({
      failureThreshold: 1,
      successThreshold: 1,
    });
    expect(normalizeThresholds({ failureThreshold: Number.NaN, successThreshold: 2.7 })).toEqual({
      failureThreshold: 3,
      successThreshold: 2,
    });
  });
});

describe('nextHealth from Unknown', () => {
  it('first successful probe makes the member Healthy without Recovering', () => {
    const step = nextHealth(initialHealth(at(0)), ok(100));
    expect(step.record).toEqual({
      state: 'Healthy',
      since: at(100),
      consecutiveFailures: 0,
      consecutiveSuccesses: 1,
    });
    expect(step.transition).toMatchObject({
      from: 'Unknown',
      to: 'Healthy',
      at: at(100),
      eventReason: MemberEventReason.SiteReachable,
      eventType: 'Normal',
    });
  });

  it('stays Unknown below failureThreshold, then becomes Unreachable without a detection time', () => {
    const { steps, states } = run([fail(0), fail(2000), fail(4000)], { failureThreshold: 3 });
    expect(states).toEqual(['Unknown', 'Unknown', 'Unreachable']);
    expect(steps[0]!.transition).toBeUndefined();
    expect(steps[1]!.transition).toBeUndefined();
    const t = steps[2]!.transition!;
    expect(t).toMatchObject({ from: 'Unknown', to: 'Unreachable', eventReason: 'SiteUnreachable' });
    expect(t.eventType).toBe('Warning');
    expect(t.detectionMilliseconds).toBeUndefined();
    expect(t.message).toContain('no probe has succeeded yet');
    expect(t.message).toContain('ProbeTimeout');
    expect(steps[2]!.record).toMatchObject({ consecutiveFailures: 3, failingSince: at(0), since: at(4000) });
  });

  it('with failureThreshold 1 the first failure is Unreachable', () => {
    expect(run([fail(0)], { failureThreshold: 1 }).states).toEqual(['Unreachable']);
  });

  it('a success while Unknown resets the failure count', () => {
    const { states, record } = run([fail(0), fail(1), ok(2)], { failureThreshold: 3 });
    expect(states).toEqual(['Unknown', 'Unknown', 'Healthy']);
    expect(record.consecutiveFailures).toBe(0);
    expect(record.failingSince).toBeUndefined();
  });
});

describe('nextHealth from Healthy', () => {
  it('a success keeps Healthy, its since, and counts successes', () => {
    const step = nextHealth(healthyAt(0), ok(5000));
    expect(step.transition).toBeUndefined();
    expect(step.record).toEqual({
      state: 'Healthy',
      since: at(0),
      consecutiveFailures: 0,
      consecutiveSuccesses: 6,
    });
  });

  it('one failure makes it Suspect with a SiteSuspect warning', () => {
    const step = nextHealth(healthyAt(0), fail(1000, ProbeReason.Unreachable), { failureThreshold: 3 });
    expect(step.record).toEqual({
      state: 'Suspect',
      since: at(1000),
      consecutiveFailures: 1,
      consecutiveSuccesses: 0,
      failingSince: at(1000),
    });
    expect(step.transition).toMatchObject({
      from: 'Healthy',
      to: 'Suspect',
      eventReason: 'SiteSuspect',
      eventType: 'Warning',
    });
    expect(step.transition!.message).toContain('1 of 3');
    expect(step.transition!.message).toContain('Unreachable:');
  });

  it('with failureThreshold 1 one failure is Unreachable at once, detection time 0', () => {
    const step = nextHealth(healthyAt(0), fail(1000), { failureThreshold: 1 });
    expect(step.record.state).toBe('Unreachable');
    expect(step.transition).toMatchObject({ from: 'Healthy', to: 'Unreachable', detectionMilliseconds: 0 });
  });
});

describe('nextHealth from Suspect', () => {
  it('a success returns to Healthy', () => {
    const { states, steps } = run([fail(1000), ok(3000)], undefined, healthyAt(0));
    expect(states).toEqual(['Suspect', 'Healthy']);
    expect(steps[1]!.transition).toMatchObject({
      from: 'Suspect',
      to: 'Healthy',
      eventReason: 'SiteReachable',
      eventType: 'Normal',
    });
    expect(steps[1]!.transition!.message).toContain('1 failed probe');
    expect(steps[1]!.record.since).toEqual(at(3000));
  });

  it('stays Suspect below the threshold, keeping since and the first failure time', () => {
    const { steps } = run([fail(1000), fail(3000)], { failureThreshold: 3 }, healthyAt(0));
    expect(steps[1]!.transition).toBeUndefined();
    expect(steps[1]!.record).toEqual({
      state: 'Suspect',
      since: at(1000),
      consecutiveFailures: 2,
      consecutiveSuccesses: 0,
      failingSince: at(1000),
    });
  });

  it('reaches Unreachable at failureThreshold and measures detection from the first failure', () => {
    const { steps, states } = run(
      [fail(1000), fail(3000), fail(5500)],
      { failureThreshold: 3 },
      healthyAt(0),
    );
    expect(states).toEqual(['Suspect', 'Suspect', 'Unreachable']);
    const t = steps[2]!.transition!;
    expect(t).toMatchObject({
      from: 'Suspect',
      to: 'Unreachable',
      eventReason: 'SiteUnreachable',
      eventType: 'Warning',
      detectionMilliseconds: 4500,
    });
    expect(t.message).toBe('3 consecutive probes failed in 4.5s: ProbeTimeout: no answer within 1000 ms');
    expect(steps[2]!.record).toMatchObject({ since: at(5500), unreachableSince: at(5500) });
  });

  it('a success in the middle restarts the count and the detection clock', () => {
    const { states, steps } = run(
      [fail(1000), fail(2000), ok(3000), fail(4000), fail(5000), fail(6000)],
      { failureThreshold: 3 },
      healthyAt(0),
    );
    expect(states).toEqual(['Suspect', 'Suspect', 'Healthy', 'Suspect', 'Suspect', 'Unreachable']);
    expect(steps[5]!.transition!.detectionMilliseconds).toBe(2000);
  });
});

describe('nextHealth from Unreachable and Recovering', () => {
  const down = () => run([fail(1000), fail(2000), fail(3000)], { failureThreshold: 3 }, healthyAt(0)).record;

  it('more failures keep Unreachable and its since, with no transition', () => {
    const step = nextHealth(down(), fail(9000));
    expect(step.transition).toBeUndefined();
    expect(step.record).toMatchObject({
      state: 'Unreachable',
      since: at(3000),
      consecutiveFailures: 4,
      failingSince: at(1000),
      unreachableSince: at(3000),
    });
  });

  it('a success moves to Recovering, never straight to Healthy', () => {
    const step = nextHealth(down(), ok(10_000), { successThreshold: 2 });
    expect(step.record).toEqual({
      state: 'Recovering',
      since: at(10_000),
      consecutiveFailures: 0,
      consecutiveSuccesses: 1,
      unreachableSince: at(3000),
    });
    expect(step.transition).toMatchObject({
      from: 'Unreachable',
      to: 'Recovering',
      eventReason: 'SiteRecovering',
      eventType: 'Normal',
    });
    expect(step.transition!.message).toContain('2 consecutive successful probes');
  });

  it('Recovering becomes Healthy at successThreshold with SiteRecovered and the downtime', () => {
    const { states, steps } = run([ok(10_000), ok(12_000), ok(14_000)], { successThreshold: 3 }, down());
    expect(states).toEqual(['Recovering', 'Recovering', 'Healthy']);
    expect(steps[1]!.transition).toBeUndefined();
    expect(steps[1]!.record.since).toEqual(at(10_000));
    const t = steps[2]!.transition!;
    expect(t).toMatchObject({
      from: 'Recovering',
      to: 'Healthy',
      eventReason: 'SiteRecovered',
      eventType: 'Normal',
      downtimeMilliseconds: 11_000,
    });
    expect(t.message).toBe(
      'the site answered 3 consecutive probes and is Healthy again after 11.0s unreachable',
    );
    expect(steps[2]!.record).toEqual({
      state: 'Healthy',
      since: at(14_000),
      consecutiveFailures: 0,
      consecutiveSuccesses: 3,
    });
  });

  it('successThreshold 1 still shows Recovering for one probe', () => {
    const { states } = run([ok(10_000), ok(12_000)], { successThreshold: 1 }, down());
    expect(states).toEqual(['Recovering', 'Healthy']);
  });

  it('a failure while Recovering is Unreachable again, continuing the same outage', () => {
    const { states, steps } = run([ok(10_000), fail(12_000), ok(14_000), ok(16_000)], undefined, down());
    expect(states).toEqual(['Recovering', 'Unreachable', 'Recovering', 'Healthy']);
    expect(steps[1]!.transition).toMatchObject({
      from: 'Recovering',
      to: 'Unreachable',
      eventReason: 'SiteUnreachable',
    });
    expect(steps[1]!.transition!.detectionMilliseconds).toBeUndefined();
    expect(steps[1]!.record).toMatchObject({ since: at(12_000), unreachableSince: at(3000) });
    expect(steps[3]!.transition!.downtimeMilliseconds).toBe(13_000);
  });

  it('records that lack unreachableSince (older callers) fall back to since', () => {
    const bare: HealthRecord = {
      state: HealthState.Unreachable,
      since: at(0),
      consecutiveFailures: 9,
      consecutiveSuccesses: 0,
    };
    const { steps } = run([ok(1000), ok(2000)], undefined, bare);
    expect(steps[1]!.transition!.downtimeMilliseconds).toBe(2000);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [1234, '1.2s'],
    [59_949, '59.9s'],
    [59_999, '1m0s'],
    [95_000, '1m35s'],
    [3_725_000, '1h2m5s'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('nextHealth properties', () => {
  const thresholdsArb = fc.record({
    failureThreshold: fc.integer({ min: 1, max: 6 }),
    successThreshold: fc.integer({ min: 1, max: 6 }),
  });
  const stateArb = fc.constantFrom(...Object.values(HealthState));
  // Any reachable-looking starting record, including odd counts.
  const startArb = fc.record({
    state: stateArb,
    since: fc.constant(at(0)),
    consecutiveFailures: fc.nat(10),
    consecutiveSuccesses: fc.nat(10),
  });
  const outcomesArb = fc.array(fc.boolean(), { maxLength: 60 });
  const toOutcomes = (bits: boolean[]) => bits.map((b, i) => (b ? ok((i + 1) * 1000) : fail((i + 1) * 1000)));

  it('never goes from Unreachable to Healthy without Recovering', () => {
    fc.assert(
      fc.property(thresholdsArb, startArb, outcomesArb, (th, start, bits) => {
        let prev: HealthRecord = start;
        for (const o of toOutcomes(bits)) {
          const { record } = nextHealth(prev, o, th);
          if (prev.state === 'Unreachable') expect(record.state).not.toBe('Healthy');
          prev = record;
        }
      }),
    );
  });

  it('reports a transition exactly when the state changes, with matching from/to/at', () => {
    fc.assert(
      fc.property(thresholdsArb, startArb, outcomesArb, (th, start, bits) => {
        let prev: HealthRecord = start;
        for (const o of toOutcomes(bits)) {
          const { record, transition } = nextHealth(prev, o, th);
          if (record.state === prev.state) {
            expect(transition).toBeUndefined();
            expect(record.since).toEqual(prev.since);
          } else {
            expect(transition).toMatchObject({ from: prev.state, to: record.state, at: o.at });
            expect(record.since).toEqual(o.at);
          }
          prev = record;
        }
      }),
    );
  });

  it('counts consecutive results exactly', () => {
    fc.assert(
      fc.property(thresholdsArb, outcomesArb, (th, bits) => {
        const { steps } = run(toOutcomes(bits), th);
        let f = 0;
        let s = 0;
        bits.forEach((b, i) => {
          f = b ? 0 : f + 1;
          s = b ? s + 1 : 0;
          expect(steps[i]!.record.consecutiveFailures).toBe(f);
          expect(steps[i]!.record.consecutiveSuccesses).toBe(s);
          expect(steps[i]!.record.failingSince !== undefined).toBe(!b);
        });
      }),
    );
  });

  it('failureThreshold consecutive failures always end Unreachable, and never sooner from Healthy', () => {
    fc.assert(
      fc.property(thresholdsArb, outcomesArb, (th, prefix) => {
        const { record: before } = run(toOutcomes(prefix), th);
        let prev = before;
        for (let i = 1; i <= th.failureThreshold; i++) {
          const { record } = nextHealth(prev, fail(100_000 + i), th);
          const fresh =
            before.state === 'Healthy' || before.state === 'Suspect' || before.state === 'Unknown';
          if (fresh && before.consecutiveFailures + i < th.failureThreshold) {
            expect(record.state).not.toBe('Unreachable');
          }
          prev = record;
        }
        expect(prev.state).toBe('Unreachable');
      }),
    );
  });

  it('enough consecutive successes always end Healthy; Recovering needs successThreshold of them', () => {
    fc.assert(
      fc.property(thresholdsArb, outcomesArb, (th, prefix) => {
        const { record: before } = run(toOutcomes(prefix), th);
        let prev = before;
        const needed = Math.max(th.successThreshold, 2);
        for (let i = 1; i <= needed; i++) {
          const { record } = nextHealth(prev, ok(100_000 + i), th);
          if (record.state === 'Healthy' && prev.state === 'Recovering') {
            expect(record.consecutiveSuccesses).toBeGreaterThanOrEqual(th.successThreshold);
          }
          prev = record;
        }
        expect(prev.state).toBe('Healthy');
      }),
    );
  });

  it('only reports a detection time when a Healthy/Suspect member becomes Unreachable, and it is exact', () => {
    fc.assert(
      fc.property(thresholdsArb, outcomesArb, (th, bits) => {
        const { steps } = run(toOutcomes(bits), th);
        steps.forEach((step, i) => {
          const t = step.transition;
          if (t?.detectionMilliseconds !== undefined) {
            expect(t.to).toBe('Unreachable');
            expect(['Healthy', 'Suspect']).toContain(t.from);
            // Outcome i is at (i+1)s; the run of failures started failures-1 probes earlier.
            expect(t.detectionMilliseconds).toBe((step.record.consecutiveFailures - 1) * 1000);
            expect(step.record.consecutiveFailures).toBe(th.failureThreshold);
            expect(i).toBeGreaterThanOrEqual(0);
          } else if (t?.to === 'Unreachable') {
            expect(['Unknown', 'Recovering']).toContain(t.from);
          }
        });
      }),
    );
  });
});
