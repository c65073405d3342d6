// What every fault-matrix suite shares: one gateway on the real-node testbed (authorization on one
// edge site, the ledger and analytics on cloud-eu's real node, each with a database of its own on
// the testbed's PostgreSQL), the operator as a process (or two, for a leader handover), the relays
// the terminals reach the routes API through, the fleets, and the checks that end every case:
// the money reconciliation and analytics' totals against the ledger's books.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Pod } from '@kubernetes/client-node';
import { countedSites, ledgerHead, ledgerTruth, type AnalyticsSummary } from '@paygrid/workload-kit/testing';
import type { PaymentGateway } from '@paygrid/operator/api';
import {
  applyMembers,
  createExampleSecrets,
  ensureNamespace,
  must,
  registerMemberSecrets,
  registerSpareMember,
  unregisterSpareMember,
} from '../harness/install.js';
import { OperatorProcess } from '../harness/operator-process.js';
import { waitFor } from '../harness/wait.js';
import { getGateway } from '../harness/gateways.js';
import { authPlacements, memberConfigEpoch, placementOn, routeMembers } from '../harness/failover.js';
import { kubectl, type SPARE_MEMBERS } from '../testbed/clusters.js';
import { realNodeAddress } from '../testbed/real-nodes.js';
import { formatReport, type ReconcileReport } from '../terminal/reconcile.js';
import { approvedAt, figures, FleetProcess, reconcileRun, type FleetSpec } from './money-case.js';
import {
  applySecret,
  cloudAddress,
  healSite,
  NS,
  ownDatabase,
  pods,
  relay,
  runningReady,
  type Member,
} from './real-site.js';

// real-node.sh imports the images under this checkout's version, the names the gateway uses.
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const VERSION = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
export const EDGES = ['edge-a', 'edge-b'] as const;
type SpareMember = (typeof SPARE_MEMBERS)[number];

export const other = (m: Member): Member => (m === 'edge-a' ? 'edge-b' : 'edge-a');
export const endpointOf = (m: Member) => `http://${realNodeAddress(m)}:8080`;

export interface MatrixOptions {
  /** Authorization may fail over to cloud-eu once no edge site can serve (fallback Cloud). */
  readonly cloudFallback?: boolean;
  /**
   * spec.ledger.standbys (cloud-us, a spare member the suite registers and removes): a standby
   * ledger to promote when cloud-eu is lost. Analytics stays on cloud-eu either way.
   */
  readonly ledgerStandbys?: readonly SpareMember[];
}

function gatewayYaml(name: string, o: MatrixOptions): string {
  return `apiVersion: paygrid.io/v1alpha1
kind: PaymentGateway
metadata: { name: ${name}, namespace: ${NS} }
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
    standbys: [${(o.ledgerStandbys ?? []).join(', ')}]
    databaseSecretRef: { name: ${name}-ledger-database, key: url }
  analytics:
    image: ghcr.io/paygrid/analytics:${VERSION}
    replicas: 1
    cloudSelector: { matchLabels: { topology.kubernetes.io/region: eu-west } }
    databaseSecretRef: { name: ${name}-analytics-database, key: url }
  failover:
    mode: Automatic
    detectionWindowSeconds: 6
    fallback: [SameRegionEdge, AnyEdge${o.cloudFallback ? ', Cloud' : ''}]
    # No failback within a run: each case starts from the site the previous one left serving.
    failbackStabilizationSeconds: 86400
`;
}

/** One gateway through a suite's cases, with the operator(s) and terminals around it. */
export class Matrix {
  /** The operator the terminals' routes come from (the leader, or the one left). */
  operator!: OperatorProcess;
  private readonly operators: OperatorProcess[] = [];
  private generation = 0;
  private routesRelay!: Awaited<ReturnType<typeof relay>>;
  private insideRelay!: Awaited<ReturnType<typeof relay>>;
  private readonly dir = mkdtempSync(join(tmpdir(), 'paygrid-fault-matrix-'));
  /** The ledger's database (every case's reconciliation reads it). */
  db = '';
  private caseNo = 0;
  // Fleets a failed case left running are stopped before the next case starts.
  private readonly running: (() => Promise<unknown>)[] = [];

  constructor(
    readonly gateway: string,
    private readonly options: MatrixOptions = {},
  ) {}

  gw(): PaymentGateway | undefined {
    return getGateway(NS, this.gateway);
  }

  /** An operator process of this suite's (leader election on, as the chart runs it). */
  async startOperator(): Promise<OperatorProcess> {
    this.generation++;
    const op = await new OperatorProcess({ identity: `${this.gateway}-operator-${this.generation}` }).start();
    this.operators.push(op);
    return op;
  }

