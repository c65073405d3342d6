// The pure arithmetic of the Karmada peer benchmark: writes counted from an apiserver's
// apiserver_request_total, CPU and memory of a process from /proc, and which member serves which
// Deployment. No I/O: the bench reads the texts and hands them in.

/** The apiserver's write verbs (server-side apply is counted as APPLY, not PATCH). */
export const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION']);

/** Writes by resource (`group/resource`, or `resource` for the core group) in Prometheus text. */
export function writesByResource(metricsText: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of metricsText.split('\n')) {
    const m = /^apiserver_request_total\{([^}]*)\}\s+(\S+)$/.exec(line);
    if (!m) continue;
    const lbl = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (!WRITE_VERBS.has(lbl.verb ?? '')) continue;
    const key = lbl.group ? `${lbl.group}/${lbl.resource ?? ''}` : (lbl.resource ?? '');
    out.set(key, (out.get(key) ?? 0) + Number(m[2]));
  }
  return out;
}

/** What was written between two samples of writesByResource, by resource. */
export function writesBetween(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0) out.set(k, d);
  }
  return out;
}

export const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/**
 * Heartbeats every cluster writes whatever runs on it (node status and leases of the KWOK nodes,
 * leader-election leases of kube-controller-manager and kube-scheduler, events): left out of the
 * "control plane" figure, counted in the total.
 */
export const isHeartbeat = (resource: string) =>
  resource === 'nodes' ||
  resource === 'coordination.k8s.io/leases' ||
  resource === 'events' ||
  resource === 'events.k8s.io/events';

/** CPU seconds (user + system) from /proc/<pid>/stat, at the given clock ticks per second. */
export function cpuSeconds(statText: string, ticksPerSecond = 100): number {
  // Field 2 (comm) may hold spaces and parentheses: count fields after its closing ')'.
  const rest = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`not a /proc/<pid>/stat line: ${statText.slice(0, 80)}`);
  return (utime + stime) / ticksPerSecond;
}

/** Resident and peak resident memory in MiB from /proc/<pid>/status (VmRSS, VmHWM). */
export function memoryMiB(statusText: string): { rss: number; peak: number } {
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(statusText);
    if (!m) throw new Error(`no ${field} in /proc/<pid>/status`);
    return Number(m[1]) / 1024;
  };
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** `name available` lines (kubectl jsonpath) → the names of Deployments with every replica available. */
export function availableDeployments(jsonpathLines: string, replicas: number): string[] {
  return jsonpathLines
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([name, avail]) => name && Number(avail ?? 0) >= replicas)
    .map(([name]) => name!);
}
