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

export interface ProcessCpu {
  readonly component: string;
  readonly seconds: number;
}

/** CPU seconds per testbed process (by pid) from (pid, argv, /proc/<pid>/stat); others left out. */
export function cpuByProcess(
  processes: Iterable<{ pid: string; argv: readonly string[]; stat: string }>,
  kwokWorkdir: string,
): Map<string, ProcessCpu> {
  const out = new Map<string, ProcessCpu>();
  for (const p of processes) {
    const component = testbedComponent(p.argv, kwokWorkdir);
    if (component !== undefined) out.set(p.pid, { component, seconds: cpuSeconds(p.stat) });
  }
  return out;
}

/**
 * CPU spent between two samples, per component: each process's own difference, so a cluster
 * stopped in between (a crash) costs nothing instead of taking its whole past off the total; a
 * process started in between counts from zero.
 */
export function cpuSpent(before: ReadonlyMap<string, ProcessCpu>, after: ReadonlyMap<string, ProcessCpu>) {
  const out = new Map<string, number>();
  for (const [pid, p] of after) {
    const spent = p.seconds - (before.get(pid)?.seconds ?? 0);
    out.set(p.component, (out.get(p.component) ?? 0) + Math.max(0, spent));
  }
  return out;
}

/** "kube-apiserver 41.2 s, etcd 12.0 s, …", largest first. */
export function formatCpu(spent: ReadonlyMap<string, number>): string {
  return [...spent]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
    .join(', ');
}
