// What an SRE does before the operator can act, done the same way by the
// suites and by `make demo`: install the CRDs, put each member's kubeconfig
// in a Secret in the operator's namespace, apply the EdgeSite/CloudCluster
// resources from examples/.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MEMBERS, kubectl, memberKubeconfigPath } from '../testbed/clusters.js';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const OPERATOR_NAMESPACE = 'paygrid-system';

function must(what: string, r: { code: number; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export function installCrds(): void {
  must('apply CRDs', kubectl('hub', ['apply', '--server-side', '-f', join(repo, 'crds')]));
  must(
    'wait for CRDs',
    kubectl('hub', [
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/edgesites.paygrid.io',
      'crd/cloudclusters.paygrid.io',
      'crd/paymentgateways.paygrid.io',
    ]),
  );
}

export function ensureNamespace(ns: string): void {
  const yaml = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`;
  must(`namespace ${ns}`, kubectl('hub', ['apply', '-f', '-'], yaml));
}

/** The Secret holding a member's kubeconfig, as examples/ name it. */
export function memberSecretName(member: string): string {
  return `paygrid-member-${member}`;
}

export function registerMemberSecrets(): void {
  ensureNamespace(OPERATOR_NAMESPACE);
  for (const m of MEMBERS) {
    const data = Buffer.from(readFileSync(memberKubeconfigPath(m))).toString('base64');
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: memberSecretName(m),
        namespace: OPERATOR_NAMESPACE,
        labels: { 'paygrid.io/member': m },
      },
      type: 'Opaque',
      data: { kubeconfig: data },
    };
    must(`secret for ${m}`, kubectl('hub', ['apply', '--server-side', '-f', '-'], JSON.stringify(secret)));
  }
}

export function applyMembers(): void {
  for (const f of ['edgesite-edge-a.yaml', 'edgesite-edge-b.yaml', 'cloudcluster-cloud-eu.yaml']) {
    must(`apply ${f}`, kubectl('hub', ['apply', '-f', join(repo, 'examples', f)]));
  }
}

export function applyExampleGateway(): void {
  must('apply namespace', kubectl('hub', ['apply', '-f', join(repo, 'examples', 'namespace.yaml')]));
  must('apply gateway', kubectl('hub', ['apply', '-f', join(repo, 'examples', 'paymentgateway.yaml')]));
}
