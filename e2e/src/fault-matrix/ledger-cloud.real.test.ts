// The fault matrix, case (h): the cloud cluster holding the primary ledger is lost, under load, and
// a standby ledger on another cloud cluster (cloud-us) is promoted by epoch. On real pods (make
// test-real-pods). The terminals must see no payment lost or doubled: the edge stands in while the
// ledger moves (the kubelet's ConfigMap sync brings the new ledger-endpoint to the running pods),
// then books online at the promoted ledger and replays its journal there once; the old primary,
// restored, is fenced (its writes refused, nothing of it booked). Then the SRE's step from the
// runbook: the promoted cluster made spec.ledger.primary.
import { execFileSync } from 'node:child_process';
import type { Placement } from '@paygrid/operator/api';
import { gatewayEvents } from '../harness/failover.js';
import { waitFor } from '../harness/wait.js';
import { kubectl } from '../testbed/clusters.js';
import { approvedOnline } from './money-case.js';
import { endpointOf, Matrix, useMatrix } from './matrix.js';
import { crashSite, NS, restoreSite, runningReady } from './real-site.js';

const ledgerOf = (p: readonly Placement[] | undefined, member: string) =>
  (p ?? []).find((x) => x.component === 'ledger' && x.member === member);

describe('the fault matrix on real pods: the ledger primary cloud cluster lost', () => {
  const matrix = new Matrix('books', { ledgerStandbys: ['cloud-us'] });
  const gw = () => matrix.gw();
  const sql = (q: string) => execFileSync('psql', [matrix.db, '-qAt', '-c', q], { encoding: 'utf8' }).trim();

  useMatrix(matrix);

  it('(h) cloud-eu (primary ledger) crashes under load: cloud-us promoted, stand-in replayed there once, the old primary fenced', async () => {
    await waitFor(
      'the standby ledger on cloud-us Ready',
      () =>
        ledgerOf(gw()?.status?.placements, 'cloud-us')?.state === 'Standby' &&
        matrix.pods('cloud-us', 'ledger').some(runningReady),
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
    const authPods = () =>
      matrix
        .pods('edge-a', 'authorization')
        .map((p) => p.metadata?.uid)
        .sort();
    const authBefore = authPods();
    const fleet = matrix.startFleet('ledger-cloud');
    await fleet.until('40 online approvals at cloud-eu', (st) => approvedOnline(st) >= 40);
    const epochBefore = gw()!.status!.epoch!;

    await crashSite('cloud-eu');
    const promoted = await waitFor(
      'the standby on cloud-us promoted',
      () => {
        const g = gw();
        const us = ledgerOf(g?.status?.placements, 'cloud-us');
        return us?.state === 'FailoverTarget' && us.replacedMember === 'cloud-eu' && g;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(promoted.status!.epoch!).toBeGreaterThan(epochBefore);
    expect(ledgerOf(promoted.status?.placements, 'cloud-eu')?.state).toBe('Lost');
    // Events are recorded after the status write, in the background.
    await waitFor(
      'a LedgerPromoted Event',
      () => gatewayEvents('books', promoted.metadata?.uid).some((e) => e.reason === 'LedgerPromoted'),
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    // The edge's contract names the promoted ledger, without a rollout of authorization.
    const endpoint = () =>
      kubectl('edge-a', [
        '-n',
        NS,
        'get',
        'cm',
        'books-authorization',
        '-o',
        'jsonpath={.data.ledger-endpoint}',
      ]).stdout;
    await waitFor('edge-a contract names cloud-us', () => endpoint() === endpointOf('cloud-us'), {
      timeoutMs: 30_000,
      intervalMs: 500,
    });

    // The edge stands in until the kubelet brings it the new endpoint, then books online there.
    await fleet.until(
      '10 stand-in approvals with the primary gone',
      (st) => st.approvedStandIn >= 10,
      120_000,
    );
    const onlineAtCrash = approvedOnline(fleet.stats());
    await fleet.until(
      '40 online approvals booked by the promoted ledger',
      (st) => approvedOnline(st) >= onlineAtCrash + 40,
      240_000,
    );
    // No rollout: the same authorization pods (their stand-in journals on emptyDirs) served throughout.
    expect(authPods()).toEqual(authBefore);
    // The promoted ledger wrote at the new epoch: the database's ledger fence is there.
    expect(Number(sql(`SELECT epoch FROM fences WHERE scope = 'ledger' AND member = '*'`))).toBeGreaterThan(
      epochBefore,
    );

    await restoreSite('cloud-eu');
    await waitFor(
      'cloud-eu back, its ledger Lost behind the promoted one (AwaitingFailback)',
      () => ledgerOf(gw()?.status?.placements, 'cloud-eu')?.reason === 'AwaitingFailback',
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
    const ledgerEpochOnEu = () =>
      kubectl('cloud-eu', ['-n', NS, 'get', 'cm', 'books-ledger', '-o', 'jsonpath={.data.epoch}']).stdout;
    await waitFor(
      'the old primary fenced: its contract at the new epoch',
      () => Number(ledgerEpochOnEu()) >= promoted.status!.epoch!,
      {
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );
    await fleet.stop();
    const r = await matrix.reconcile([fleet.spec.resultFile]);
    await matrix.expectSound('ledger primary cloud lost', r);
    expect(r.counts.approvedStandIn).toBeGreaterThanOrEqual(10);
    expect(r.counts.standInBooked).toBeGreaterThan(0);

    // The old primary books nothing: a write sent to it once its ledger runs again is refused
    // (503 NotPrimary once its contract says Lost, 409 Fenced while it still has the old one).
    await waitFor(
      'the old primary ledger running again',
      () => matrix.pods('cloud-eu', 'ledger').some(runningReady),
      {
        timeoutMs: 180_000,
        intervalMs: 1000,
      },
    );
    const account = `card:stale-ledger-${Date.now().toString(36)}`;
    const stale = await fetch(`${endpointOf('cloud-eu')}/v1/transfers`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'paygrid-epoch': String(epochBefore),
        'paygrid-member': 'edge-a',
      },
      body: JSON.stringify({
        id: `stale-ledger-${Date.now().toString(36)}`,
        type: 'pending',
        debitAccountId: account,
        creditAccountId: 'merchant:m-fleet',
        amountMinor: 100,
        currency: 'EUR',
      }),
    });
    const reason = ((await stale.json()) as { error?: { reason?: string } }).error?.reason;
    expect([`${stale.status} ${reason}`]).toEqual([expect.stringMatching(/^(503 NotPrimary|409 Fenced)$/)]);
    expect(sql(`SELECT count(*) FROM transfers WHERE debit_account_id = '${account}'`)).toBe('0');

    // The runbook's step: the promoted cluster made the primary, the old one its standby.
    kubectl('hub', [
      '-n',
      NS,
      'patch',
      'pgw',
      'books',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: { ledger: { primary: 'cloud-us', standbys: ['cloud-eu'] } } }),
    ]);
    await waitFor(
      'cloud-us Active, cloud-eu Standby',
      () => {
        const p = gw()?.status?.placements;
        return ledgerOf(p, 'cloud-us')?.state === 'Active' && ledgerOf(p, 'cloud-eu')?.state === 'Standby';
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  }, 900_000);
});
