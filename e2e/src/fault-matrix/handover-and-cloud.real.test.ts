// The fault matrix on real pods, the rest of it (make test-payments-full; fault-matrix.real.test.ts
// has the cases CI runs, flapping.real.test.ts the flapping site): a leader handover between two
// operator replicas in the middle of a failover, then both edge sites down, authorization served
// from the cloud. The gateway has Cloud in its fallback (after the other edge); its own ledger
// and analytics databases; every case ends with the money reconciliation and analytics' totals
// equal to the ledger's. In order: the handover moves authorization from its home edge-a to
// edge-b; then edge-b and edge-a go down, and the home, not yet stable for failback, is passed
// over for the cloud anyway.
import { leaderLeaseHolder } from '../harness/install.js';
import { authPlacements, placementOn, routeMembers } from '../harness/failover.js';
import { waitFor } from '../harness/wait.js';
import { approvedAt } from './money-case.js';
import { EDGES, endpointOf, Matrix, useMatrix, other } from './matrix.js';
import { crashSite, restoreSite } from './real-site.js';

describe('the fault matrix on real pods: leader handover, both edges down', () => {
  const matrix = new Matrix('handover', { cloudFallback: true });
  const gw = () => matrix.gw();
  const epoch = () => gw()!.status!.epoch!;
  /** The leader Lease's holder: an operator's identity, before the per-process suffix (_<uuid>). */
  const holder = () => leaderLeaseHolder().replace(/_[^_]*$/, '');

  useMatrix(matrix);

  it('(g) leader handover with two replicas: the leader stopped mid-failover, the standby finishes it', async () => {
    const site = await matrix.servingSite();
    const spare = other(site);
    const leader = matrix.operator;
    const standby = await matrix.startOperator();
    expect(holder()).toBe(leader.identity);
    const fleet = matrix.startFleet('leader-handover');
    await fleet.until(`30 approvals at ${site}`, (st) => approvedAt(st, endpointOf(site)) >= 30);
    const epochBefore = epoch();

    await crashSite(site);
    await waitFor('the failover started', () => placementOn(gw(), site)?.state === 'Lost', {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    const stoppedAt = Date.now();
    expect(await leader.stop('SIGTERM')).toBe(0);
    await waitFor('the standby leading', () => holder() === standby.identity, {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    const handoverMs = Date.now() - stoppedAt;
    matrix.operator = standby;

    await matrix.expectFailoverFinished(fleet, spare, epochBefore, 'after the handover');
    // The leader released its Lease on the way out: the standby did not wait for it to expire (15 s).
    expect(handoverMs).toBeLessThan(15_000);

    await restoreSite(site);
    await matrix.fenced(site);
    await matrix.siteReady(site);
    await fleet.stop();
    const r = await matrix.reconcile([fleet.spec.resultFile]);
    await matrix.expectSound('leader handover mid-failover', r);
    await matrix.expectFencedInLedger(site, epochBefore);
    process.stdout.write(`[fault-matrix] leader handover ${JSON.stringify({ handoverMs })}\n`);
  }, 600_000);

  it('(f) both edge sites crash: authorization fails over to cloud-eu and the terminals pay there', async () => {
    const site = await matrix.servingSite();
    const fleet = matrix.startFleet('both-edges');
    await fleet.until(`30 approvals at ${site}`, (st) => approvedAt(st, endpointOf(site)) >= 30);
    const epochBefore = epoch();

    await crashSite(site);
    await crashSite(other(site));
    await fleet.until(
      '40 approvals at cloud-eu',
      (st) => approvedAt(st, endpointOf('cloud-eu')) >= 40,
      240_000,
    );
    const after = gw();
    expect(routeMembers(after)).toEqual(['cloud-eu']);
    expect(authPlacements(after).find((p) => p.member === 'cloud-eu')?.memberKind).toBe('CloudCluster');
    expect(after?.status?.epoch).toBeGreaterThan(epochBefore);

    for (const m of EDGES) await restoreSite(m);
    for (const m of EDGES) await matrix.fenced(m);
    for (const m of EDGES) await matrix.siteReady(m);
    await fleet.stop();
    const r = await matrix.reconcile([fleet.spec.resultFile]);
    await matrix.expectSound('both edge sites down', r);
    for (const m of EDGES) await matrix.expectFencedInLedger(m, epochBefore);
    expect(r.counts.decidedElsewhere).toBeGreaterThan(0);
  }, 600_000);
});
