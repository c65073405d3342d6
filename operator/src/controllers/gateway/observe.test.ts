import type { V1Deployment } from '@kubernetes/client-node';
import fc from 'fast-check';
import { observeDeployment } from './observe.js';

interface Shape {
  replicas?: number;
  generation?: number;
  observedGeneration?: number;
  status?: V1Deployment['status'];
}

function deployment({
  replicas,
  generation = 2,
  observedGeneration = generation,
  status,
}: Shape): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'checkout-authorization', namespace: 'payments', generation },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: {},
      template: {},
    },
    status: { observedGeneration, ...status },
  };
}

/** Every replica of the current template up and no old pod left. */
const settled = (n: number) => ({ replicas: n, updatedReplicas: n, availableReplicas: n, readyReplicas: n });

describe('observeDeployment', () => {
  it('a missing Deployment is neither available nor rolled out', () => {
    expect(observeDeployment(undefined)).toEqual({ available: false, rolledOut: false, readyReplicas: 0 });
  });

  it('a settled Deployment is available and rolled out', () => {
    expect(observeDeployment(deployment({ replicas: 3, status: settled(3) }))).toEqual({
      available: true,
      rolledOut: true,
      readyReplicas: 3,
    });
  });

  it('is not rolled out while the controller has not observed the latest generation', () => {
    const d = deployment({ replicas: 3, generation: 3, observedGeneration: 2, status: settled(3) });
    expect(observeDeployment(d)).toEqual({ available: true, rolledOut: false, readyReplicas: 3 });
  });

  it('is rolled out when the controller observed a later generation than the cache has', () => {
    const d = deployment({ replicas: 2, generation: 3, observedGeneration: 4, status: settled(2) });
    expect(observeDeployment(d).rolledOut).toBe(true);
  });

  it('is not rolled out during a surge while old pods remain', () => {
    // 3 wanted, 3 new ones available, 1 old pod still there.
    const d = deployment({
      replicas: 3,
      status: { replicas: 4, updatedReplicas: 3, availableReplicas: 4, readyReplicas: 4 },
    });
    expect(observeDeployment(d)).toEqual({ available: true, rolledOut: false, readyReplicas: 4 });
  });

  it('is not rolled out until enough replicas are updated and available', () => {
    const notUpdated = deployment({
      replicas: 3,
      status: { replicas: 3, updatedReplicas: 2, availableReplicas: 3, readyReplicas: 3 },
    });
    expect(observeDeployment(notUpdated).rolledOut).toBe(false);
    const notAvailable = deployment({
      replicas: 3,
      status: { replicas: 3, updatedReplicas: 3, availableReplicas: 2, readyReplicas: 3 },
    });
    expect(observeDeployment(notAvailable)).toEqual({ available: true, rolledOut: false, readyReplicas: 3 });
  });

  it('reports readyReplicas as the Deployment does, apart from availability', () => {
    // Ready but not yet available (minReadySeconds).
    const d = deployment({
      replicas: 2,
      status: { replicas: 2, updatedReplicas: 2, availableReplicas: 0, readyReplicas: 2 },
    });
    expect(observeDeployment(d)).toEqual({ available: false, rolledOut: false, readyReplicas: 2 });
  });

  it('wants one replica when spec.replicas is unset', () => {
    expect(observeDeployment(deployment({ status: settled(1) })).rolledOut).toBe(true);
    expect(observeDeployment(deployment({ status: settled(0) })).rolledOut).toBe(false);
  });

  it('a new Deployment with no status yet is neither available nor rolled out', () => {
    const d: V1Deployment = {
      metadata: { generation: 1 },
      spec: { replicas: 2, selector: {}, template: {} },
    };
    expect(observeDeployment(d)).toEqual({ available: false, rolledOut: false, readyReplicas: 0 });
  });

  it('rolledOut implies every wanted replica available and none stale (property)', () => {
    const count = fc.option(fc.nat(6), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({
          replicas: count,
          generation: fc.nat(4),
          observedGeneration: fc.nat(4),
          status: fc.record({
            replicas: count,
            updatedReplicas: count,
            availableReplicas: count,
            readyReplicas: count,
          }),
        }),
        (shape) => {
          const d = deployment(shape);
          const o = observeDeployment(d);
          const want = shape.replicas ?? 1;
          expect(o.readyReplicas).toBe(shape.status.readyReplicas ?? 0);
          expect(o.available).toBe((shape.status.availableReplicas ?? 0) > 0);
          if (o.rolledOut) {
            expect(shape.observedGeneration).toBeGreaterThanOrEqual(shape.generation);
            expect(shape.status.availableReplicas ?? 0).toBeGreaterThanOrEqual(want);
            expect(shape.status.updatedReplicas ?? 0).toBeGreaterThanOrEqual(want);
            expect(shape.status.replicas ?? 0).toBeLessThanOrEqual(want);
            if (want > 0) expect(o.available).toBe(true);
          }
        },
      ),
    );
  });
});
