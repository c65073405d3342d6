import { reasonsInSource } from './code-reasons.js';

const sorted = (s: Set<string>) => [...s].sort();

describe('reasonsInSource', () => {
  it('finds reason properties, variables and assignments, both arms of conditionals included', () => {
    const r = reasonsInSource(
      'a.ts',
      `const p = { state: 'Lost', reason: 'MemberUnreachable', message: 'x' };
       const reason = n > 0 ? 'FailbackInProgress' : ok ? 'FailedOver' : 'FailoverInProgress';
       let other; reason = 'Retained'; other = 'NotAReason';
       const q = { reason: reasonOf(p) /* computed elsewhere */, kind: 'EdgeSite' };`,
    );
    expect(sorted(r.reasons)).toEqual([
      'FailbackInProgress',
      'FailedOver',
      'FailoverInProgress',
      'MemberUnreachable',
      'Retained',
    ]);
  });

  it('finds the condition helper, Events, union types, *Reason objects and *_REASON constants', () => {
    const r = reasonsInSource(
      'b.ts',
      `conditions = set(conditions, 'Ready', 'False', cleanup ? 'CleanupPending' : 'Deleting', msg);
       deps.events.warning(regarding, 'CleanupFailed', 'Finalize', message);
       deps.events.normal(regarding, e.reason, 'Move', message);
       export type PlanEventReason = 'FailoverStarted' | 'FailoverCompleted';
       export const ProbeReason = { ProbeTimeout: 'ProbeTimeout' } as const;
       export const DRIFT_CORRECTED_REASON = 'DriftCorrected';
       export const GatewayConditionType = { Ready: 'Ready', FailedOver: 'FailedOver' } as const;
       const colour = 'Blue';`,
    );
    expect(sorted(r.reasons)).toEqual([
      'CleanupFailed',
      'CleanupPending',
      'Deleting',
      'DriftCorrected',
      'FailoverCompleted',
      'FailoverStarted',
      'ProbeTimeout',
    ]);
    expect(sorted(r.conditionTypes)).toEqual(['FailedOver', 'Ready']);
  });
});
