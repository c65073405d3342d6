// The failover benchmark (issue 4 §5), run on the testbed as
//   BENCH_N=10 node e2e/dist/bench/failover-bench.js      (make bench-failover)
// It brings its own operator process and gateway (one serving edge site,
// edge-a; edge-b the spare), then repeats "crash the serving edge site" and
// "partition it" BENCH_N times each, restoring the site and waiting for the
// failback between iterations, and prints per fault kind min / median / p95 /
// max of
//   (a) detection: fault → the EdgeSite's status says Unreachable (as a watch
//       sees it), and the operator's own paygrid_detection_duration_seconds
//       (first failed probe → Unreachable);
//   (b) fault → the replacement serving (status.routes contain edge-b);
// and (b) against the gateway's detection window (target: median(b) ≤ window + 3 s).
import { join } from 'node:path';
import type { PaymentGateway } from '@paygrid/operator/api';
import { kubectl } from '../testbed/clusters.js';
import { crash, heal, partition } from '../testbed/faults.js';
import { applyMembers, installCrds, registerMemberSecrets, repo } from '../harness/install.js';
import { OperatorProcess } from '../harness/operator-process.js';
import { applyYaml, isReady } from '../harness/gateways.js';
import { waitFor } from '../harness/wait.js';
import { machine, quantile } from './stats.js';
import {
  NS,
  authPlacements,
  recordEdgeSite,
  recordGateway,
  restoreMember,
  routeMembers,
  testGatewayYaml,
  type MemberObject,
  type ObjectRecorder,
} from '../harness/failover.js';

const N = Math.max(1, Number(process.env.BENCH_N ?? 10));
const WINDOW = Number(process.env.BENCH_DETECTION_WINDOW ?? 6);
const STABILIZATION = 3;
const GATEWAY = 'bench-failover';
type Kind = 'crash' | 'partition';

interface Sample {
  detection: number;
  operatorDetection: number;
  serving: number;
}

const homeAgain = (g: PaymentGateway) => {
  const ps = authPlacements(g);
  return ps.length === 1 && ps[0]!.member === 'edge-a' && ps[0]!.state === 'Active' && isReady(g);
};

/** A restored member's KWOK controller manages its nodes again once their Leases are back. */
function kwokManagesNodes(): boolean {
  const r = kubectl('edge-a', ['-n', 'kube-node-lease', 'get', 'lease', '-o', 'name']);
  return r.code === 0 && r.stdout.trim().split('\n').filter(Boolean).length >= 3;
}

async function detectionMetric(op: OperatorProcess): Promise<{ sum: number; count: number }> {
  return {
    sum: await op.metric('paygrid_detection_duration_seconds_sum', { member: 'EdgeSite/edge-a' }),
    count: await op.metric('paygrid_detection_duration_seconds_count', { member: 'EdgeSite/edge-a' }),
  };
}

async function once(
  kind: Kind,
  op: OperatorProcess,
  rec: ObjectRecorder<PaymentGateway>,
  site: ObjectRecorder<MemberObject>,
): Promise<Sample> {
  await rec.waitForCurrent('gateway serving from edge-a alone', homeAgain, { timeoutMs: 240_000 });
  await site.waitForCurrent('edge-a Healthy', (s) => s.status?.health === 'Healthy', { timeoutMs: 60_000 });
  const before = await detectionMetric(op);
  const faultAt = Date.now();
  if (kind === 'crash') crash('edge-a');
  else await partition('edge-a');
  try {
    const unreachable = await site.waitFor('edge-a Unreachable', (s) => s.status?.health === 'Unreachable', {
      from: faultAt,
      timeoutMs: 60_000,
    });
    const serving = await rec.waitFor('edge-b serving', (g) => routeMembers(g).includes('edge-b'), {
      from: faultAt,
      timeoutMs: 120_000,
    });
    const after = await waitFor('detection metric', async () => {
      const m = await detectionMetric(op);
      return m.count > before.count && m;
    });
    return {
      detection: (unreachable.at - faultAt) / 1000,
      operatorDetection: (after.sum - before.sum) / (after.count - before.count),
      serving: (serving.at - faultAt) / 1000,
    };
  } finally {
    if (kind === 'crash') {
      restoreMember('edge-a');
      await waitFor('KWOK manages edge-a nodes again', kwokManagesNodes, {
        timeoutMs: 240_000,
        intervalMs: 1000,
      });
    } else await heal('edge-a');
  }
}

