// The peer benchmark (issue 11 §4): the scale figures of make bench-scale, for Karmada, run on the
// testbed as
//   BENCH_N=1000 BENCH_RUNS=3 node e2e/dist/bench/karmada-bench.js      (make bench-karmada)
// A Karmada control plane (karmada-plane.ts) gets the testbed's three members in Push mode. Per
// run, N Deployments shaped like paygrid's authorization Deployment of one gateway (2 replicas,
// 100m CPU) and one PropagationPolicy each (edge-a or edge-b, one of them: Duplicated, spread to
// one cluster) are created at once; it measures the time until every one is available on a
// member (and each Deployment's own time, median / p99), the CPU seconds and memory of the
// controller manager and scheduler, then deletes them all. After the last run the fleet is left
// converged for BENCH_REST_SECONDS and every write on the Karmada apiserver and the members is
// counted (apiserver_request_total). Finally the edge member holding the most Deployments is
// crashed and the time until all of its Deployments are available on the other edge is measured,
// with Karmada's failover as documented: Failover feature gate, --enable-no-execute-taint-eviction,
// a ClusterTaintPolicy adding a NoExecute taint when Ready is False or Unknown, and the default
// detection settings (status every 10 s, grace period 40 s, Gracefully purge mode).
//
// The testbed's edge nodes (3 × 4 CPU, 110 pods) cannot hold 2 × N pods of 100m, so the bench adds
// large KWOK nodes to each edge; scheduling on the members is not what is measured.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crash } from '../testbed/faults.js';
import { repo } from '../harness/install.js';
import { waitFor } from '../harness/wait.js';
import { machine, quantile } from './stats.js';
import { HOST, HOST_CONTEXT, KarmadaPlane, kc, karmadaVersion } from './karmada-plane.js';
import {
  availableDeployments,
  cpuSeconds,
  isHeartbeat,
  memoryMiB,
  sum,
  writesBetween,
  writesByResource,
} from './karmada-figures.js';

const N = Math.max(1, Number(process.env.BENCH_N ?? 1000));
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const REST_SECONDS = Math.max(10, Number(process.env.BENCH_REST_SECONDS ?? 300));
const TIMEOUT_MS = Number(process.env.BENCH_CONVERGE_TIMEOUT_S ?? 1800) * 1000;
const NS = 'bench-karmada';
const EDGES = ['edge-a', 'edge-b'] as const;
const APISERVERS = [HOST, 'cloud-eu', ...EDGES];
const REPLICAS = 2;

// Karmada's documented failover settings; the defaults are spelled out so the table can say them.
const CONTROLLER_ARGS = [
  '--feature-gates=Failover=true',
  '--enable-no-execute-taint-eviction=true',
  '--no-execute-taint-eviction-purge-mode=Gracefully',
  '--cluster-status-update-frequency=10s',
  '--cluster-monitor-period=5s',
  '--cluster-monitor-grace-period=40s',
  '--leader-elect=false',
  `--v=${process.env.BENCH_KARMADA_V ?? 2}`,
];
// One instance of each: no leader election (a restarted bench would wait out the old lease).
const SCHEDULER_ARGS = [
  '--feature-gates=Failover=true',
  '--leader-elect=false',
  `--v=${process.env.BENCH_KARMADA_V ?? 2}`,
];

const log = (msg: string) =>
  console.error(`[bench-karmada] ${new Date().toISOString().slice(11, 19)} ${msg}`);
const name = (i: number) => `auth-${String(i).padStart(4, '0')}`;

/** The authorization Deployment of one gateway, and its policy: one of the two edges. */
function workloadYaml(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name(i)}, namespace: ${NS}, labels: { app: ${name(i)} } }
spec:
  replicas: ${REPLICAS}
  selector: { matchLabels: { app: ${name(i)} } }
  template:
    metadata: { labels: { app: ${name(i)} } }
    spec:
      containers:
        - name: authorization
          image: ghcr.io/paygrid/authorization:0.2.0
          resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 256Mi } }
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: { name: ${name(i)}, namespace: ${NS} }
spec:
  resourceSelectors: [{ apiVersion: apps/v1, kind: Deployment, name: ${name(i)} }]
  placement:
    clusterAffinity: { clusterNames: [${EDGES.join(', ')}] }
    spreadConstraints: [{ spreadByField: cluster, maxGroups: 1, minGroups: 1 }]
    replicaScheduling: { replicaSchedulingType: Duplicated }
---
`;
}

const TAINT_POLICY = `apiVersion: policy.karmada.io/v1alpha1
kind: ClusterTaintPolicy
metadata: { name: not-ready-no-execute }
spec:
  addOnConditions: [{ conditionType: Ready, operator: In, statusValues: ['False', 'Unknown'] }]
  removeOnConditions: [{ conditionType: Ready, operator: In, statusValues: ['True'] }]
  taints: [{ key: cluster.karmada.io/not-ready, effect: NoExecute }]
