// The fault matrix with money, on real pods (make test-real-pods: the real-node testbed). The
// operator places one gateway (one serving edge site, the other its failover target, the ledger
// on cloud-eu's real node against the testbed's PostgreSQL); a terminal fleet pays through the
// operator's routes API while each fault happens for real, and every case ends with the money
// reconciliation: every approval booked exactly once (stand-in ones replayed from the journals),
// nothing doubled, captures and reversals applied once, debits = credits, journals drained.
// Cases run in order and each starts from where the previous one left the gateway. The partition
// runs first, on the gateway's home site: the ledger fences a member only when its replacement
// names it (Paygrid-Replaced-Member), and a slot that returns to its home site after losing a
// failover target names no one, so the lost target is fenced by its ConfigMap but not in the
// ledger (see docs/fault-matrix.md, "Found").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PaymentGateway } from '@paygrid/operator/api';
import {
  createExampleSecrets,
  ensureNamespace,
  must,
  registerMemberSecrets,
  applyMembers,
} from '../harness/install.js';
import { OperatorProcess } from '../harness/operator-process.js';
import { waitFor } from '../harness/wait.js';
import { getGateway } from '../harness/gateways.js';
import { authPlacements, memberConfigEpoch, placementOn, routeMembers } from '../harness/failover.js';
import { kubectl } from '../testbed/clusters.js';
import { realNodeAddress } from '../testbed/real-nodes.js';
import { formatReport, type ReconcileReport } from '../terminal/reconcile.js';
import type { ResultRecord } from '../terminal/results.js';
import {
  approvedAt,
  approvedOnline,
  figures,
  FleetProcess,
  reconcileRun,
  type FleetSpec,
} from './money-case.js';
import {
  cloudAddress,
  crashSite,
  applySecret,
  healSite,
  ownLedgerDatabase,
  insideNamespace,
  killContainer,
  NS,
  partitionSite,
  pods,
  relay,
  restarts,
  restoreSite,
  runningReady,
  type Member,
} from './real-site.js';

const GATEWAY = 'money';
// real-node.sh imports the images under this checkout's version, the names the gateway uses.
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const VERSION = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
const EDGES = ['edge-a', 'edge-b'] as const;

function gatewayYaml(): string {
  return `apiVersion: paygrid.io/v1alpha1
kind: PaymentGateway
metadata: { name: ${GATEWAY}, namespace: ${NS} }
spec:
  authorization:
    image: ghcr.io/paygrid/authorization:${VERSION}
    tokenizationKeySecretRef: { name: checkout-tokenization, key: key }
    replicas: 1
    sites: 1
    siteSelector:
      matchExpressions:
        - { key: topology.kubernetes.io/zone, operator: In, values: [eu-west-a, eu-west-b] }
    authorizationsPerSecond: 50
    # Room for every stand-in approval a case makes: the limits are the ledger's business, not the fault's.
    standIn: { floorLimitMinor: 5000, maxOfflineCount: 5000, maxOfflineAmountMinor: 100000000, currency: EUR }
    resources: { requests: { cpu: 50m, memory: 96Mi }, limits: { cpu: 500m, memory: 256Mi } }
  ledger:
    image: ghcr.io/paygrid/ledger:${VERSION}
    replicas: 1
    primary: cloud-eu
    databaseSecretRef: { name: ${GATEWAY}-ledger-database, key: url }
  failover:
    mode: Automatic
    detectionWindowSeconds: 6
    fallback: [SameRegionEdge, AnyEdge]
    # No failback within a run: each case starts from the site the previous one left serving.
    failbackStabilizationSeconds: 86400
`;
}

const gw = (): PaymentGateway | undefined => getGateway(NS, GATEWAY);
const other = (m: Member): Member => (m === 'edge-a' ? 'edge-b' : 'edge-a');
const endpointOf = (m: Member) => `http://${realNodeAddress(m)}:8080`;

