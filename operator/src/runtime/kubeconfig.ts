/**
 * Loads the kubeconfig of the cluster the operator runs against, in controller-runtime's order:
 * `--kubeconfig` (or KUBECONFIG; a list joined by ":" is merged, first file's context wins),
 * else the in-cluster service account, else ~/.kube/config. Unlike client-node's
 * `loadFromDefault`, it never falls back to http://localhost:8080: with nothing found it throws.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export const IN_CLUSTER_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface LoadKubeConfigOptions {
  /** For tests: where the in-cluster token would be (default the service account path). */
  inClusterTokenPath?: string;
  /** For tests: the home directory (default os.homedir()). */
  home?: string;
  /** For tests: the in-cluster apiserver env (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

export class KubeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

/** `kubeconfig`: a path or a ":"-separated list of paths (Config.kubeconfig), or undefined. */
export function loadKubeConfig(kubeconfig: string | undefined, opts: LoadKubeConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfig) {
    const files = kubeconfig.split(delimiter).filter((f) => f.length > 0);
    for (const [i, file] of files.entries()) {
      if (!existsSync(file)) throw new KubeConfigError(`kubeconfig ${JSON.stringify(file)} does not exist`);
      if (i === 0) {
        kc.loadFromFile(file);
      } else {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more, true);
      }
    }
  } else {
    const env = opts.env ?? process.env;
    const token = opts.inClusterTokenPath ?? IN_CLUSTER_TOKEN_PATH;
    const home = join(opts.home ?? homedir(), '.kube', 'config');
    if (existsSync(token) && env.KUBERNETES_SERVICE_HOST) {
      kc.loadFromCluster();
    } else if (existsSync(home)) {
      kc.loadFromFile(home);
    } else {
      throw new KubeConfigError(
        'no cluster configuration found: pass --kubeconfig (or set KUBECONFIG), or run in a pod with a service account',
      );
    }
  }
  if (!kc.getCurrentCluster()) {
    throw new KubeConfigError(
      `kubeconfig has no current context/cluster (context ${JSON.stringify(kc.currentContext)})`,
    );
  }
  return kc;
}
