import { memberKey } from '../../members/index.js';
import { workloadKey, workloadSignals, type WorkloadObservation } from './pass.js';

describe('workloadSignals', () => {
  it('turns each memberKey|component observation into a signal of that member, kind and component', () => {
    const up: WorkloadObservation = {
      observed: true,
      present: true,
      available: true,
      rolledOut: false,
      readyReplicas: 2,
    };
    const unobserved: WorkloadObservation = {
      observed: false,
      present: true,
      available: false,
      rolledOut: false,
      readyReplicas: 1,
    };
    const gone: WorkloadObservation = { ...up, present: false, available: false };
    const workloads = new Map([
      [workloadKey(memberKey('EdgeSite', 'edge-a'), 'authorization'), up],
      [workloadKey(memberKey('CloudCluster', 'cloud-a'), 'ledger'), unobserved],
      [workloadKey(memberKey('CloudCluster', 'cloud-a'), 'analytics'), gone],
    ]);
    expect(workloadSignals(workloads)).toEqual([
      {
        member: 'edge-a',
        memberKind: 'EdgeSite',
        component: 'authorization',
        observed: true,
        available: true,
        present: true,
      },
      {
        member: 'cloud-a',
        memberKind: 'CloudCluster',
        component: 'ledger',
        observed: false,
        available: false,
        present: true,
      },
      {
        member: 'cloud-a',
        memberKind: 'CloudCluster',
        component: 'analytics',
        observed: true,
        available: false,
        present: false,
      },
    ]);
  });

  it('gives nothing for no observations', () => {
    expect(workloadSignals(new Map())).toEqual([]);
  });
});
