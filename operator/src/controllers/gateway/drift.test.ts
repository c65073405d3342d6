import type { V1Deployment } from '@kubernetes/client-node';
import { checkDeployment, reapplyVerdict } from './drift.js';

const rendered = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'checkout-authorization',
    namespace: 'payments',
    labels: { app: 'authorization', tier: 'edge' },
  },
  spec: { replicas: 2 },
};
const live = (
  generation: number,
  replicas = 2,
  labels: Record<string, string> = { app: 'authorization', tier: 'edge' },
) =>
  ({
    metadata: { generation, labels: { ...labels, 'pod-template-hash': 'x' } },
    spec: { replicas },
  }) as unknown as V1Deployment;

describe('checkDeployment', () => {
  it('matches the object it applied once the informer shows it', () => {
    expect(checkDeployment(rendered, live(3), { generation: 3, confirmed: false })).toEqual({
      kind: 'matches',
    });
    expect(checkDeployment(rendered, live(3), { generation: 3, confirmed: true })).toEqual({
      kind: 'matches',
    });
  });

  it('an informer still showing the object before our apply is lag, not drift', () => {
    expect(checkDeployment(rendered, live(2, 1), { generation: 3, confirmed: false })).toEqual({
      kind: 'unconfirmed',
    });
    // our apply changed a label; the cache has the old one
    expect(
      checkDeployment(rendered, live(3, 2, { app: 'authorization', tier: 'old' }), {
        generation: 3,
        confirmed: false,
      }),
    ).toEqual({
      kind: 'unconfirmed',
    });
    // created by our apply, not in the cache yet
    expect(checkDeployment(rendered, undefined, { generation: 1, confirmed: false })).toEqual({
      kind: 'unconfirmed',
    });
  });

  it('scaled by hand (kubectl scale --replicas=0): drifted, saying the replicas', () => {
    expect(checkDeployment(rendered, live(4, 0), { generation: 3, confirmed: true })).toEqual({
      kind: 'drifted',
      what: ['replicas 0 (want 2)'],
    });
    // a higher generation is someone else's write even before our apply was confirmed
    expect(checkDeployment(rendered, live(4, 0), { generation: 3, confirmed: false }).kind).toBe('drifted');
  });

  it('another spec edit (kubectl set image): drifted by generation', () => {
    expect(checkDeployment(rendered, live(5), { generation: 3, confirmed: true })).toEqual({
      kind: 'drifted',
      what: ['spec changed (generation 3 → 5)'],
    });
  });

  it('a label changed or removed by hand, after our apply was seen: drifted, naming the label', () => {
    expect(
      checkDeployment(rendered, live(3, 2, { app: 'authorization' }), { generation: 3, confirmed: true }),
    ).toEqual({
      kind: 'drifted',
      what: ['label tier removed (want edge)'],
    });
    expect(
      checkDeployment(rendered, live(3, 2, { app: 'x', tier: 'edge' }), { generation: 3, confirmed: true }),
    ).toEqual({
      kind: 'drifted',
      what: ['label app=x (want authorization)'],
    });
  });

  it('labels others add are not drift', () => {
    expect(
      checkDeployment(rendered, live(3, 2, { app: 'authorization', tier: 'edge', team: 'pay' }), {
        generation: 3,
        confirmed: true,
      }),
    ).toEqual({ kind: 'matches' });
  });

  it('deleted after our apply was seen: drifted; never applied (operator restart): unconfirmed', () => {
    expect(checkDeployment(rendered, undefined, { generation: 3, confirmed: true })).toEqual({
      kind: 'drifted',
      what: ['deleted'],
    });
    expect(checkDeployment(rendered, live(9, 0), undefined)).toEqual({ kind: 'unconfirmed' });
  });
});

describe('reapplyVerdict', () => {
  it('sends nothing for content the cache holds as applied and nobody changed', () => {
    expect(reapplyVerdict({ current: true })).toEqual({ apply: false });
    expect(reapplyVerdict({ current: true, check: { kind: 'matches' } })).toEqual({ apply: false });
    expect(reapplyVerdict({ current: true, check: { kind: 'unconfirmed' } })).toEqual({ apply: false });
  });
  it('applies new content without an Event', () => {
    expect(reapplyVerdict({ current: false })).toEqual({ apply: true });
    expect(reapplyVerdict({ current: false, check: { kind: 'drifted', what: ['deleted'] } })).toEqual({
      apply: true,
    });
  });
  it('re-applies what drifted, saying what, whether the informer or the audit found it', () => {
    expect(
      reapplyVerdict({ current: true, check: { kind: 'drifted', what: ['replicas 0 (want 2)'] } }),
    ).toEqual({
      apply: true,
      corrected: ['replicas 0 (want 2)'],
    });
    expect(reapplyVerdict({ current: false, found: ['deleted'] })).toEqual({
      apply: true,
      corrected: ['deleted'],
    });
    // Re-applied with a drifted sibling: no Event of its own.
    expect(reapplyVerdict({ current: false, found: [] })).toEqual({ apply: true });
  });
  it('re-applies, silently, a current Deployment the synced informer does not show', () => {
    expect(reapplyVerdict({ current: true, check: { kind: 'unconfirmed' }, liveMissing: true })).toEqual({
      apply: true,
    });
    // Without a synced informer nothing is known about it.
    expect(reapplyVerdict({ current: true, liveMissing: true })).toEqual({ apply: false });
  });
});