function stats(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(2).padStart(6);
  return `${f(s[0]!)} ${f(quantile(s, 0.5))} ${f(quantile(s, 0.95))} ${f(s.at(-1)!)}`;
}

async function main(): Promise<void> {
  installCrds();
  registerMemberSecrets();
  applyMembers();
  kubectl('hub', ['apply', '-f', join(repo, 'examples', 'namespace.yaml')]);
  await heal('edge-a');
  if (kubectl('edge-a', ['get', '--raw', '/readyz']).code !== 0) restoreMember('edge-a');
  kubectl('hub', ['-n', NS, 'delete', 'pgw', GATEWAY, '--ignore-not-found', '--timeout=60s']);

  const op = await new OperatorProcess({ identity: 'bench-failover' }).start();
  const rec = await recordGateway(GATEWAY);
  const site = await recordEdgeSite('edge-a');
  const results: Record<Kind, Sample[]> = { crash: [], partition: [] };
  const stop = async () => {
    rec.stop();
    site.stop();
    await heal('edge-a').catch(() => undefined);
    if (kubectl('edge-a', ['get', '--raw', '/readyz']).code !== 0) restoreMember('edge-a');
    kubectl('hub', ['-n', NS, 'delete', 'pgw', GATEWAY, '--ignore-not-found', '--timeout=60s']);
    await op.stop('SIGTERM');
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  try {
    applyYaml(
      'hub',
      testGatewayYaml(GATEWAY, {
        detectionWindowSeconds: WINDOW,
        failbackStabilizationSeconds: STABILIZATION,
      }),
    );
    for (let i = 1; i <= N; i++) {
      for (const kind of ['crash', 'partition'] as const) {
        const s = await once(kind, op, rec, site);
        results[kind].push(s);
        console.error(
          `[bench] ${kind} ${i}/${N}: detection ${s.detection.toFixed(2)} s (operator ${s.operatorDetection.toFixed(2)} s), ` +
            `fault → replacement serving ${s.serving.toFixed(2)} s`,
        );
      }
    }
  } finally {
    await stop();
  }

  const lines = [
    `failover benchmark: ${N} iterations per fault kind; gateway detectionWindowSeconds ${WINDOW}, ` +
      `EdgeSite probes every 2 s, Unreachable after 3 failures`,
    `machine: ${machine()}`,
    '',
    'fault      measure                                   min    med    p95    max  (seconds)',
  ];
  for (const kind of ['crash', 'partition'] as const) {
    const r = results[kind];
    lines.push(
      `${kind.padEnd(10)} (a) fault → Unreachable (watch)        ${stats(r.map((x) => x.detection))}`,
    );
    lines.push(
      `${''.padEnd(10)} (a) first failed probe → Unreachable    ${stats(r.map((x) => x.operatorDetection))}`,
    );
    lines.push(`${''.padEnd(10)} (b) fault → replacement serving        ${stats(r.map((x) => x.serving))}`);
    lines.push(
      `${''.padEnd(10)}     (b) / detection window              ${stats(r.map((x) => x.serving / WINDOW))}`,
    );
    const med = quantile(
      r.map((x) => x.serving).sort((a, b) => a - b),
      0.5,
    );
    lines.push(
      `${''.padEnd(10)}     target median(b) ≤ window + 3 s = ${WINDOW + 3} s: ${med <= WINDOW + 3 ? 'met' : 'MISSED'} (${med.toFixed(2)} s)`,
    );
  }
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
