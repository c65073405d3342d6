// What an SRE does before the operator can act, done the same way by the
// suites and by `make demo`: install the CRDs, give paygrid its least-privilege
// identity on each member (charts/paygrid/member-rbac.yaml and member-policy.yaml),
// put a kubeconfig for that identity in a Secret in the operator's namespace,
// apply the EdgeSite/CloudCluster resources from examples/.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import {
  MEMBERS,
  contextOf,
  kubeconfigPath,
  kubectl,
  memberKubeconfigPath,
  type TestbedMember,
} from '../testbed/clusters.js';
import { hasRealNodes, realDatabaseUrls, realMemberPatch } from '../testbed/real-nodes.js';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const OPERATOR_NAMESPACE = 'paygrid-system';

/** A field of the operator's leader Lease on the hub's spec ('' when unset). */
export function leaderLeaseField(field: 'holderIdentity' | 'acquireTime'): string {
  return kubectl('hub', [
    '-n',
    OPERATOR_NAMESPACE,
    'get',
    'lease',
    'paygrid-operator-leader',
    '-o',
    `jsonpath={.spec.${field}}`,
  ]).stdout;
}

/** Who holds the operator's leader Lease on the hub ('' when nobody does): `<pod>_<uid>`. */
export const leaderLeaseHolder = (): string => leaderLeaseField('holderIdentity');

export function must(what: string, r: { code: number; stdout: string; stderr: string }): string {
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

/** Where member-rbac.yaml puts paygrid's identity on a member, and the Secret holding its token. */
export const MEMBER_IDENTITY = {
  namespace: 'paygrid-system',
  serviceAccount: 'paygrid',
  tokenSecret: 'paygrid-member-token',
} as const;

/**
 * The chart README's "Register a member" steps 1 and 2 on one member: apply member-rbac.yaml and
 * member-policy.yaml there, wait for the token controller to fill the token Secret, and return a
 * kubeconfig that reaches the member through its fault proxy with that token as its only
 * credential. Every suite's operator thus acts on members with exactly the shipped permissions.
 */
export function memberIdentityKubeconfig(m: TestbedMember): string {
  const chart = join(repo, 'charts', 'paygrid');
  for (const f of ['member-rbac.yaml', 'member-policy.yaml']) {
    must(`apply ${f} on ${m}`, kubectl(m, ['apply', '-f', join(chart, f)]));
  }
  const { namespace, tokenSecret } = MEMBER_IDENTITY;
  // The token controller fills the Secret shortly after it is created.
  must(
    `${m}: the token controller to fill ${namespace}/${tokenSecret}`,
    kubectl(m, [
      '-n',
      namespace,
      'wait',
      '--for=jsonpath={.data.token}',
      '--timeout=60s',
      `secret/${tokenSecret}`,
    ]),
  );
  const encoded = must(
    `${m}: read the member token`,
    kubectl(m, ['-n', namespace, 'get', 'secret', tokenSecret, '-o', 'jsonpath={.data.token}']),
  );
  const token = Buffer.from(encoded, 'base64').toString();
  const viaProxy = parse(readFileSync(memberKubeconfigPath(m), 'utf8')) as {
    clusters: { name: string; cluster: Record<string, string> }[];
  };
  const cluster = viaProxy.clusters[0]!.cluster;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: m, cluster }],
    users: [{ name: 'paygrid', user: { token } }],
    contexts: [{ name: m, context: { cluster: m, user: 'paygrid' } }],
    'current-context': m,
  });
}

/** The operator-namespace Secret holding a member's kubeconfig, as JSON for kubectl apply. */
export function memberSecretJson(m: TestbedMember, kubeconfig: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: memberSecretName(m),
      namespace: OPERATOR_NAMESPACE,
      labels: { 'paygrid.io/member': m },
    },
    type: 'Opaque',
    data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') },
  });
}

