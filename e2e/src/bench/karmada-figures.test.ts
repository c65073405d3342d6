import {
  availableDeployments,
  cpuSeconds,
  isHeartbeat,
  memoryMiB,
  sum,
  writesBetween,
  writesByResource,
} from './karmada-figures.js';

const metrics = (deployPatches: number) => `# HELP apiserver_request_total x
# TYPE apiserver_request_total counter
apiserver_request_total{code="200",component="apiserver",dry_run="",group="apps",resource="deployments",scope="resource",subresource="",verb="PATCH",version="v1"} ${deployPatches}
apiserver_request_total{code="201",component="apiserver",dry_run="",group="apps",resource="deployments",scope="resource",subresource="",verb="POST",version="v1"} 5
apiserver_request_total{code="200",component="apiserver",dry_run="",group="apps",resource="deployments",scope="namespace",subresource="",verb="LIST",version="v1"} 900
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="nodes",scope="resource",subresource="status",verb="APPLY",version="v1"} 40
apiserver_request_total{code="200",component="apiserver",dry_run="",group="work.karmada.io",resource="works",scope="resource",subresource="status",verb="PUT",version="v1alpha1"} 7
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="WATCH",version="v1"} 3
`;

describe('writesByResource', () => {
  it('counts only write verbs, server-side apply included, by group/resource', () => {
    const w = writesByResource(metrics(10));
    expect(Object.fromEntries(w)).toEqual({ 'apps/deployments': 15, nodes: 40, 'work.karmada.io/works': 7 });
  });

  it('writesBetween keeps what grew, and heartbeats can be told apart', () => {
    const d = writesBetween(writesByResource(metrics(10)), writesByResource(metrics(13)));
    expect(Object.fromEntries(d)).toEqual({ 'apps/deployments': 3 });
    expect(sum(d)).toBe(3);
    expect(isHeartbeat('nodes')).toBe(true);
    expect(isHeartbeat('coordination.k8s.io/leases')).toBe(true);
    expect(isHeartbeat('work.karmada.io/works')).toBe(false);
  });
});

describe('/proc figures', () => {
  it('reads utime + stime after a comm holding spaces and parentheses', () => {
    const stat =
      '4242 (karmada (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 12 0 99 1000 200';
    expect(cpuSeconds(stat)).toBe(4);
  });

  it('rejects a text that is not a stat line', () => {
    expect(() => cpuSeconds('nonsense')).toThrow(/stat/);
  });

  it('reads VmRSS and VmHWM in MiB', () => {
    expect(memoryMiB('Name:\tx\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n')).toEqual({
      rss: 100,
      peak: 200,
    });
    expect(() => memoryMiB('Name: x\n')).toThrow(/VmRSS/);
  });
});

describe('availableDeployments', () => {
  it('keeps Deployments whose available replicas reach the wanted count', () => {
    expect(availableDeployments('a 2\nb 1\nc \nd 3\n\n', 2)).toEqual(['a', 'd']);
  });
});