  async setUp(): Promise<void> {
    registerMemberSecrets();
    applyMembers();
    for (const m of this.options.ledgerStandbys ?? []) registerSpareMember(m);
    ensureNamespace(NS);
    createExampleSecrets(); // the tokenization key
    this.db = await ownDatabase(this.gateway, 'LEDGER_DATABASE_URL');
    applySecret(NS, `${this.gateway}-ledger-database`, 'url', this.db);
    const analyticsDb = await ownDatabase(`${this.gateway}_analytics`, 'ANALYTICS_DATABASE_URL');
    applySecret(NS, `${this.gateway}-analytics-database`, 'url', analyticsDb);
    this.operator = await this.startOperator();
    // Terminals reach whichever operator is alive, as through a Service in front of the replicas.
    const live = () => (this.operators.find((o) => !o.exited) ?? this.operator).routesPort;
    this.routesRelay = await relay('127.0.0.1', live);
    this.insideRelay = await relay(cloudAddress(), live);
    must('apply gateway', kubectl('hub', ['apply', '-f', '-'], gatewayYaml(this.gateway, this.options)));
  }

  /** Stops the fleets a failed case left running. */
  async afterCase(): Promise<void> {
    for (const stop of this.running.splice(0)) await stop();
  }

  async tearDown(): Promise<void> {
    try {
      await this.afterCase();
      for (const m of EDGES) await healSite(m).catch(() => undefined);
      await this.routesRelay?.close();
      await this.insideRelay?.close();
      kubectl('hub', ['-n', NS, 'delete', 'pgw', this.gateway, '--ignore-not-found', '--timeout=90s']);
      // The sites' endpoints forward to any ready pod of a component: the next suite finds none of ours.
      let left: string[] = [];
      await waitFor(
        `no pod of ${this.gateway} left on the members`,
        () => {
          left = (['edge-a', 'edge-b', 'cloud-eu', ...(this.options.ledgerStandbys ?? [])] as const).flatMap(
            (m) =>
              ['authorization', 'ledger', 'analytics'].flatMap((c) =>
                this.pods(m, c).map(
                  (p) =>
                    `${m}/${p.metadata?.name} ${p.status?.phase}${p.metadata?.deletionTimestamp ? ' terminating' : ''}`,
                ),
              ),
          );
          return left.length === 0;
        },
        { timeoutMs: 90_000, intervalMs: 1000 },
      ).catch((err: Error) => {
        throw new Error(`${err.message}: ${left.join(', ')}`);
      });
    } finally {
      for (const op of this.operators) await op.stop();
      for (const m of this.options.ledgerStandbys ?? []) unregisterSpareMember(m);
    }
  }

  private spec(routesUrl: string, label: string, terminals: number, rate: number): FleetSpec {
    this.caseNo++;
    const runId = `${this.gateway}${this.caseNo}-${label}-${Date.now().toString(36)}`;
    return {
      routesUrl,
      gateway: this.gateway,
      resultFile: join(this.dir, `${runId}.jsonl`),
      runId,
      terminals,
      ratePerSecond: rate,
      seed: 100 + this.caseNo,
    };
  }

  /** A fleet outside every site, or inside one (given its namespace: routes through cloud-eu). */
  startFleet(label: string, o: { namespace?: string; terminals?: number; rate?: number } = {}): FleetProcess {
    const url = o.namespace === undefined ? this.routesRelay.url : this.insideRelay.url;
    const fleet = new FleetProcess(this.spec(url, label, o.terminals ?? 4, o.rate ?? 4), o.namespace);
    this.running.push(() => fleet.stop().catch(() => undefined));
    return fleet;
  }

