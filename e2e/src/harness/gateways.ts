// Reading gateways and member workloads the way an SRE would, with kubectl.
import type { PaymentGateway } from '@paygrid/operator/api';
import { MEMBERS, kubectl, type ClusterName } from '../testbed/clusters.js';
import { waitFor } from './wait.js';

export function getGateway(ns: string, name: string): PaymentGateway | undefined {
  const r = kubectl('hub', ['-n', ns, 'get', 'pgw', name, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as PaymentGateway) : undefined;
}

export function condition(gw: PaymentGateway | undefined, type: string) {
  return gw?.status?.conditions?.find((c) => c.type === type);
}

export function isReady(gw: PaymentGateway | undefined): boolean {
  return (
    condition(gw, 'Ready')?.status === 'True' && gw?.status?.observedGeneration === gw?.metadata?.generation
  );
}

export interface DeploymentView {
  name: string;
  namespace: string;
  image: string;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  resourceVersion: string;
}

/** paygrid's Deployments of one gateway on one member. */
export function memberDeployments(member: ClusterName, gatewayName: string): DeploymentView[] {
  const r = kubectl(member, [
    'get',
    'deploy',
    '-A',
    '-l',
    `app.kubernetes.io/instance=${gatewayName},app.kubernetes.io/managed-by=paygrid`,
    '-o',
    'json',
  ]);
  if (r.code !== 0) throw new Error(`listing deployments on ${member}: ${r.stderr}`);
  const items = (JSON.parse(r.stdout) as { items: Record<string, any>[] }).items; // eslint-disable-line @typescript-eslint/no-explicit-any
  return items.map((d) => ({
    name: d.metadata.name,
    namespace: d.metadata.namespace,
    image: d.spec.template.spec.containers[0].image,
    replicas: d.spec.replicas,
    readyReplicas: d.status?.readyReplicas ?? 0,
    updatedReplicas: d.status?.updatedReplicas ?? 0,
    resourceVersion: d.metadata.resourceVersion,
  }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type MemberObject = Record<string, any>;

/** Every object paygrid manages for a gateway, on every member, by "member:Kind/namespace/name". */
function memberObjects(gatewayName: string): Map<string, MemberObject> {
  const out = new Map<string, MemberObject>();
  for (const m of MEMBERS) {
    const r = kubectl(m, [
      'get',
      'deploy,cm,svc,sa,pdb,networkpolicy',
      '-A',
      '-l',
      `app.kubernetes.io/instance=${gatewayName}`,
      '--show-managed-fields',
      '-o',
      'json',
    ]);
    if (r.code !== 0) throw new Error(`listing ${gatewayName}'s objects on ${m}: ${r.stderr}`);
    for (const o of (JSON.parse(r.stdout) as { items: MemberObject[] }).items) {
      out.set(`${m}:${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
    }
  }
  return out;
}

const mapValues = (objects: Map<string, MemberObject>, f: (o: MemberObject) => string) =>
  Object.fromEntries([...objects].map(([k, o]) => [k, f(o)]));

/** Every object paygrid manages for a gateway, on every member, with its resourceVersion. */
export function memberObjectVersions(gatewayName: string): Record<string, string> {
  return mapValues(memberObjects(gatewayName), (o) => o.metadata.resourceVersion as string);
}

/**
 * What paygrid last wrote to each of a gateway's objects on every member: the object's
 * generation and the time of the operator's own managedFields entries. Unlike resourceVersion,
 * it does not move when the member's controllers write status, so it changes only when the
 * operator (or someone else changing the spec) writes.
 */
export function memberObjectWrites(gatewayName: string): Record<string, string> {
  return mapValues(memberObjects(gatewayName), (o) => {
    const mine = ((o.metadata.managedFields ?? []) as { manager: string; time?: string }[])
      .filter((f) => f.manager === 'paygrid-operator')
      .map((f) => f.time ?? '')
      .sort();
    return `generation=${o.metadata.generation ?? 0} paygrid-operator=${mine.join(',')}`;
  });
}

export function applyYaml(cluster: ClusterName, yaml: string): void {
  const r = kubectl(cluster, ['apply', '-f', '-'], yaml);
  if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
}

export function patchGateway(ns: string, name: string, patch: object): void {
  const r = kubectl('hub', ['-n', ns, 'patch', 'pgw', name, '--type', 'merge', '-p', JSON.stringify(patch)]);
  if (r.code !== 0) throw new Error(`patch failed: ${r.stderr}`);
}

/** A gateway serving on both edge sites (paygrid.io/tier=edge), its ledger on cloud-eu. */
export function applyTwoEdgeGateway(ns: string, name: string): void {
  applyYaml(
    'hub',
    `apiVersion: paygrid.io/v1alpha1
kind: PaymentGateway
metadata: { name: ${name}, namespace: ${ns} }
spec:
  authorization:
    image: ghcr.io/paygrid/authorization:0.1.0
    sites: 2
    siteSelector: { matchLabels: { paygrid.io/tier: edge } }
  ledger: { image: ghcr.io/paygrid/ledger:0.1.0, primary: cloud-eu }
`,
  );
}

/** Waits until the gateway is Ready for its current generation, and returns it. */
export function waitReady(ns: string, name: string): Promise<PaymentGateway> {
  return waitFor(`${ns}/${name} Ready`, () => {
    const g = getGateway(ns, name);
    return isReady(g) && g;
  });
}
