// The scale benchmark (issue 11 §4), run on the testbed as
//   BENCH_N=1000 BENCH_RUNS=3 node e2e/dist/bench/scale-bench.js      (make bench-scale)
// N gateways (one serving edge site each, edge-a or edge-b, the other the spare; a ledger on
// cloud-eu) are applied at once to a fresh operator; per run it measures the time until all are
// Ready, the operator's reconcile durations (its own controller_runtime_reconcile_time_seconds),
// RSS and CPU seconds; then deletes them all and starts over. After the last run it leaves the
// fleet converged for BENCH_REST_SECONDS (default 300) and counts every write: the operator's own
// rest_client_requests_total by cluster and verb, and, from the apiservers' side, every write to a
// gateway seen by a watch and every change to what paygrid last wrote on the members. Finally it
// crashes the edge site serving the most gateways and times until every one of them serves
// elsewhere.
//
// The testbed's KWOK nodes are sized for the suites (3 × 4 CPU, 110 pods per edge); the bench adds
// large KWOK nodes and raises the sites' authorization budgets so that scheduling and capacity are
// not what is measured (the bench's gateways reserve 1 authorization/s each).
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import type { PaymentGateway } from '@paygrid/operator/api';
import {
  contextOf,
  kubeconfigPath,
  kubectl,
  MEMBERS,
  testbedDir,
  type ClusterName,
} from '../testbed/clusters.js';
import { crash } from '../testbed/faults.js';
import {
  applyMembers,
  ensureNamespace,
  installCrds,
  must,
  registerMemberSecrets,
  repo,
} from '../harness/install.js';
import { OperatorProcess } from '../harness/operator-process.js';
import { isReady } from '../harness/gateways.js';
import { waitFor } from '../harness/wait.js';
import { cpuSeconds, memoryMiB, WRITE_VERBS } from './karmada-figures.js';
import { cpuByProcess, cpuSpent, formatCpu, type ProcessCpu } from './testbed-cpu.js';
import { machine, quantile, type HistogramSample, histogramQuantile, parseHistogram } from './stats.js';

const N = Math.max(1, Number(process.env.BENCH_N ?? 1000));
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const REST_SECONDS = Math.max(10, Number(process.env.BENCH_REST_SECONDS ?? 300));
const CONVERGE_TIMEOUT_MS = Number(process.env.BENCH_CONVERGE_TIMEOUT_S ?? 1800) * 1000;
const WINDOW = 6;
const NS = 'bench-scale';
/** BENCH_HEAP_SNAPSHOT_DIR: the operator writes a V8 heap snapshot there once at rest (for memory work). */
const HEAP_DIR = process.env.BENCH_HEAP_SNAPSHOT_DIR;
/** BENCH_CPU_PROF_DIR: the operator runs with --cpu-prof and writes its profile there when it stops. */
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF_DIR;
/** BENCH_OPERATOR_ARGS: extra operator flags, space-separated (e.g. --max-concurrent-reconciles=16). */
const OPERATOR_ARGS = (process.env.BENCH_OPERATOR_ARGS ?? '').split(/\s+/).filter(Boolean);
/**
 * BENCH_BASELINE_OPERATOR: another build's operator/dist/main.js (e.g. a git worktree of the
 * commit before a change). Its runs converge the same fleet first, in the same command on the same
 * testbed, and the figures are printed side by side with the ratios.
 */
const BASELINE_MAIN = process.env.BENCH_BASELINE_OPERATOR;
/** BENCH_OPERATOR_MAIN: the operator under test, when not this checkout's (the baseline's full figures). */
const OPERATOR_MAIN = process.env.BENCH_OPERATOR_MAIN;

const log = (msg: string) => console.error(`[bench-scale] ${new Date().toISOString().slice(11, 19)} ${msg}`);

const gatewayName = (i: number) => `gw-${String(i).padStart(4, '0')}`;

