// Which pods a site's endpoint forwards to: the testbed has no kube-proxy and no load balancer, so
// each real site gets this small TCP one in front of the pods of one component (pure part).
import type { V1Pod } from '@kubernetes/client-node';

export interface Target {
  readonly host: string;
  readonly port: number;
}

/** Ready, running, not terminating pods with an IP, by pod name (a stable order). */
export function readyTargets(pods: readonly V1Pod[], port: number): Target[] {
  return pods
    .filter(
      (p) =>
        p.status?.phase === 'Running' &&
        !!p.status.podIP &&
        !p.metadata?.deletionTimestamp &&
        (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    )
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
    .map((p) => ({ host: p.status!.podIP!, port }));
}

/** Round robin over the current targets; undefined when there is none. */
export function pick(targets: readonly Target[], counter: number): Target | undefined {
  return targets.length === 0 ? undefined : targets[counter % targets.length];
}

/** One path rule of an endpoint that routes by path (a cloud site: the ledger and authorization). */
export interface PathRoute {
  readonly prefix: string;
  readonly component: string;
}

/** `PREFIX=COMPONENT` (from --route), checked: the prefix a path, the component a label value. */
export function parseRoute(text: string): PathRoute {
  const at = text.indexOf('=');
  const prefix = text.slice(0, at);
  const component = text.slice(at + 1);
  if (at < 0 || !prefix.startsWith('/') || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(component)) {
    throw new Error(`--route must be PREFIX=COMPONENT, like /v1/authorizations=authorization; got "${text}"`);
  }
  return { prefix, component };
}

/**
 * The component a request path goes to: the longest prefix that matches on a path-segment
 * boundary (/v1/authorizations matches /v1/authorizations/x/capture, not /v1/authorizationsx).
 */
export function routeFor(routes: readonly PathRoute[], path: string): string | undefined {
  const pathname = path.split('?')[0] ?? path;
  let best: PathRoute | undefined;
  for (const r of routes) {
    const base = r.prefix.endsWith('/') ? r.prefix.slice(0, -1) : r.prefix;
    const matches = base === '' || pathname === base || pathname.startsWith(`${base}/`);
    if (matches && (best === undefined || r.prefix.length > best.prefix.length)) best = r;
  }
  return best?.component;
}