`;

/** Large KWOK nodes on each edge (the testbed's node template, bigger), so all 2 × N pods fit on one edge. */
function addBenchNodes(): void {
  const tpl = readFileSync(join(repo, 'e2e', 'testbed', 'node.yaml.tpl'), 'utf8');
  const count = Math.max(1, Math.ceil((REPLICAS * N) / 1000));
  for (const edge of EDGES) {
    let docs = '';
    for (let i = 1; i <= count; i++) {
      docs +=
        tpl
          .replaceAll('NAME', `${edge}-bench-karmada-${i}`)
          .replaceAll('"CPU"', '"256"')
          .replaceAll('MEMORY', '1Ti')
          .replaceAll('REGION', 'eu-west')
          .replaceAll('ZONE', edge === 'edge-a' ? 'eu-west-a' : 'eu-west-b')
          .replaceAll('pods: "110"', 'pods: "1000"') + '\n---\n';
    }
    kc(`kwok-${edge}`, ['apply', '-f', '-'], docs);
  }
}

/** Deployment name → the edge it is available on (all replicas), polled from the members. */
function availableOn(edges: readonly string[] = EDGES): Map<string, string> {
  const out = new Map<string, string>();
  for (const edge of edges) {
    let text = '';
    try {
      text = kc(`kwok-${edge}`, [
        '-n',
        NS,
        'get',
        'deployments',
        '--request-timeout=10s',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name} {.status.availableReplicas}{"\\n"}{end}',
      ]);
    } catch {
      continue; // a crashed member, or the namespace not there yet
    }
    for (const d of availableDeployments(text, REPLICAS)) out.set(d, edge);
  }
  return out;
}

function procFigures(plane: KarmadaPlane): Record<string, { cpu: number; rss: number; peak: number }> {
  const out: Record<string, { cpu: number; rss: number; peak: number }> = {};
  for (const p of plane.procs) {
    const pid = p.child.pid!;
    out[p.name] = {
      cpu: cpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8')),
      ...memoryMiB(readFileSync(`/proc/${pid}/status`, 'utf8')),
    };
  }
  return out;
}

function writes(): Map<string, Map<string, number>> {
  return new Map(APISERVERS.map((c) => [c, writesByResource(kc(`kwok-${c}`, ['get', '--raw', '/metrics']))]));
}

interface Run {
  converge: number;
  perDeployment: number[];
  cpu: Record<string, number>;
  peak: Record<string, number>;
  spread: Record<string, number>;
}

async function once(plane: KarmadaPlane): Promise<Run> {
  const before = procFigures(plane);
  let docs = '';
  for (let i = 0; i < N; i++) docs += workloadYaml(i);
  const t0 = Date.now();
  kc(HOST_CONTEXT, ['create', '-f', '-'], docs);
  log(`created ${N} Deployments and policies in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const firstSeen = new Map<string, number>();
  let where = new Map<string, string>();
  await waitFor(
    `all ${N} Deployments available on a member`,
    () => {
      where = availableOn();
      const now = Date.now();
      for (const d of where.keys()) if (!firstSeen.has(d)) firstSeen.set(d, now);
      return where.size >= N;
    },
    { timeoutMs: TIMEOUT_MS, intervalMs: 1000 },
  );
  const converge = (Date.now() - t0) / 1000;
  const after = procFigures(plane);
  const spread: Record<string, number> = {};
  for (const e of where.values()) spread[e] = (spread[e] ?? 0) + 1;
  return {
    converge,
    perDeployment: [...firstSeen.values()].map((t) => (t - t0) / 1000).sort((a, b) => a - b),
    cpu: Object.fromEntries(Object.keys(after).map((k) => [k, after[k]!.cpu - before[k]!.cpu])),
    peak: Object.fromEntries(Object.keys(after).map((k) => [k, after[k]!.peak])),
    spread,
  };
}

async function clear(): Promise<void> {
  kc(HOST_CONTEXT, ['-n', NS, 'delete', 'deployments,propagationpolicies', '--all', '--wait=false']);
  await waitFor(
    'the bench Deployments gone from the members',
    () => EDGES.every((e) => kc(`kwok-${e}`, ['-n', NS, 'get', 'deployments', '-o', 'name']).trim() === ''),
    { timeoutMs: TIMEOUT_MS, intervalMs: 2000 },
  );
}

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