function gatewayYaml(i: number): string {
  return `apiVersion: paygrid.io/v1alpha1
kind: PaymentGateway
metadata: { name: ${gatewayName(i)}, namespace: ${NS} }
spec:
  authorization:
    image: ghcr.io/paygrid/authorization:0.2.0
    replicas: 1
    sites: 1
    authorizationsPerSecond: 1
    siteSelector:
      matchExpressions:
        - { key: topology.kubernetes.io/zone, operator: In, values: [eu-west-a, eu-west-b] }
  ledger: { image: ghcr.io/paygrid/ledger:0.2.0, primary: cloud-eu }
  failover:
    mode: Automatic
    detectionWindowSeconds: ${WINDOW}
    failbackStabilizationSeconds: 10
    fallback: [SameRegionEdge, AnyEdge]
`;
}

/** Large KWOK nodes, so that N gateways' pods fit: scheduling is not what this bench measures. */
function addBenchNodes(): void {
  const tpl = readFileSync(join(repo, 'e2e', 'testbed', 'node.yaml.tpl'), 'utf8');
  const zones: Record<string, string> = {
    'cloud-eu': 'eu-west-a',
    'edge-a': 'eu-west-a',
    'edge-b': 'eu-west-b',
  };
  for (const m of MEMBERS) {
    const docs = [1, 2].map((k) =>
      tpl
        .replaceAll('NAME', `${m}-bench-${k}`)
        .replaceAll('"CPU"', '"2000"')
        .replaceAll('MEMORY', '8Ti')
        .replaceAll('"110"', '"5000"')
        .replaceAll('REGION', 'eu-west')
        .replaceAll('ZONE', zones[m]!),
    );
    must(`bench nodes on ${m}`, kubectl(m, ['apply', '-f', '-'], docs.join('\n---\n')));
  }
  for (const site of ['edge-a', 'edge-b'])
    must(
      `capacity of ${site}`,
      kubectl('hub', [
        'patch',
        'es',
        site,
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { capacity: { authorizationsPerSecond: 1_000_000 } } }),
      ]),
    );
}

/** The latest version of every gateway in the bench namespace, and every write a watch sees. */
class FleetWatch {
  readonly gateways = new Map<string, PaymentGateway>();
  writes = 0;
  private abort?: AbortController;
  private stopped = false;
  private listeners = new Set<() => void>();

  async start(): Promise<this> {
    await this.connect();
    return this;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    kc.setCurrentContext(contextOf('hub'));
    this.gateways.clear();
    this.abort = await new Watch(kc).watch(
      `/apis/paygrid.io/v1alpha1/namespaces/${NS}/paymentgateways`,
      { allowWatchBookmarks: true },
      (phase, obj: PaymentGateway) => {
        const name = obj.metadata?.name ?? '';
        if (phase === 'DELETED') this.gateways.delete(name);
        else if (phase === 'ADDED' || phase === 'MODIFIED') {
          if (phase === 'MODIFIED') this.writes++;
          this.gateways.set(name, obj);
        } else return;
        for (const l of this.listeners) l();
      },
      () => {
        // Closed by the apiserver: relist (the count of ADDED after a relist is not a write).
        if (!this.stopped) setTimeout(() => void this.connect().catch(() => undefined), 200);
      },
    );
  }

  /** Resolves when `pred` holds over the current fleet; checked on every event. */
  until(what: string, pred: () => boolean, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred()) return;
        done();
        resolve(Date.now());
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  readyCount(): number {
    let n = 0;
    for (const g of this.gateways.values()) if (isReady(g)) n++;
    return n;
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }
}

/** /proc figures of a process: resident set, peak, CPU seconds. */
/** CPU seconds of the testbed's processes by component (see testbed-cpu.ts). */
function testbedCpu(): Map<string, ProcessCpu> {
  const procs: { pid: string; argv: string[]; stat: string }[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      procs.push({ pid, argv, stat: readFileSync(`/proc/${pid}/stat`, 'utf8') });
    } catch {
      // Exited while we looked.
    }
  }
  return cpuByProcess(procs, join(testbedDir, 'kwok'));
}