export function registerMemberSecrets(): void {
  ensureNamespace(OPERATOR_NAMESPACE);
  for (const m of MEMBERS) {
    const secret = memberSecretJson(m, memberIdentityKubeconfig(m));
    must(`secret for ${m}`, kubectl('hub', ['apply', '--server-side', '-f', '-'], secret));
  }
}

export function applyMembers(): void {
  for (const f of ['edgesite-edge-a.yaml', 'edgesite-edge-b.yaml', 'cloudcluster-cloud-eu.yaml']) {
    must(`apply ${f}`, kubectl('hub', ['apply', '-f', join(repo, 'examples', f)]));
  }
  // On real nodes (PAYGRID_REAL_NODES=1): payment pods go to each member's real node and its
  // endpoint is the node's address, as an SRE registering dedicated payment nodes would set.
  if (!hasRealNodes()) return;
  for (const m of MEMBERS) {
    const kind = m === 'cloud-eu' ? 'cloudcluster' : 'edgesite';
    const patch = JSON.stringify(realMemberPatch(m));
    must(`real node of ${m}`, kubectl('hub', ['patch', kind, m, '--type=merge', '-p', patch]));
  }
}

const memberKind = (m: TestbedMember) => (m.startsWith('cloud-') ? 'cloudcluster' : 'edgesite');

/**
 * Registers a spare member (SPARE_MEMBERS: a testbed cluster no baseline registers) as
 * registerMemberSecrets and applyMembers do the others: its kubeconfig Secret, its example
 * (examples/cloudcluster-cloud-us.yaml) and, on real nodes, its real node. For the suite that
 * needs it; unregisterSpareMember undoes it.
 */
export function registerSpareMember(m: TestbedMember): void {
  ensureNamespace(OPERATOR_NAMESPACE);
  const secret = memberSecretJson(m, memberIdentityKubeconfig(m));
  must(`secret for ${m}`, kubectl('hub', ['apply', '--server-side', '-f', '-'], secret));
  const f = `${memberKind(m)}-${m}.yaml`;
  must(`apply ${f}`, kubectl('hub', ['apply', '-f', join(repo, 'examples', f)]));
  if (!hasRealNodes()) return;
  const patch = JSON.stringify(realMemberPatch(m));
  must(`real node of ${m}`, kubectl('hub', ['patch', memberKind(m), m, '--type=merge', '-p', patch]));
}

/** Removes what registerSpareMember made on the hub (the member's resource, then its Secret). */
export function unregisterSpareMember(m: TestbedMember): void {
  must(
    `delete ${memberKind(m)} ${m}`,
    kubectl('hub', ['delete', memberKind(m), m, '--ignore-not-found', '--timeout=120s']),
  );
  must(
    `delete secret for ${m}`,
    kubectl('hub', ['-n', OPERATOR_NAMESPACE, 'delete', 'secret', memberSecretName(m), '--ignore-not-found']),
  );
}

/**
 * The Secrets examples/paymentgateway.yaml names, made by examples/create-secrets.sh as the README
 * says. On KWOK pods nothing connects: the database URLs name no real host; on real nodes they are
 * the testbed's PostgreSQL.
 */
export function createExampleSecrets(): void {
  try {
    execFileSync('bash', [join(repo, 'examples', 'create-secrets.sh')], {
      env: {
        ...process.env,
        KUBECONFIG: kubeconfigPath,
        KUBE_CONTEXT: contextOf('hub'),
        LEDGER_DATABASE_URL: 'postgres://ledger:demo@ledger-db.invalid:5432/ledger',
        ANALYTICS_DATABASE_URL: 'postgres://analytics:demo@analytics-db.invalid:5432/analytics',
        ...(hasRealNodes() ? realDatabaseUrls() : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    throw new Error(`examples/create-secrets.sh failed: ${e.stderr || e.stdout}`);
  }
}

export function applyExampleGateway(): void {
  must('apply namespace', kubectl('hub', ['apply', '-f', join(repo, 'examples', 'namespace.yaml')]));
  createExampleSecrets();
  must('apply gateway', kubectl('hub', ['apply', '-f', join(repo, 'examples', 'paymentgateway.yaml')]));
}
