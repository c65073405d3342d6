import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { CloudCluster, EdgeSite, PaymentGateway, Route } from '../api/index.js';
import type { HubInformers } from '../controllers/hub-informers.js';
import { FakeClock } from '../runtime/clock.js';
import { MemoryInformer } from './testSupport.js';
import {
  parseIfNoneMatch,
  parseRoutesRequest,
  routesETag,
  routesRouter,
  type RoutesRouter,
} from './routes-api.js';

function gw(
  name: string,
  routes: Route[],
  epoch: number,
  extra: { generation?: number; observedGeneration?: number } = {},
): PaymentGateway {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'PaymentGateway',
    metadata: { namespace: 'payments', name, generation: extra.generation ?? 1 },
    spec: {
      authorization: { image: 'ghcr.io/paygrid/authorization:0.1.0' },
      ledger: { image: 'ghcr.io/paygrid/ledger:0.1.0', primary: 'cloud-eu' },
    },
    status: { epoch, routes, observedGeneration: extra.observedGeneration ?? 1 },
  };
}

const route = (member: string, priority: number): Route => ({
  member,
  endpoint: `https://${member}.pay.example.com`,
  priority,
});

function site(name: string, opts: { health?: string; ready?: boolean; cordoned?: boolean } = {}): EdgeSite {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'EdgeSite',
    metadata: { name },
    spec: {
      region: 'eu-west',
      zone: `${name}-zone`,
      endpoint: `https://${name}.pay.example.com`,
      kubeconfigSecretRef: { name: `paygrid-member-${name}-secret-ref` },
      ...(opts.cordoned ? { cordoned: true } : {}),
    },
    status: {
      health: (opts.health ?? 'Healthy') as 'Healthy',
      conditions: [
        {
          type: 'Ready',
          status: opts.ready === false ? 'False' : 'True',
          reason: opts.ready === false ? 'ProbeFailed' : 'Healthy',
          message: 'dial tcp 10.0.0.7:6443: connection refused',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
        {
          type: 'Reachable',
          status: 'True',
          reason: 'ProbeSucceeded',
          message: '',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
      placements: 1,
      kubernetesVersion: 'v1.33.4+k3s1',
      lastProbeTime: '2026-01-01T00:00:05Z',
      lastProbeLatencyMilliseconds: 12,
    },
  };
}

const cloud: CloudCluster = {
  apiVersion: 'paygrid.io/v1alpha1',
  kind: 'CloudCluster',
  metadata: { name: 'cloud-eu' },
  spec: { region: 'eu-west', provider: 'aws' },
  status: { health: 'Unreachable', conditions: [] },
};

let server: Server;
let base = '';
let gateways: MemoryInformer<PaymentGateway>;
let edgeSites: MemoryInformer<EdgeSite>;
let clouds: MemoryInformer<CloudCluster>;
let router: RoutesRouter;
let clock: FakeClock | undefined;

async function start(opts: { fakeClock?: boolean; maxWatches?: number } = {}): Promise<void> {
  gateways = new MemoryInformer();
  edgeSites = new MemoryInformer();
  clouds = new MemoryInformer();
  gateways.set(gw('checkout', [route('edge-a', 0), route('edge-b', 1)], 3));
  edgeSites.set(site('edge-b', { health: 'Unreachable', ready: false }));
  edgeSites.set(site('edge-a', { cordoned: true }));
  clouds.set(cloud);
  clock = opts.fakeClock ? new FakeClock(0) : undefined;
  router = routesRouter({
    gateways,
    edgeSites,
    cloudClusters: clouds,
    ...(clock ? { clock } : {}),
    ...(opts.maxWatches ? { maxWatches: opts.maxWatches } : {}),
  });
  const app = express();
  app.use(router);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(): Promise<void> {
  router.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

const ROUTES = '/api/v1/namespaces/payments/paymentgateways/checkout/routes';

async function get(path: string, headers: Record<string, string> = {}, signal?: AbortSignal) {
  const res = await fetch(`${base}${path}`, { headers, ...(signal ? { signal } : {}) });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, any>) : undefined, // eslint-disable-line @typescript-eslint/no-explicit-any
  };
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('routes API', () => {
  beforeEach(() => start());
  afterEach(() => stop());

  it('serves the routes in status order, with the epoch, generations and an ETag', async () => {
    const res = await get(ROUTES);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toBe(routesETag(gateways.get('payments/checkout')!));
    expect(res.body).toEqual({
      gateway: { namespace: 'payments', name: 'checkout' },
      epoch: 3,
      routes: [
        { member: 'edge-a', endpoint: 'https://edge-a.pay.example.com', priority: 0 },
        { member: 'edge-b', endpoint: 'https://edge-b.pay.example.com', priority: 1 },
      ],
      generation: 1,
      observedGeneration: 1,
    });
  });

  it('answers 304 to a matching If-None-Match, 200 to another', async () => {
    const etag = (await get(ROUTES)).headers.get('etag')!;
    const same = await get(ROUTES, { 'If-None-Match': etag });
    expect(same.status).toBe(304);
    expect(same.headers.get('etag')).toBe(etag);
    expect(same.headers.get('cache-control')).toBe('no-store');
    expect((await get(ROUTES, { 'If-None-Match': `"other", W/${etag}` })).status).toBe(304);
    expect((await get(ROUTES, { 'If-None-Match': '*' })).status).toBe(304);
    expect((await get(ROUTES, { 'If-None-Match': '"other"' })).status).toBe(200);
  });

  it('keeps the ETag while epoch and routes stay, and changes it when either changes', async () => {
    const etag = (await get(ROUTES)).headers.get('etag');
    gateways.set(gw('checkout', [route('edge-a', 0), route('edge-b', 1)], 3, { generation: 2 }));
    expect((await get(ROUTES)).headers.get('etag')).toBe(etag);
    gateways.set(gw('checkout', [route('edge-a', 0), route('edge-b', 1)], 4));
    const byEpoch = (await get(ROUTES)).headers.get('etag');
    expect(byEpoch).not.toBe(etag);
    gateways.set(gw('checkout', [route('edge-b', 0), route('edge-a', 1)], 4));
    const byOrder = (await get(ROUTES)).headers.get('etag');
    expect(byOrder).not.toBe(byEpoch);
  });

  it('answers 404 with a JSON error for an unknown gateway', async () => {
    const res = await get('/api/v1/namespaces/payments/paymentgateways/nope/routes');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'NotFound', message: 'PaymentGateway payments/nope not found' });
  });

  it.each([
    ['?watch=true&timeoutSeconds=0', 'timeoutSeconds must be an integer between 1 and 300'],
    ['?watch=true&timeoutSeconds=301', 'timeoutSeconds must be an integer between 1 and 300'],
    ['?watch=true&timeoutSeconds=1.5', 'timeoutSeconds must be an integer between 1 and 300'],
    ['?watch=true&timeoutSeconds=abc', 'timeoutSeconds must be an integer between 1 and 300'],
    ['?watch=true&timeoutSeconds=1&timeoutSeconds=2', 'timeoutSeconds must be given at most once'],
    ['?watch=maybe', 'watch must be true or false'],
    ['?etag=a%20b', 'etag must be one entity tag, as returned in the ETag header'],
  ])('answers 400 naming the parameter for %s', async (query, message) => {
    const res = await get(`${ROUTES}${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'BadRequest', message });
  });

  it('answers 400 for a namespace that is not a DNS label', async () => {
    const res = await get('/api/v1/namespaces/Payments_1/paymentgateways/checkout/routes');
    expect(res.status).toBe(400);
    expect(res.body?.message).toMatch(/^namespace /);
  });

  it('is read-only', async () => {
    const res = await fetch(`${base}${ROUTES}`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 503 until the cache has synced', async () => {
    gateways.synced = false;
    const res = await get(ROUTES);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
  });

  it('long-poll: answers at once when the client has another ETag or none', async () => {
    const t0 = Date.now();
    const res = await get(`${ROUTES}?watch=true&timeoutSeconds=60`, { 'If-None-Match': '"stale"' });
    expect(res.status).toBe(200);
    expect((await get(`${ROUTES}?watch=true`)).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('long-poll: answers as soon as the routes change', async () => {
    const etag = (await get(ROUTES)).headers.get('etag')!;
    const pending = get(`${ROUTES}?watch=true&timeoutSeconds=60`, { 'If-None-Match': etag });
    await until(() => router.activeWatches() === 1);
    // A change that leaves the routes alone does not answer.
    gateways.set(gw('checkout', [route('edge-a', 0), route('edge-b', 1)], 3, { observedGeneration: 2 }));
    await new Promise((r) => setTimeout(r, 50));
    expect(router.activeWatches()).toBe(1);
    const t0 = Date.now();
    gateways.set(gw('checkout', [route('edge-b', 0)], 4));
    const res = await pending;
    expect(Date.now() - t0).toBeLessThan(500);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ epoch: 4, routes: [{ member: 'edge-b', priority: 0 }] });
    expect(res.headers.get('etag')).not.toBe(etag);
    expect(router.activeWatches()).toBe(0);
    expect(gateways.handlers.size).toBe(0);
  });

  it('long-poll: takes the ETag from the etag parameter too', async () => {
    const etag = (await get(ROUTES)).headers.get('etag')!;
    const pending = get(`${ROUTES}?watch=true&timeoutSeconds=60&etag=${encodeURIComponent(etag)}`);
    await until(() => router.activeWatches() === 1);
    gateways.set(gw('checkout', [route('edge-a', 0)], 4));
    expect((await pending).status).toBe(200);
  });

  it('long-poll: times out with 304 and the same ETag', async () => {
    const etag = (await get(ROUTES)).headers.get('etag')!;
    const t0 = Date.now();
    const res = await get(`${ROUTES}?watch=true&timeoutSeconds=1`, { 'If-None-Match': etag });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(router.activeWatches()).toBe(0);
  });

  it('long-poll: answers 404 when the gateway is deleted meanwhile', async () => {
    const etag = (await get(ROUTES)).headers.get('etag')!;
    const pending = get(`${ROUTES}?watch=true`, { 'If-None-Match': etag });
    await until(() => router.activeWatches() === 1);
    gateways.remove('payments/checkout');
    const res = await pending;
    expect(res.status).toBe(404);
    expect(res.body?.error).toBe('NotFound');
  });

  it('long-poll: leaves no listener behind after many aborted requests', async () => {
    const etag = (await get(ROUTES)).headers.get('etag')!;
    const aborts: AbortController[] = [];
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const ac = new AbortController();
      aborts.push(ac);
      pending.push(
        get(`${ROUTES}?watch=true&timeoutSeconds=300`, { 'If-None-Match': etag }, ac.signal).catch((e) => e),
      );
    }
    await until(() => router.activeWatches() === 200, 5000);
    expect(gateways.handlers.size).toBe(1);
    for (const ac of aborts) ac.abort();
    await Promise.all(pending);
    await until(() => router.activeWatches() === 0, 5000);
    expect(gateways.handlers.size).toBe(0);
    // Still serves, and a later change finds no stale waiter.
    gateways.set(gw('checkout', [route('edge-a', 0)], 9));
    expect((await get(ROUTES)).body?.epoch).toBe(9);
  });

  it('close() answers every held long-poll with 304', async () => {
    const etag = (await get(ROUTES)).headers.get('etag')!;
    const pending = [1, 2, 3].map(() => get(`${ROUTES}?watch=true`, { 'If-None-Match': etag }));
    await until(() => router.activeWatches() === 3);
    router.close();
    expect((await Promise.all(pending)).map((r) => r.status)).toEqual([304, 304, 304]);
    expect(gateways.handlers.size).toBe(0);
  });

  it('serves the sites, EdgeSites then CloudClusters by name, without secrets or messages', async () => {
    const res = await get('/api/v1/sites');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      sites: [
        {
          kind: 'EdgeSite',
          name: 'edge-a',
          region: 'eu-west',
          zone: 'edge-a-zone',
          health: 'Healthy',
          healthSince: null,
          ready: true,
          reachable: true,
          reason: 'Healthy',
          cordoned: true,
          placements: 1,
          endpoint: 'https://edge-a.pay.example.com',
          kubernetesVersion: 'v1.33.4+k3s1',
          lastProbeTime: '2026-01-01T00:00:05Z',
          lastProbeLatencyMilliseconds: 12,
        },
        expect.objectContaining({
          name: 'edge-b',
          health: 'Unreachable',
          ready: false,
          reason: 'ProbeFailed',
        }),
        {
          kind: 'CloudCluster',
          name: 'cloud-eu',
          region: 'eu-west',
          zone: null,
          health: 'Unreachable',
          healthSince: null,
          ready: false,
          reachable: false,
          reason: null,
          cordoned: false,
          placements: 0,
          endpoint: null,
          kubernetesVersion: null,
          lastProbeTime: null,
          lastProbeLatencyMilliseconds: null,
        },
      ],
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('secret-ref');
    expect(text).not.toContain('10.0.0.7');
    const etag = res.headers.get('etag')!;
    expect((await get('/api/v1/sites', { 'If-None-Match': etag })).status).toBe(304);
    edgeSites.set(site('edge-b'));
    expect((await get('/api/v1/sites', { 'If-None-Match': etag })).status).toBe(200);
  });
});

describe('routes API with a fake clock', () => {
  afterEach(() => stop());

  it('long-poll: the default timeout is 30 seconds', async () => {
    await start({ fakeClock: true });
    const etag = (await get(ROUTES)).headers.get('etag')!;
    let answered = false;
    const pending = get(`${ROUTES}?watch=true`, { 'If-None-Match': etag }).then((r) => {
      answered = true;
      return r;
    });
    await until(() => router.activeWatches() === 1);
    await clock!.advance(29_000);
    await new Promise((r) => setTimeout(r, 30));
    expect(answered).toBe(false);
    await clock!.advance(1_000);
    expect((await pending).status).toBe(304);
    expect(clock!.pendingTimers()).toBe(0);
  });

  it('caps the long-polls held at once', async () => {
    await start({ fakeClock: true, maxWatches: 2 });
    const etag = (await get(ROUTES)).headers.get('etag')!;
    const held = [1, 2].map(() => get(`${ROUTES}?watch=true`, { 'If-None-Match': etag }));
    await until(() => router.activeWatches() === 2);
    const third = await get(`${ROUTES}?watch=true`, { 'If-None-Match': etag });
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    router.close();
    await Promise.all(held);
  });
});

describe('routesRouter deps', () => {
  it("take the hub's informers as they are", () => {
    // A compile-time check: the operator wires its HubInformers in directly.
    const wire = (hub: HubInformers) =>
      routesRouter({ gateways: hub.gateways, edgeSites: hub.edgeSites, cloudClusters: hub.cloudClusters });
    expect(typeof wire).toBe('function');
  });
});

describe('parseRoutesRequest', () => {
  const p = { namespace: 'payments', name: 'checkout' };
  it('defaults', () => {
    expect(parseRoutesRequest(p, {}, undefined)).toEqual({
      watch: false,
      timeoutSeconds: 30,
      clientTags: [],
    });
  });
  it('prefers the etag parameter and quotes it', () => {
    expect(parseRoutesRequest(p, { etag: 'abc' }, '"x"').clientTags).toEqual(['"abc"']);
    expect(parseRoutesRequest(p, { etag: 'W/"abc"' }, undefined).clientTags).toEqual(['"abc"']);
  });
  it('parses If-None-Match lists', () => {
    expect(parseIfNoneMatch('"a", W/"b"')).toEqual(['"a"', '"b"']);
    expect(parseIfNoneMatch(' * ')).toBe('*');
  });
});
