// The fault matrix with money, on real pods (make test-real-pods: the real-node testbed). The
// operator places one gateway (one serving edge site, the other its failover target, the ledger
// and analytics on cloud-eu's real node against the testbed's PostgreSQL); a terminal fleet pays
// through the operator's routes API while each fault happens for real, and every case ends with
// the money reconciliation (every approval booked exactly once, stand-in ones replayed from the
// journals; nothing doubled; captures and reversals applied once; debits = credits; journals
// drained) and analytics' totals equal to the ledger's. Cases run in order and each starts from
// where the previous one left the gateway; more-faults.real.test.ts has the rest of the matrix.
import { placementOn, routeMembers } from '../harness/failover.js';
import { waitFor } from '../harness/wait.js';
import type { ResultRecord } from '../terminal/results.js';
import { approvedAt, approvedOnline } from './money-case.js';
import { endpointOf, Matrix, useMatrix, other } from './matrix.js';
import {
  crashSite,
  healSite,
  insideNamespace,
  killContainer,
  partitionSite,
  restarts,
  restoreSite,
  runningReady,
} from './real-site.js';

describe('the fault matrix on real pods: money through every fault', () => {
  const matrix = new Matrix('money');
  const gw = () => matrix.gw();

  useMatrix(matrix);

  it('(b) serving edge site partitioned (its links cut) with terminals inside paying stand-in; fenced after heal', async () => {
    const site = await matrix.servingSite();
    const spare = other(site);
    const out = matrix.startFleet('partition-out');
    const inside = matrix.startFleet('partition-in', {
      namespace: await insideNamespace(site),
      terminals: 2,
    });
    const insideApproved = (pred: (r: ResultRecord) => boolean) =>
      inside
        .records()
        .filter((r) => r.op === 'authorize' && r.status === 201 && r.decision === 'approved' && pred(r))
        .length;
    await inside.until(`20 online approvals inside ${site}`, (st) => approvedOnline(st) >= 20, 60_000);
    const epochBefore = gw()!.status!.epoch!;

    await partitionSite(site);
    // Inside: the site stands in (the ledger is beyond the cut). Outside: the routes move on.
    await inside.until(`30 stand-in approvals inside ${site}`, (st) => st.approvedStandIn >= 30, 120_000);
    await out.until(
      `40 approvals at ${spare} while ${site} is cut off`,
      (st) => approvedAt(st, endpointOf(spare)) >= 40,
      180_000,
    );
    expect(routeMembers(gw())).toEqual([spare]);
    expect(gw()!.status!.epoch!).toBeGreaterThan(epochBefore);
    const standInAtCut = insideApproved((r) => r.mode === 'standIn');

    await healSite(site);
    await matrix.fenced(site);
    // Inside terminals see the new routes and pay at the replacement.
    await inside.until(
      `inside terminals paying at ${spare} after the heal`,
      (st) => approvedAt(st, endpointOf(spare)) >= 10,
      120_000,
    );
    await inside.stop();
    await out.stop();

    const r = await matrix.reconcile([out.spec.resultFile, inside.spec.resultFile]);
    await matrix.expectSound('site partition', r);
    expect(r.counts.approvedStandIn).toBeGreaterThanOrEqual(standInAtCut);
    // Replayed from the journals: a stand-in approval the ledger had already booked online (its
    // answer lost in the cut) is booked once as online, so this is at most approvedStandIn.
    expect(r.counts.standInBooked).toBeGreaterThan(0);

    // A write from the cut-off site at its old epoch is refused by the ledger's fencing row.
    await matrix.expectFencedInLedger(site, epochBefore);
  }, 600_000);

  it('(a) serving edge site crashes under load (real node stopped), then is restored', async () => {
    const site = await matrix.servingSite();
    const spare = other(site);
    const epochBefore = gw()!.status!.epoch!;
    const fleet = matrix.startFleet('crash');
    await fleet.until(`40 approvals at ${site}`, (st) => approvedAt(st, endpointOf(site)) >= 40);

    await crashSite(site);
    await fleet.until(
      `40 approvals at ${spare} after the crash`,
      (st) => approvedAt(st, endpointOf(spare)) >= 40,
      180_000,
    );
    expect(routeMembers(gw())).toEqual([spare]);
    expect(placementOn(gw(), site)?.state).toBe('Lost');

    await restoreSite(site);
    await matrix.fenced(site);
    await matrix.siteReady(site);
    await fleet.stop();
    const r = await matrix.reconcile([fleet.spec.resultFile]);
    await matrix.expectSound('site crash', r);
    expect(r.counts.decidedElsewhere).toBeGreaterThan(0);
    // The crashed site was a stand-in (a FailoverTarget) and the slot went home: it is fenced in
    // the ledger all the same (the home names it in Paygrid-Fenced-Members).
    await matrix.expectFencedInLedger(site, epochBefore);
  }, 600_000);

  it('(c) operator SIGKILLed mid-failover: a new operator process finishes it', async () => {
    const site = await matrix.servingSite();
    const spare = other(site);
    const fleet = matrix.startFleet('operator-kill');
    await fleet.until(`30 approvals at ${site}`, (st) => approvedAt(st, endpointOf(site)) >= 30);
    const epochBefore = gw()!.status!.epoch!;

    await crashSite(site);
    // The failover has begun (the site's placement is Lost) and is not finished.
    const during = await waitFor(
      'the failover started',
      () => {
        const g = gw();
        return placementOn(g, site)?.state === 'Lost' && g;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    await matrix.operator.stop('SIGKILL');
    const routesAtKill = routeMembers(during);
    matrix.operator = await matrix.startOperator();

    // The new operator finished that failover, not another.
    await matrix.expectFailoverFinished(fleet, spare, epochBefore, 'after the operator restart');
    process.stdout.write(`[fault-matrix] operator killed with routes ${JSON.stringify(routesAtKill)}\n`);

    await restoreSite(site);
    await matrix.fenced(site);
    await matrix.siteReady(site);
    await fleet.stop();
    await matrix.expectSound(
      'operator SIGKILL mid-failover',
      await matrix.reconcile([fleet.spec.resultFile]),
    );
    await matrix.expectFencedInLedger(site, epochBefore);
  }, 600_000);

  it('(d) ledger container SIGKILLed under load: sites stand in, the journals replay once', async () => {
    await matrix.servingSite();
    const fleet = matrix.startFleet('ledger-kill');
    await fleet.until('40 online approvals', (st) => approvedOnline(st) >= 40);
    const ledger = matrix.pods('cloud-eu', 'ledger').find(runningReady)!;
    const before = restarts(ledger);

    killContainer('cloud-eu', ledger);
    await fleet.until(
      '20 stand-in approvals with the ledger down',
      (st) => st.approvedStandIn >= 20,
      120_000,
    );
    await waitFor(
      'the ledger restarted by its kubelet and Ready',
      () => {
        const p = matrix.pods('cloud-eu', 'ledger').find((x) => x.metadata?.uid === ledger.metadata?.uid);
        return p !== undefined && restarts(p) > before && runningReady(p);
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const online1 = approvedOnline(fleet.stats());
    await fleet.until(
      '40 online approvals after the ledger restart',
      (st) => approvedOnline(st) >= online1 + 40,
      180_000,
    );
    await fleet.stop();
    const r = await matrix.reconcile([fleet.spec.resultFile]);
    await matrix.expectSound('ledger SIGKILL', r);
    expect(r.counts.approvedStandIn).toBeGreaterThanOrEqual(20);
    // Replayed from the journals: a stand-in approval the ledger had already booked online (its
    // answer lost in the cut) is booked once as online, so this is at most approvedStandIn.
    expect(r.counts.standInBooked).toBeGreaterThan(0);
  }, 600_000);
});
