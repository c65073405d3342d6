// The fault matrix on real pods, one more case (make test-payments-full): a flapping edge site.
// Its links are cut and mended again and again while terminals pay: cuts shorter than the
// detector's threshold must move nothing (no epoch, same routes); one cut past the detection
// window fails over once; the lost site flapping on afterwards moves nothing either (an epoch
// moves only when the serving sites change). Its own gateway, ledger and analytics databases;
// the money reconciliation and analytics' totals at the end, as in every case.
import { setTimeout as delay } from 'node:timers/promises';
import { routeMembers } from '../harness/failover.js';
import { approvedAt } from './money-case.js';
import { endpointOf, Matrix, useMatrix, other } from './matrix.js';
import { healSite, partitionSite, type Member } from './real-site.js';

// A flap: cut shorter than 2 probe periods (2 s each; 3 failures in a row make a site
// Unreachable), then up for 2.5 periods, so the detector sees it answer between cuts: flaps it
// must ride through. A long cut, past the detection window, it must act on.
const SHORT_CUT_MS = 1500;
const UP_BETWEEN_MS = 5000;
const LONG_CUT_MS = 12_000;

describe('the fault matrix on real pods: a flapping edge site', () => {
  const matrix = new Matrix('flapping');
  const gw = () => matrix.gw();
  const epoch = () => gw()!.status!.epoch!;

  /** One flap: the site's links cut for `ms`, mended, left up; how long it really was cut (with the scripts). */
  async function flap(m: Member, ms: number): Promise<number> {
    const start = Date.now();
    await partitionSite(m);
    await delay(ms); // the fault's shape: how long the link stays cut
    await healSite(m);
    const cut = Date.now() - start;
    await delay(UP_BETWEEN_MS); // and how long it stays up before the next cut
    return cut;
  }

  useMatrix(matrix);

  it('(e) flapping edge site: short cuts ride through, one long cut fails over once, flaps of the lost site move nothing', async () => {
    const site = await matrix.servingSite();
    const spare = other(site);
    const fleet = matrix.startFleet('flapping');
    await fleet.until(`30 approvals at ${site}`, (st) => approvedAt(st, endpointOf(site)) >= 30);
    const epochBefore = epoch();

    const short: number[] = [];
    for (let i = 1; i <= 4; i++) {
      short.push(await flap(site, SHORT_CUT_MS));
      const at = approvedAt(fleet.stats(), endpointOf(site));
      await fleet.until(
        `approvals at ${site} again after flap ${i}`,
        (st) => approvedAt(st, endpointOf(site)) > at,
      );
    }
    // The cuts were short (the scripts included), and no placement moved for them.
    expect(Math.max(...short)).toBeLessThan(4000);
    expect(epoch()).toBe(epochBefore);
    expect(routeMembers(gw())).toEqual([site]);

    const long = await flap(site, LONG_CUT_MS);
    await fleet.until(
      `40 approvals at ${spare} after the long cut`,
      (st) => approvedAt(st, endpointOf(spare)) >= 40,
      180_000,
    );
    expect(routeMembers(gw())).toEqual([spare]);
    await matrix.fenced(site);
    const epochAfterFailover = epoch();
    expect(epochAfterFailover).toBeGreaterThan(epochBefore);

    // The lost site flaps on: it serves nothing, so no epoch moves and the routes stay.
    for (let i = 1; i <= 3; i++) await flap(site, SHORT_CUT_MS);
    await matrix.siteReady(site);
    const spareAt = approvedAt(fleet.stats(), endpointOf(spare));
    await fleet.until(
      `20 more approvals at ${spare}`,
      (st) => approvedAt(st, endpointOf(spare)) >= spareAt + 20,
    );
    expect(epoch()).toBe(epochAfterFailover);
    expect(routeMembers(gw())).toEqual([spare]);

    await fleet.stop();
    const r = await matrix.reconcile([fleet.spec.resultFile]);
    await matrix.expectSound('flapping site', r);
    await matrix.expectFencedInLedger(site, epochBefore);
    process.stdout.write(
      `[fault-matrix] flaps ${JSON.stringify({ shortCutsMs: short, longCutMs: long, epochBefore, epochAfterFailover })}\n`,
    );
  }, 600_000);
});