function procStats(pid: number): { rssMiB: number; hwmMiB: number; cpuSeconds: number } {
  const mem = memoryMiB(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return {
    rssMiB: mem.rss,
    hwmMiB: mem.peak,
    cpuSeconds: cpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8')),
  };
}

/** The operator's writes by cluster, from its rest_client_requests_total. */
async function operatorWrites(
  op: OperatorProcess,
  hosts: Map<string, ClusterName>,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await op.metrics()).split('\n')) {
    const m = /^rest_client_requests_total\{([^}]*)\}\s+(\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (!WRITE_VERBS.has(labels.method ?? '')) continue;
    const key = `${hosts.get(labels.host ?? '') ?? labels.host} ${labels.method}`;
    out.set(key, (out.get(key) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The writes between two operatorWrites readings, summed per cluster (verbs together). */
function writesByCluster(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, n] of after) {
    const cluster = key.split(' ')[0]!;
    out.set(cluster, (out.get(cluster) ?? 0) + n - (before.get(key) ?? 0));
  }
  return out;
}

/** host:port of each cluster as the operator reaches it (members through their fault proxies). */
function clusterHosts(): Map<string, ClusterName> {
  const out = new Map<string, ClusterName>();
  const hub = new KubeConfig();
  hub.loadFromFile(kubeconfigPath);
  hub.setCurrentContext(contextOf('hub'));
  out.set(new URL(hub.getCurrentCluster()!.server).host, 'hub');
  for (const m of MEMBERS) {
    const secret = JSON.parse(
      must(
        'member secret',
        kubectl('hub', ['-n', 'paygrid-system', 'get', 'secret', `paygrid-member-${m}`, '-o', 'json']),
      ),
    ) as { data: { kubeconfig: string } };
    const kc = new KubeConfig();
    kc.loadFromString(Buffer.from(secret.data.kubeconfig, 'base64').toString());
    out.set(new URL(kc.getCurrentCluster()!.server).host, m);
  }
  return out;
}

/**
 * What paygrid last wrote to each object it manages on the members: generation and the times of
 * its own managedFields entries (a status write by the member's controllers moves neither).
 * Printed by jsonpath: the JSON of 1,000 gateways' objects with managedFields exceeds a pipe buffer.
 */
function memberWrites(): Map<string, string> {
  const out = new Map<string, string>();
  const fmt =
    'jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name} {.metadata.generation} ' +
    '{.metadata.managedFields[?(@.manager=="paygrid-operator")].time}{"\\n"}{end}';
  for (const m of MEMBERS) {
    const r = kubectl(m, [
      'get',
      'deploy,cm,svc,secret,networkpolicy,serviceaccount',
      '-A',
      '-l',
      'app.kubernetes.io/managed-by=paygrid',
      '--show-managed-fields',
      '-o',
      fmt,
    ]);
    for (const line of must(`objects on ${m}`, r).split('\n')) {
      const [id, ...rest] = line.trim().split(' ');
      if (id) out.set(`${m}:${id}`, rest.join(' '));
    }
  }
  return out;
}

function hubMemberVersions(): string {
  return must(
    'member resources',
    kubectl('hub', [
      'get',
      'es,cc',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}',
    ]),
  );
}

function paygridEventCount(): number {
  const r = kubectl('hub', [
    'get',
    'events.events.k8s.io',
    '-A',
    '-o',
    'jsonpath={range .items[*]}{.reportingController}{"\\n"}{end}',
  ]);
  return must('events', r)
    .split('\n')
    .filter((c) => c.startsWith('paygrid')).length;
}