/** The one edge in routes, once it is the only one and its pods serve with the ledger reachable. */
async function servingSite(timeoutMs = 180_000): Promise<Member> {
  return waitFor(
    'one serving edge site with a closed ledger breaker',
    async () => {
      const routes = routeMembers(gw());
      if (routes.length !== 1) return false;
      const m = routes[0] as Member;
      const ready = pods(m, 'authorization').filter(runningReady);
      if (ready.length === 0) return false;
      for (const p of ready) {
        const text = await (await fetch(`http://${p.status!.podIP!}:8080/metrics`)).text();
        if (!/^paygrid_authorization_ledger_circuit_open(\{[^}]*\})? 0$/m.test(text)) return false;
      }
      return m;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

/** A restored site is Ready on the hub again, so the next case may fail over to it. */
async function siteReady(m: Member): Promise<void> {
  await waitFor(
    `EdgeSite ${m} Ready`,
    () => {
      const r = kubectl('hub', [
        'get',
        'edgesite',
        m,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      ]);
      return r.stdout === 'True';
    },
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
}

/**
 * The lost site is fenced: its ConfigMap carries the gateway's epoch, or its placement is gone
 * and its workloads drained (the operator fences first, then drains once the replacement serves).
 */
async function fenced(m: Member): Promise<number> {
  return waitFor(
    `${m} fenced at the gateway's epoch, or drained`,
    () => {
      const g = gw();
      const epoch = g?.status?.epoch;
      if (epoch === undefined) return false;
      const cm = memberConfigEpoch(m, GATEWAY);
      const drained =
        cm === undefined &&
        placementOn(g, m) === undefined &&
        kubectl(m, ['get', '--raw', '/readyz']).code === 0;
      return (cm === epoch || drained) && epoch;
    },
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
}

function expectSound(name: string, r: ReconcileReport): void {
  process.stdout.write(`[fault-matrix] ${name}\n${formatReport(r)}\n${figures(name, r)}\n`);
  expect({ violations: r.violations }).toEqual({ violations: [] });
  expect(r.counts.lost).toBe(0);
  expect(r.counts.doubled).toBe(0);
  expect(r.counts.booked).toBe(r.counts.approved);
  expect(r.counts.captured).toBeGreaterThan(0);
  expect(r.counts.reversed).toBeGreaterThan(0);
}

describe('the fault matrix on real pods: money through every fault', () => {
  let operator: OperatorProcess;
  let generation = 1;
  let routesRelay: Awaited<ReturnType<typeof relay>>;
  let insideRelay: Awaited<ReturnType<typeof relay>>;
  const dir = mkdtempSync(join(tmpdir(), 'paygrid-fault-matrix-'));
  let databaseUrl = '';
  const db = () => databaseUrl;
  let caseNo = 0;
  // Fleets a failed case left running are stopped before the next case starts.
  const running: (() => Promise<unknown>)[] = [];

  const spec = (routesUrl: string, label: string, terminals = 4, rate = 4): FleetSpec => {
    caseNo++;
    const runId = `fm${caseNo}-${label}-${Date.now().toString(36)}`;
    return {
      routesUrl,
      gateway: GATEWAY,
      resultFile: join(dir, `${runId}.jsonl`),
      runId,
      terminals,
      ratePerSecond: rate,
      seed: 100 + caseNo,
    };
  };

  /** A fleet outside every site (or inside one, given its namespace), stopped after the case. */
  const startFleet = (label: string, o: { namespace?: string; url?: string; terminals?: number } = {}) => {
    const fleet = new FleetProcess(spec(o.url ?? routesRelay.url, label, o.terminals), o.namespace);
    running.push(() => fleet.stop().catch(() => undefined));
    return fleet;
  };

  beforeAll(async () => {
    registerMemberSecrets();
    applyMembers();
    ensureNamespace(NS);
    createExampleSecrets(); // the tokenization key
    databaseUrl = await ownLedgerDatabase(GATEWAY);
    applySecret(NS, `${GATEWAY}-ledger-database`, 'url', databaseUrl);
    operator = await new OperatorProcess({ identity: `fault-matrix-${generation}` }).start();
    routesRelay = await relay('127.0.0.1', () => operator.routesPort);
    insideRelay = await relay(cloudAddress(), () => operator.routesPort);
    must('apply gateway', kubectl('hub', ['apply', '-f', '-'], gatewayYaml()));
    expect(await servingSite()).toBe('edge-a');
  }, 300_000);

  afterEach(async () => {
    for (const stop of running.splice(0)) await stop();
  }, 120_000);

  afterAll(async () => {
    for (const m of EDGES) await healSite(m).catch(() => undefined);
    await routesRelay?.close();
    await insideRelay?.close();
    kubectl('hub', ['-n', NS, 'delete', 'pgw', GATEWAY, '--ignore-not-found', '--timeout=90s']);
    // The sites' endpoints forward to any ready authorization pod: the next suite finds none of ours.
    await waitFor(
      `no pod of ${GATEWAY} left on the edges`,
      () =>
        EDGES.every(
          (m) => !pods(m, 'authorization').some((p) => p.metadata?.name?.startsWith(`${GATEWAY}-`)),
        ),
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    await operator?.stop();
  }, 180_000);

  it('(b) serving edge site partitioned (its links cut) with terminals inside paying stand-in; fenced after heal', async () => {
    const site = await servingSite();
    const spare = other(site);
    const out = startFleet('partition-out');
    const inside = startFleet('partition-in', {
      namespace: await insideNamespace(site),
      url: insideRelay.url,
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
    await fenced(site);
    // Inside terminals see the new routes and pay at the replacement.
    await inside.until(
      `inside terminals paying at ${spare} after the heal`,
      (st) => approvedAt(st, endpointOf(spare)) >= 10,
      120_000,
    );
    await inside.stop();
    await out.stop();

    const r = await reconcileRun(db(), [out.spec.resultFile, inside.spec.resultFile]);
    expectSound('site partition', r);
    expect(r.counts.approvedStandIn).toBeGreaterThanOrEqual(standInAtCut);
    // Replayed from the journals: a stand-in approval the ledger had already booked online (its
    // answer lost in the cut) is booked once as online, so this is at most approvedStandIn.
    expect(r.counts.standInBooked).toBeGreaterThan(0);

    // A write from the cut-off site at its old epoch is refused by the ledger's fencing row.
    const stale = await fetch(`${endpointOf('cloud-eu')}/v1/transfers`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'paygrid-epoch': String(epochBefore),
        'paygrid-member': site,
      },
      body: JSON.stringify({
        id: `stale-${Date.now().toString(36)}`,
        type: 'pending',
        debitAccountId: 'card:stale-epoch',
        creditAccountId: 'merchant:m-fleet',
        amountMinor: 100,
        currency: 'EUR',
      }),
    });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error?: { reason?: string } }).error?.reason).toBe('Fenced');
    const sql = (q: string) => execFileSync('psql', [db(), '-qAt', '-c', q], { encoding: 'utf8' }).trim();
    expect(
      Number(sql(`SELECT epoch FROM fences WHERE scope = 'authorization' AND member = '${site}'`)),
    ).toBeGreaterThan(epochBefore);
    expect(sql("SELECT count(*) FROM transfers WHERE debit_account_id = 'card:stale-epoch'")).toBe('0');
  }, 600_000);

  it('(a) serving edge site crashes under load (real node stopped), then is restored', async () => {
    const site = await servingSite();
    const spare = other(site);
    const fleet = startFleet('crash');
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
    await fenced(site);
    await siteReady(site);
    await fleet.stop();
    const r = await reconcileRun(db(), [fleet.spec.resultFile]);
    expectSound('site crash', r);
    expect(r.counts.decidedElsewhere).toBeGreaterThan(0);
  }, 600_000);

  it('(c) operator SIGKILLed mid-failover: a new operator process finishes it', async () => {
    const site = await servingSite();
    const spare = other(site);
    const fleet = startFleet('operator-kill');
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
    await operator.stop('SIGKILL');
    const routesAtKill = routeMembers(during);
    generation++;
    operator = await new OperatorProcess({ identity: `fault-matrix-${generation}` }).start();

    await fleet.until(
      `40 approvals at ${spare} after the operator restart`,
      (st) => approvedAt(st, endpointOf(spare)) >= 40,
      240_000,
    );
    const after = gw();
    expect(routeMembers(after)).toEqual([spare]);
    expect(after?.status?.epoch).toBeGreaterThan(epochBefore);
    // The new operator finished that failover, not another: one placement serves, on the spare.
    const serving = authPlacements(after).filter((p) => p.state !== 'Lost' && p.state !== 'Draining');
    expect(serving.map((p) => p.member)).toEqual([spare]);
    process.stdout.write(`[fault-matrix] operator killed with routes ${JSON.stringify(routesAtKill)}\n`);

    await restoreSite(site);
    await fenced(site);
    await siteReady(site);
    await fleet.stop();
    expectSound('operator SIGKILL mid-failover', await reconcileRun(db(), [fleet.spec.resultFile]));
  }, 600_000);

  it('(d) ledger container SIGKILLed under load: sites stand in, the journals replay once', async () => {
    await servingSite();
    const fleet = startFleet('ledger-kill');
    await fleet.until('40 online approvals', (st) => approvedOnline(st) >= 40);
    const ledger = pods('cloud-eu', 'ledger').find(runningReady)!;
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
        const p = pods('cloud-eu', 'ledger').find((x) => x.metadata?.uid === ledger.metadata?.uid);
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
    const r = await reconcileRun(db(), [fleet.spec.resultFile]);
    expectSound('ledger SIGKILL', r);
    expect(r.counts.approvedStandIn).toBeGreaterThanOrEqual(20);
    // Replayed from the journals: a stand-in approval the ledger had already booked online (its
    // answer lost in the cut) is booked once as online, so this is at most approvedStandIn.
    expect(r.counts.standInBooked).toBeGreaterThan(0);
  }, 600_000);
});
