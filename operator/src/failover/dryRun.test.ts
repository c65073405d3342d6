import type { PaymentGateway } from '../api/index.js';
import { dryRunSiteFailure } from './dryRun.js';
import { planGateway } from './planGateway.js';
import { applyPlan, at, cloud, edge, gateway } from './testSupport.js';

const all = [
  edge('edge-a'),
  edge('edge-b'),
  edge('edge-c'),
  edge('edge-d', { region: 'us-east' }),
  cloud('cloud-a'),
];

function serving(gw: PaymentGateway): PaymentGateway {
  return applyPlan(gw, planGateway({ gateway: gw, members: all, workloads: [], now: at(0) }));
}

describe('dryRunSiteFailure', () => {
  it('shows what the planner would do if the site died now, changing nothing', () => {
    const gw = serving(gateway());
    const before = JSON.stringify(gw);
    const drill = dryRunSiteFailure(gw, all, 'edge-a', at(60));
    expect(JSON.stringify(gw)).toBe(before);
    expect(drill.lines).toEqual([
      'if EdgeSite edge-a failed now, payments/checkout would:',
      expect.stringMatching(
        /^ {2}add authorization on edge-c: FailoverTarget for edge-a \(FailoverPending\): stands in for edge-a/,
      ),
      '  authorization on edge-a: Active → Lost (MemberUnreachable)',
      '  epoch 1 → 2',
      '  routes: edge-a and edge-b now; edge-b at once, then edge-c once available',
      '  (assuming every other workload is available)',
    ]);
    expect(drill.plan.failovers).toEqual([{ from: 'edge-a', to: 'edge-c', reason: 'SiteUnreachable' }]);
    expect(drill.summary).toBe(drill.lines.join('\n'));
  });

  it('reports that nothing changes for a site holding none of the gateway, and names problems', () => {
    const gw = serving(gateway());
    expect(dryRunSiteFailure(gw, all, 'edge-d', at(60)).lines[1]).toBe(
      '  change nothing: edge-d holds none of its placements',
    );
    const two = [edge('edge-a'), edge('edge-b'), cloud('cloud-a')];
    const small = applyPlan(
      gateway(),
      planGateway({ gateway: gateway(), members: two, workloads: [], now: at(0) }),
    );
    const drill = dryRunSiteFailure(small, two, 'edge-b', at(60));
    expect(
      drill.lines.some(
        (l) =>
          l.startsWith('  report NoFailoverTarget: ') && l.includes('add Cloud to spec.failover.fallback'),
      ),
    ).toBe(true);
  });

  it('drills the ledger primary too', () => {
    const drill = dryRunSiteFailure(serving(gateway()), all, 'cloud-a', at(60));
    expect(drill.lines).toContain('  ledger on cloud-a: Active → Lost (MemberUnreachable)');
  });

  it('says so for an unknown site', () => {
    expect(dryRunSiteFailure(serving(gateway()), all, 'nowhere', at(60)).summary).toBe(
      'no EdgeSite or CloudCluster is named nowhere: nothing to drill',
    );
  });
});