async function main(): Promise<void> {
  log(`N=${N} runs=${RUNS} rest=${REST_SECONDS}s on ${machine()}`);
  addBenchNodes();
  // Workloads an interrupted bench left on the members would count as available at once.
  for (const e of EDGES) kc(`kwok-${e}`, ['delete', 'namespace', NS, '--ignore-not-found', '--timeout=120s']);
  const plane = new KarmadaPlane();
  // An interrupted bench leaves no Karmada processes behind.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const p of plane.procs) p.child.kill('SIGTERM');
      process.exit(130);
    });
  }
  const rows: [string, string][] = [];
  try {
    await plane.up(CONTROLLER_ARGS, SCHEDULER_ARGS);
    kc(HOST_CONTEXT, ['apply', '-f', '-'], TAINT_POLICY);
    kc(HOST_CONTEXT, ['create', 'namespace', NS]);
    log('Karmada up, members joined');
    const runs: Run[] = [];
    for (let r = 1; r <= RUNS; r++) {
      const run = await once(plane);
      log(`run ${r}: all available in ${fmt(run.converge)} s (${JSON.stringify(run.spread)})`);
      runs.push(run);
      if (r < RUNS) await clear();
    }
    const med = (xs: number[]) =>
      quantile(
        [...xs].sort((a, b) => a - b),
        0.5,
      );
    const all = runs.flatMap((r) => r.perDeployment).sort((a, b) => a - b);
    rows.push([
      `time until all ${N} available, median of ${RUNS} (s)`,
      fmt(med(runs.map((r) => r.converge))),
    ]);
    rows.push(['  runs (s)', runs.map((r) => fmt(r.converge)).join(' / ')]);
    rows.push([
      'per Deployment, create → available, median / p99 (s)',
      `${fmt(quantile(all, 0.5))} / ${fmt(quantile(all, 0.99))}`,
    ]);
    for (const p of ['karmada-controller-manager', 'karmada-scheduler']) {
      rows.push([`${p} CPU per run, median (s)`, fmt(med(runs.map((r) => r.cpu[p] ?? NaN)))]);
      rows.push([`${p} peak RSS (MiB)`, fmt(Math.max(...runs.map((r) => r.peak[p] ?? NaN)), 0)]);
    }
    rows.push(['placement (last run)', JSON.stringify(runs.at(-1)!.spread)]);

    log(`at rest for ${REST_SECONDS} s`);
    const w0 = writes();
    const cpu0 = procFigures(plane);
    const r0 = Date.now();
    await new Promise((r) => setTimeout(r, REST_SECONDS * 1000)); // the measurement window itself
    const w1 = writes();
    const cpu1 = procFigures(plane);
    const secs = (Date.now() - r0) / 1000;
    let total = 0;
    let control = 0;
    for (const c of APISERVERS) {
      const d = writesBetween(w0.get(c)!, w1.get(c)!);
      const own = [...d].filter(([k]) => !isHeartbeat(k));
      total += sum(d);
      control += own.reduce((a, [, v]) => a + v, 0);
      const top = own
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([k, v]) => `${k} ${fmt(v / secs, 2)}`);
      rows.push([
        `writes/s at rest on ${c} (all / without heartbeats)`,
        `${fmt(sum(d) / secs, 2)} / ${fmt(own.reduce((a, [, v]) => a + v, 0) / secs, 2)}${top.length ? ` (${top.join(', ')})` : ''}`,
      ]);
    }
    rows.push([
      'writes/s at rest, all apiservers (all / without heartbeats)',
      `${fmt(total / secs, 2)} / ${fmt(control / secs, 2)}`,
    ]);
    for (const p of ['karmada-controller-manager', 'karmada-scheduler']) {
      rows.push([`${p} CPU at rest (% of a core)`, fmt(((cpu1[p]!.cpu - cpu0[p]!.cpu) / secs) * 100)]);
      rows.push([`${p} RSS at rest (MiB)`, fmt(cpu1[p]!.rss, 0)]);
    }

    const where = availableOn();
    const counts = EDGES.map((e) => [e, [...where.values()].filter((x) => x === e).length] as const);
    const [lost] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const other = EDGES.find((e) => e !== lost)!;
    const moved = [...where].filter(([, e]) => e === lost).map(([d]) => d);
    log(`crashing ${lost} (${moved.length} Deployments)`);
    const tc = Date.now();
    crash(lost);
    const moveAt = new Map<string, number>();
    await waitFor(
      `the ${moved.length} Deployments of ${lost} available on ${other}`,
      () => {
        const now = Date.now();
        const on = availableOn([other]);
        for (const d of moved) if (!moveAt.has(d) && on.has(d)) moveAt.set(d, now);
        return moveAt.size >= moved.length;
      },
      { timeoutMs: TIMEOUT_MS, intervalMs: 1000 },
    );
    const times = [...moveAt.values()].map((t) => (t - tc) / 1000).sort((a, b) => a - b);
    rows.push([
      `failover: ${lost} crashed, ${moved.length} Deployments available on ${other}, all (s)`,
      fmt((Date.now() - tc) / 1000),
    ]);
    rows.push([
      'failover per Deployment, median / p99 (s)',
      `${fmt(quantile(times, 0.5))} / ${fmt(quantile(times, 0.99))}`,
    ]);
    rows.push([
      'failover settings',
      `${CONTROLLER_ARGS.join(' ')}; ClusterTaintPolicy NoExecute on Ready False/Unknown; no tolerations (no webhook defaults)`,
    ]);
  } finally {
    await plane.down();
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(
    `\nKarmada ${karmadaVersion} — N=${N}, runs=${RUNS}, ${new Date().toISOString()}, ${machine()}\n`,
  );
  console.log(`| ${'metric'.padEnd(width)} | value |`);
  console.log(`| ${'-'.repeat(width)} | ----- |`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v} |`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
