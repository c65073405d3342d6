// What `make tools` put in the cache (e2e/testbed/build-tools.sh), at the versions pinned in
// e2e/testbed/versions.env.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repo } from './install.js';

const toolsDir = join(process.env.PAYGRID_CACHE ?? join(homedir(), '.cache', 'paygrid'), 'tools');

/** A version pinned in versions.env, e.g. pinnedVersion('HELM_VERSION') → 'v3.22.0'. */
export function pinnedVersion(key: string): string {
  const versions = readFileSync(join(repo, 'e2e', 'testbed', 'versions.env'), 'utf8');
  const v = new RegExp(`^${key}=(\\S+)`, 'm').exec(versions)?.[1];
  if (!v) throw new Error(`${key} is not set in e2e/testbed/versions.env`);
  return v;
}

export function helmBinary(): string {
  return process.env.PAYGRID_HELM ?? join(toolsDir, `helm-${pinnedVersion('HELM_VERSION')}`, 'helm');
}

/** The Prometheus Operator's ServiceMonitor CRD and cert-manager's Certificate/Issuer CRDs. */
export function thirdPartyCrdsDir(): string {
  return join(
    toolsDir,
    `thirdparty-crds-prometheus-operator-${pinnedVersion('PROMETHEUS_OPERATOR_VERSION')}` +
      `+cert-manager-${pinnedVersion('CERT_MANAGER_VERSION')}`,
  );
}