interface Run {
  applySeconds: number;
  readySeconds: number;
  reconcile: { p50: number; p99: number; count: number };
  rssMiB: number;
  hwmMiB: number;
  heapUsedMiB: number;
  cpuSeconds: number;
  writes: number;
  /** The operator's writes (POST/PUT/PATCH/DELETE) per cluster while converging, from its own metrics. */
  operatorWrites: Map<string, number>;
}

const heapUsedMiB = async (op: OperatorProcess) => (await op.metric('nodejs_heap_size_used_bytes')) / 2 ** 20;

async function reconcileHistogram(op: OperatorProcess): Promise<HistogramSample> {
  return parseHistogram(await op.metrics(), 'controller_runtime_reconcile_time_seconds', {
    controller: 'paymentgateway',
  });
}

function applyFleet(): number {
  const t0 = Date.now();
  const docs: string[] = [];
  for (let i = 0; i < N; i++) docs.push(gatewayYaml(i));
  // One kubectl per 200 objects keeps each request body small; they run one after another.
  for (let i = 0; i < docs.length; i += 200)
    must('create gateways', kubectl('hub', ['create', '-f', '-'], docs.slice(i, i + 200).join('---\n')));
  return (Date.now() - t0) / 1000;
}

async function deleteFleet(fleet: FleetWatch): Promise<void> {
  must('delete gateways', kubectl('hub', ['-n', NS, 'delete', 'pgw', '--all', '--wait=false']));
  await fleet.until(
    'every gateway deleted (finalizers done)',
    () => fleet.gateways.size === 0,
    CONVERGE_TIMEOUT_MS,
  );
  // Their member objects go with them.
  await waitFor(
    'member objects pruned',
    () =>
      MEMBERS.every(
        (m) =>
          kubectl(m, [
            'get',
            'deploy',
            '-A',
            '-l',
            'app.kubernetes.io/managed-by=paygrid',
            '-o',
            'name',
          ]).stdout.trim() === '',
      ),
    { timeoutMs: 600_000, intervalMs: 2000 },
  );
}

const describeWrites = (r: Run) =>
  `operator writes ${[...r.operatorWrites].map(([c, n]) => `${c} ${n}`).join(', ')}`;