  /** The one member in routes, once it is the only one and its pods serve with the ledger reachable. */
  servingSite(timeoutMs = 180_000): Promise<Member> {
    return waitFor(
      'one serving site with a closed ledger breaker',
      async () => {
        const routes = routeMembers(this.gw());
        if (routes.length !== 1) return false;
        const m = routes[0] as Member;
        const ready = this.pods(m, 'authorization').filter(runningReady);
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

  /** This gateway's pods of a component on a member. */
  pods(m: Member, component: string): V1Pod[] {
    return pods(m, component).filter((p) => p.metadata?.name?.startsWith(`${this.gateway}-`));
  }

  /** A restored site is Ready on the hub again, so the next case may fail over to it. */
  async siteReady(m: Member): Promise<void> {
    await waitFor(
      `EdgeSite ${m} Ready`,
      () =>
        kubectl('hub', [
          'get',
          'edgesite',
          m,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ]).stdout === 'True',
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
  }

  /**
   * The lost site is fenced: its ConfigMap carries the gateway's epoch, or its placement is gone
   * and its workloads drained (the operator fences first, then drains once the replacement serves).
   */
  fenced(m: Member): Promise<number> {
    return waitFor(
      `${m} fenced at the gateway's epoch, or drained`,
      () => {
        const g = this.gw();
        const epoch = g?.status?.epoch;
        if (epoch === undefined) return false;
        const cm = memberConfigEpoch(m, this.gateway);
        const drained =
          cm === undefined &&
          placementOn(g, m) === undefined &&
          kubectl(m, ['get', '--raw', '/readyz']).code === 0;
        return (cm === epoch || drained) && epoch;
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
  }

  /**
   * A failover is finished (by whichever operator leads now): terminals got 40 approvals at the
   * spare, routes hold only it, the epoch moved, and one placement serves, on it — not another.
   */
  async expectFailoverFinished(
    fleet: FleetProcess,
    spare: Member,
    epochBefore: number,
    after: string,
  ): Promise<void> {
    await fleet.until(
      `40 approvals at ${spare} ${after}`,
      (st) => approvedAt(st, endpointOf(spare)) >= 40,
      240_000,
    );
    const g = this.gw();
    expect(routeMembers(g)).toEqual([spare]);
    expect(g?.status?.epoch).toBeGreaterThan(epochBefore);
    const serving = authPlacements(g).filter((p) => p.state !== 'Lost' && p.state !== 'Draining');
    expect(serving.map((p) => p.member)).toEqual([spare]);
  }

  /**
   * A write from `member` at its old epoch is refused by the ledger (409 Fenced), the fence row in
   * PostgreSQL is above that epoch, and nothing of it is booked: no write accepted from a fenced
   * authorization. Sent to the ledger's endpoint as the site's own writes are.
   */
  async expectFencedInLedger(member: Member, oldEpoch: number, ledger: Member = 'cloud-eu'): Promise<void> {
    const account = `card:stale-${member}-${oldEpoch}-${Date.now().toString(36)}`;
    const stale = await fetch(`${endpointOf(ledger)}/v1/transfers`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'paygrid-epoch': String(oldEpoch),
        'paygrid-member': member,
      },
      body: JSON.stringify({
        id: `stale-${Date.now().toString(36)}`,
        type: 'pending',
        debitAccountId: account,
        creditAccountId: 'merchant:m-fleet',
        amountMinor: 100,
        currency: 'EUR',
      }),
    });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error?: { reason?: string } }).error?.reason).toBe('Fenced');
    const sql = (q: string) => execFileSync('psql', [this.db, '-qAt', '-c', q], { encoding: 'utf8' }).trim();
    expect(
      Number(sql(`SELECT epoch FROM fences WHERE scope = 'authorization' AND member = '${member}'`)),
    ).toBeGreaterThan(oldEpoch);
    expect(sql(`SELECT count(*) FROM transfers WHERE debit_account_id = '${account}'`)).toBe('0');
  }

  /**
   * The money reconciliation of a case's result files against the ledger and the journals, with
   * the gateway's stand-in limits (every stand-in approval within them, per payment and per site).
   */
  reconcile(resultFiles: readonly string[]): Promise<ReconcileReport> {
    const standIn = this.gw()?.spec.authorization.standIn;
    if (!standIn) throw new Error(`gateway ${this.gateway} has no spec.authorization.standIn`);
    return reconcileRun(this.db, resultFiles, {
      floorLimitMinor: standIn.floorLimitMinor ?? 0,
      maxOfflineCount: standIn.maxOfflineCount ?? 0,
      maxOfflineAmountMinor: standIn.maxOfflineAmountMinor ?? 0,
      currency: standIn.currency ?? '',
    });
  }

  /**
   * The case's money is sound (reconciliation), and analytics, once it has followed the ledger's
   * feed to its last event, counts what the books hold: approvals (stand-in ones apart), declines
   * and their reasons, volumes per kind, per site.
   */
  async expectSound(name: string, r: ReconcileReport): Promise<void> {
    process.stdout.write(`[fault-matrix] ${name}\n${formatReport(r)}\n${figures(name, r)}\n`);
    expect({ violations: r.violations }).toEqual({ violations: [] });
    expect(r.counts.lost).toBe(0);
    expect(r.counts.doubled).toBe(0);
    expect(r.counts.booked).toBe(r.counts.approved);
    expect(r.counts.captured).toBeGreaterThan(0);
    expect(r.counts.reversed).toBeGreaterThan(0);
    // The stand-in limits were checked (a breach is a violation above).
    expect(r.standIn).toBeDefined();

    const head = await ledgerHead(this.db);
    const summary = await waitFor(
      `analytics following ${this.gateway}'s ledger to event ${head}`,
      async () => {
        for (const p of this.pods('cloud-eu', 'analytics').filter(runningReady)) {
          const res = await fetch(`http://${p.status!.podIP!}:8080/v1/summary`).catch(() => undefined);
          const s = res?.ok ? ((await res.json()) as AnalyticsSummary) : undefined;
          if (s && s.feed.cursor >= head) return s;
        }
        return false;
      },
      // A restored cloud-eu's analytics may learn a moved ledger-endpoint only at its kubelet's
      // next ConfigMap sync (up to about a minute).
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    // The ledger's database is this gateway's alone: every site in it is one of this gateway's.
    const truth = await ledgerTruth(this.db);
    expect(truth.reduce((n, s) => n + s.approvals, 0)).toBeGreaterThanOrEqual(r.counts.approved);
    expect(countedSites(summary.sites)).toEqual(truth);
  }
}

/**
 * A suite's lifecycle around its Matrix (jest hooks): set up, and the gateway serving from its home
 * edge-a, before the first case; each case's leftover fleets stopped after it; everything
 * removed after the last.
 */
export function useMatrix(matrix: Matrix): void {
  beforeAll(async () => {
    await matrix.setUp();
    expect(await matrix.servingSite()).toBe('edge-a');
  }, 300_000);
  afterEach(() => matrix.afterCase(), 120_000);
  afterAll(() => matrix.tearDown(), 180_000);
}
