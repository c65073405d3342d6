// The clusters the suites run against, as kubeconfig contexts. The local
// testbed (kwokctl) and the kind/k3d provider both produce these names, so
// the suites never care which provider made them.
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const MEMBERS = ['cloud-eu', 'edge-a', 'edge-b'] as const;
export const CLUSTERS = ['hub', ...MEMBERS] as const;
export type ClusterName = (typeof CLUSTERS)[number];

/** Where the testbed writes its state: kubeconfigs, proxy control port, logs. */
export const testbedDir = process.env.PAYGRID_TESTBED_DIR ?? join(homedir(), '.cache', 'paygrid', 'testbed');

/** The kubeconfig holding every cluster's context. */
export const kubeconfigPath = process.env.PAYGRID_E2E_KUBECONFIG ?? join(testbedDir, 'kubeconfig');

/** Which provider made the clusters: the local kwokctl testbed, or kind (hub, cloud) plus k3d (edges). */
export const provider = process.env.E2E_PROVIDER === 'kind' ? 'kind' : 'kwok';

/** kubeconfig context for a cluster, as each provider names it. */
export function contextOf(cluster: ClusterName): string {
  if (provider === 'kwok') return `kwok-${cluster}`;
  return cluster.startsWith('edge-') ? `k3d-${cluster}` : `kind-${cluster}`;
}

/** Per-member kubeconfig that reaches the member through its fault proxy (becomes the member Secret). */
export function memberKubeconfigPath(member: (typeof MEMBERS)[number]): string {
  return join(testbedDir, 'members', `${member}.kubeconfig`);
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against one cluster; never throws, so tests can assert on failures. */
export function kubectl(cluster: ClusterName, args: string[], stdin?: string): KubectlResult {
  try {
    const stdout = execFileSync(
      'kubectl',
      ['--kubeconfig', kubeconfigPath, '--context', contextOf(cluster), ...args],
      {
        input: stdin,
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