async function converge(op: OperatorProcess, fleet: FleetWatch, run: number): Promise<Run> {
  const before = await reconcileHistogram(op);
  const hosts = clusterHosts();
  const opWrites0 = await operatorWrites(op, hosts);
  const cpu0 = procStats(op.pid!).cpuSeconds;
  const testbedCpu0 = testbedCpu();
  const writes0 = fleet.writes;
  const t0 = Date.now();
  let lastLog = 0;
  const progress = setInterval(() => {
    if (Date.now() - lastLog < 15_000) return;
    lastLog = Date.now();
    log(`run ${run}: ${fleet.readyCount()}/${N} Ready after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }, 1000);
  try {
    const applySeconds = applyFleet();
    const readyAt = await fleet.until(
      `${N} gateways Ready`,
      () => fleet.gateways.size === N && fleet.readyCount() === N,
      CONVERGE_TIMEOUT_MS,
    );
    const delta = (await reconcileHistogram(op)).minus(before);
    const p = procStats(op.pid!);
    log(`run ${run}: CPU of the testbed meanwhile: ${formatCpu(cpuSpent(testbedCpu0, testbedCpu()))}`);
    return {
      applySeconds,
      readySeconds: (readyAt - t0) / 1000,
      reconcile: {
        p50: histogramQuantile(delta, 0.5),
        p99: histogramQuantile(delta, 0.99),
        count: delta.count,
      },
      rssMiB: p.rssMiB,
      hwmMiB: p.hwmMiB,
      heapUsedMiB: await heapUsedMiB(op),
      cpuSeconds: p.cpuSeconds - cpu0,
      writes: fleet.writes - writes0,
      operatorWrites: writesByCluster(opWrites0, await operatorWrites(op, hosts)),
    };
  } finally {
    clearInterval(progress);
  }
}

async function atRest(op: OperatorProcess, fleet: FleetWatch) {
  // Settle: the queues drain and follow-up passes (status after members report) finish.
  await waitFor('operator queues empty', async () => (await op.metric('workqueue_depth')) === 0, {
    timeoutMs: 300_000,
    intervalMs: 1000,
  });
  const hosts = clusterHosts();
  const w0 = await operatorWrites(op, hosts);
  const gw0 = fleet.writes;
  const members0 = memberWrites();
  const hub0 = hubMemberVersions();
  const events0 = paygridEventCount();
  const cpu0 = procStats(op.pid!).cpuSeconds;
  log(`at rest: counting writes for ${REST_SECONDS} s`);
  await new Promise((r) => setTimeout(r, REST_SECONDS * 1000));
  const w1 = await operatorWrites(op, hosts);
  const byCluster: string[] = [];
  let total = 0;
  for (const [k, v] of w1) {
    const d = v - (w0.get(k) ?? 0);
    if (d > 0) byCluster.push(`${k} ${d}`);
    total += d;
  }
  const members1 = memberWrites();
  const changed = [...members1].filter(([k, v]) => members0.get(k) !== v).map(([k]) => k);
  const p = procStats(op.pid!);
  const heap = await heapUsedMiB(op);
  if (HEAP_DIR) await heapSnapshot(op);
  return {
    heapUsedMiB: heap,
    operatorWrites: total,
    byCluster,
    gatewayWrites: fleet.writes - gw0,
    memberObjectsChanged: changed,
    memberObjects: members1.size,
    hubMembersChanged: hubMemberVersions() !== hub0,
    events: paygridEventCount() - events0,
    cpuSeconds: p.cpuSeconds - cpu0,
    rssMiB: p.rssMiB,
  };
}

/** SIGUSR2 makes the operator (started with --heapsnapshot-signal) write one; wait until it is whole. */
async function heapSnapshot(op: OperatorProcess): Promise<void> {
  const before = new Set(readdirSync(HEAP_DIR!));
  process.kill(op.pid!, 'SIGUSR2');
  let last = -1;
  await waitFor(
    'heap snapshot written',
    () => {
      const f = readdirSync(HEAP_DIR!).find((n) => n.endsWith('.heapsnapshot') && !before.has(n));
      if (!f) return false;
      const size = statSync(join(HEAP_DIR!, f)).size;
      const done = size > 0 && size === last;
      last = size;
      if (done) log(`heap snapshot ${join(HEAP_DIR!, f)} (${(size / 2 ** 20).toFixed(0)} MiB)`);
      return done;
    },
    { timeoutMs: 300_000, intervalMs: 2000 },
  );
}

/** Crash the edge serving the most gateways; time until each of them serves elsewhere. */
async function outage(fleet: FleetWatch) {
  const servingOn = (g: PaymentGateway) => (g.status?.routes ?? []).map((r) => r.member);
  const counts = new Map<string, string[]>();
  for (const g of fleet.gateways.values())
    for (const m of servingOn(g)) counts.set(m, [...(counts.get(m) ?? []), g.metadata!.name!]);
  const [site, affected] = [...counts].sort((a, b) => b[1].length - a[1].length)[0]!;
  const pending = new Set(affected);
  const movedAt: number[] = [];
  const t0 = Date.now();
  const testbedCpu0 = testbedCpu();
  crash(site);
  const check = () => {
    for (const name of pending) {
      const g = fleet.gateways.get(name);
      const r = g ? servingOn(g) : [];
      if (r.length > 0 && !r.includes(site)) {
        pending.delete(name);
        movedAt.push((Date.now() - t0) / 1000);
      }
    }
    return pending.size === 0;
  };
  await fleet.until(`${affected.length} gateways serving away from ${site}`, check, 600_000);
  log(`outage: CPU of the testbed meanwhile: ${formatCpu(cpuSpent(testbedCpu0, testbedCpu()))}`);
  movedAt.sort((a, b) => a - b);
  return {
    site,
    affected: affected.length,
    first: movedAt[0]!,
    p50: quantile(movedAt, 0.5),
    p99: quantile(movedAt, 0.99),
    all: movedAt.at(-1)!,
  };
}

const f1 = (x: number) => x.toFixed(1);
const f3 = (x: number) => x.toFixed(3);

async function main(): Promise<void> {
  installCrds();
  registerMemberSecrets();
  applyMembers();
  ensureNamespace(NS);
  addBenchNodes();
  kubectl('hub', ['-n', NS, 'delete', 'pgw', '--all', '--timeout=300s']);

  const nodeOptions: string[] = [];
  if (HEAP_DIR) {
    mkdirSync(HEAP_DIR, { recursive: true });
    nodeOptions.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${HEAP_DIR}`);
  }
  if (CPU_PROF_DIR) {
    mkdirSync(CPU_PROF_DIR, { recursive: true });
    nodeOptions.push('--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`);
  }
  const baseline: Run[] = [];
  if (BASELINE_MAIN) {
    const base = await new OperatorProcess({
      identity: 'bench-scale-baseline',
      main: BASELINE_MAIN,
      extraArgs: ['--log-level=info', ...OPERATOR_ARGS],
    }).start();
    await waitFor(
      'baseline operator leads',
      async () => (await base.metric('leader_election_master_status')) === 1,
      {
        timeoutMs: 60_000,
      },
    );
    const fleet = await new FleetWatch().start();
    try {
      for (let r = 1; r <= RUNS; r++) {
        const run = await converge(base, fleet, r);
        baseline.push(run);
        log(
          `baseline run ${r}/${RUNS}: all ${N} Ready in ${f1(run.readySeconds)} s, CPU ${f1(run.cpuSeconds)} s, ${describeWrites(run)}`,
        );
        await deleteFleet(fleet);
      }
    } finally {
      fleet.stop();
      await base.stop('SIGTERM'); // releases the Lease for the operator under test
    }
  }
  const op = await new OperatorProcess({
    identity: 'bench-scale',
    ...(OPERATOR_MAIN ? { main: OPERATOR_MAIN } : {}),
    extraArgs: ['--log-level=info', ...OPERATOR_ARGS],
    ...(nodeOptions.length > 0 ? { env: { NODE_OPTIONS: nodeOptions.join(' ') } } : {}),
  }).start();
  await waitFor('operator leads', async () => (await op.metric('leader_election_master_status')) === 1, {
    timeoutMs: 60_000,
  });
  const fleet = await new FleetWatch().start();
  const runs: Run[] = [];
  try {
    for (let r = 1; r <= RUNS; r++) {
      const run = await converge(op, fleet, r);
      runs.push(run);
      log(
        `run ${r}/${RUNS}: all ${N} Ready in ${f1(run.readySeconds)} s (create ${f1(run.applySeconds)} s); ` +
          `reconcile p50 ${f3(run.reconcile.p50)} s p99 ${f3(run.reconcile.p99)} s over ${run.reconcile.count}; ` +
          `RSS ${f1(run.rssMiB)} MiB (peak ${f1(run.hwmMiB)}, heap used ${f1(run.heapUsedMiB)}), CPU ${f1(run.cpuSeconds)} s, ${run.writes} gateway writes; ${describeWrites(run)}`,
      );
      if (r < RUNS) await deleteFleet(fleet);
    }
    const rest = await atRest(op, fleet);
    log(`at rest: ${rest.operatorWrites} operator writes, ${rest.gatewayWrites} gateway writes`);
    const out = await outage(fleet);

    const ready = runs.map((r) => r.readySeconds).sort((a, b) => a - b);
    const lines = [
      `scale benchmark: ${N} gateways × ${MEMBERS.length} members (+ hub); ${RUNS} run(s); ` +
        `at rest ${REST_SECONDS} s; detectionWindowSeconds ${WINDOW}`,
      `machine: ${machine()}`,
      '',
      'metric                                              value',
      `time to all Ready, median of runs (s)              ${f1(quantile(ready, 0.5))}   (runs: ${ready.map(f1).join(', ')})`,
      `create of ${N} gateways by kubectl, median (s)        ${f1(
        quantile(
          runs.map((r) => r.applySeconds).sort((a, b) => a - b),
          0.5,
        ),
      )}`,
      `reconcile duration p50 / p99 (s), last run          ${f3(runs.at(-1)!.reconcile.p50)} / ${f3(runs.at(-1)!.reconcile.p99)}   (${runs.at(-1)!.reconcile.count} reconciles)`,
      `operator CPU seconds to converge, median            ${f1(
        quantile(
          runs.map((r) => r.cpuSeconds).sort((a, b) => a - b),
          0.5,
        ),
      )}`,
      `operator RSS after converging / peak (MiB)          ${f1(runs.at(-1)!.rssMiB)} / ${f1(Math.max(...runs.map((r) => r.hwmMiB)))}   (runs: ${runs.map((r) => f1(r.rssMiB)).join(', ')})`,
      `operator JS heap used after converging / at rest    ${f1(runs.at(-1)!.heapUsedMiB)} / ${f1(rest.heapUsedMiB)} MiB`,
      `writes at rest, operator (per s)                    ${(rest.operatorWrites / REST_SECONDS).toFixed(3)}   (${rest.operatorWrites} in ${REST_SECONDS} s${rest.byCluster.length ? ': ' + rest.byCluster.join(', ') : ''})`,
      `  (the leader election renews its Lease every 2 s: a PUT on the hub; every other write is reconciliation)`,
      `  gateway writes seen by a watch                    ${rest.gatewayWrites}`,
      `  member objects rewritten by paygrid               ${rest.memberObjectsChanged.length} of ${rest.memberObjects}${rest.memberObjectsChanged.length ? ' (' + rest.memberObjectsChanged.slice(0, 5).join(', ') + ')' : ''}`,
      `  EdgeSite/CloudCluster rewritten                   ${rest.hubMembersChanged ? 'yes' : 'no'}`,
      `  Events emitted                                    ${rest.events}`,
      `operator CPU at rest (s per minute)                 ${f3((rest.cpuSeconds / REST_SECONDS) * 60)}`,
      `member outage: ${out.site} crashed, ${out.affected} gateways on it`,
      `  crash → serving elsewhere: first / p50 / p99 / all (s)  ${f1(out.first)} / ${f1(out.p50)} / ${f1(out.p99)} / ${f1(out.all)}`,
    ];
    if (baseline.length > 0) {
      const med = (rs: Run[], f: (r: Run) => number) =>
        quantile(
          rs.map(f).sort((a, b) => a - b),
          0.5,
        );
      const hubWrites = (r: Run) => r.operatorWrites.get('hub') ?? 0;
      const row = (what: string, f: (r: Run) => number) => {
        const [b, c] = [med(baseline, f), med(runs, f)];
        return `  ${what.padEnd(44)} ${f1(b).padStart(8)} ${f1(c).padStart(8)}   ${b > 0 ? (c / b).toFixed(2) : '-'}×`;
      };
      lines.push(
        '',
        `baseline in the same command: ${BASELINE_MAIN} (medians of ${RUNS} run(s) each)`,
        `  ${''.padEnd(44)} ${'baseline'.padStart(8)} ${'this'.padStart(8)}   this / baseline`,
        row('time to all Ready (s)', (r) => r.readySeconds),
        row('operator CPU seconds to converge', (r) => r.cpuSeconds),
        row('operator writes to the hub while converging', hubWrites),
        row('operator writes in all while converging', (r) =>
          [...r.operatorWrites.values()].reduce((a, b) => a + b, 0),
        ),
      );
    }
    console.log(lines.join('\n'));
  } finally {
    fleet.stop();
    await op.stop('SIGTERM');
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
