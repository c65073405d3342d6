// The operator's hub identity as the Helm chart makes it: the chart's
// ServiceAccount and RBAC (rendered with helm, applied to the hub) and a
// kubeconfig carrying a token for that ServiceAccount — so suites run the
// operator with exactly the permissions an installed operator has.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { kubeconfigPath, kubectl } from '../testbed/clusters.js';
import { OPERATOR_NAMESPACE, repo } from './install.js';
import { helmBinary } from './tools.js';

export class ChartIdentity {
  private rbacYaml = '';
  /** Directories of the kubeconfigs handed out (each holds a token): removed by uninstall(). */
  private issued: string[] = [];

  /** `release` names the ServiceAccount and RBAC objects (keep it apart from real installs). */
  constructor(readonly release: string) {}

  get serviceAccount(): string {
    return `system:serviceaccount:${OPERATOR_NAMESPACE}:${this.release}`;
  }

  /** Renders the chart's ServiceAccount and RBAC and applies them to the hub. */
  install(): void {
    this.rbacYaml = execFileSync(
      helmBinary(),
      [
        'template',
        this.release,
        join(repo, 'charts', 'paygrid'),
        '--namespace',
        OPERATOR_NAMESPACE,
        '--kube-version',
        '1.35.0',
        '--show-only',
        'templates/serviceaccount.yaml',
        '--show-only',
        'templates/rbac.yaml',
      ],
      { encoding: 'utf8' },
    );
    const r = kubectl('hub', ['apply', '-f', '-'], this.rbacYaml);
    if (r.code !== 0) throw new Error(`applying the chart's RBAC: ${r.stderr}`);
  }

  uninstall(): void {
    if (this.rbacYaml)
      kubectl('hub', ['delete', '-f', '-', '--ignore-not-found', '--wait=false'], this.rbacYaml);
    for (const d of this.issued.splice(0)) rmSync(d, { recursive: true, force: true });
  }

  /** A kubeconfig for the hub that authenticates as the chart's ServiceAccount, and nothing else. */
  kubeconfig(): string {
    const file = serviceAccountKubeconfig(this.release);
    this.issued.push(dirname(file));
    return file;
  }
}

/**
 * A kubeconfig for the hub whose only credential is a token of ServiceAccount `name` in the
 * operator's namespace (TokenRequest, 2 h), alone in a 0700 directory the caller removes.
 */
export function serviceAccountKubeconfig(name: string): string {
  const t = kubectl('hub', ['-n', OPERATOR_NAMESPACE, 'create', 'token', name, '--duration=2h']);
  if (t.code !== 0) throw new Error(`token for ${OPERATOR_NAMESPACE}/${name}: ${t.stderr}`);
  const admin = parse(readFileSync(kubeconfigPath, 'utf8')) as {
    'current-context': string;
    contexts: { name: string; context: { cluster: string } }[];
    clusters: { name: string; cluster: Record<string, string> }[];
  };
  const ctx = admin.contexts.find((c) => c.name === admin['current-context'])!;
  const cluster = admin.clusters.find((c) => c.name === ctx.context.cluster)!;
  const kc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'hub', cluster: cluster.cluster }],
    users: [{ name, user: { token: t.stdout.trim() } }],
    contexts: [{ name: 'hub', context: { cluster: 'hub', user: name } }],
    'current-context': 'hub',
  };
  const file = join(mkdtempSync(join(tmpdir(), 'paygrid-sa-')), 'kubeconfig');
  writeFileSync(file, stringify(kc), { mode: 0o600 });
  return file;
}
