// Where the CPU of a bench run went: the testbed's own processes (kube-apiserver, etcd,
// kube-controller-manager, kube-scheduler, kwok-controller of every cluster) beside the operator.
// On a 2-core machine the members' controllers creating and faking N Deployments' pods compete
// with the operator, so a convergence time means little without this split. Pure: the bench reads
// /proc and hands the texts in.
import { basename } from 'node:path';
import { cpuSeconds } from './karmada-figures.js';

/** The component a process is, when its command line runs under the testbed's kwok workdir. */
export function testbedComponent(argv: readonly string[], kwokWorkdir: string): string | undefined {
  if (argv.length === 0 || !argv.some((a) => a.includes(kwokWorkdir))) return undefined;
  return basename(argv[0]!);
}

/** CPU seconds per component from (argv, /proc/<pid>/stat) pairs; processes elsewhere are left out. */
export function cpuByComponent(
  processes: Iterable<{ argv: readonly string[]; stat: string }>,
  kwokWorkdir: string,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of processes) {
    const c = testbedComponent(p.argv, kwokWorkdir);
    if (c === undefined) continue;
    out.set(c, (out.get(c) ?? 0) + cpuSeconds(p.stat));
  }
  return out;
}

/** after − before per component (a process that exited in between counts only what is left). */
export function cpuSpent(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>) {
  const out = new Map<string, number>();
  for (const [k, v] of after) out.set(k, Math.max(0, v - (before.get(k) ?? 0)));
  return out;
}

/** "kube-apiserver 41.2 s, etcd 12.0 s, …", largest first. */
export function formatCpu(spent: ReadonlyMap<string, number>): string {
  return [...spent]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
    .join(', ');
}
