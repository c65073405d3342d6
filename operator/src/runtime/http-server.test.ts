import express from 'express';
import { Checks, createHttpApp, type HttpServerHandle, listen, syncedCheck } from './http-server.js';
import { RuntimeMetrics } from './metrics.js';

const servers: HttpServerHandle[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(100)));
});

async function serve(app: express.Express): Promise<string> {
  const handle = await listen(app, { host: '127.0.0.1', port: 0 });
  servers.push(handle);
  return `http://127.0.0.1:${handle.port}`;
}

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('http server', () => {
  it('answers /healthz while the event loop runs', async () => {
    const base = await serve(createHttpApp());
    expect(await get(`${base}/healthz`)).toMatchObject({ status: 200, body: 'ok' });
    expect((await get(`${base}/healthz?verbose`)).body).toBe('[+]ping ok\nhealthz check passed\n');
  });

  it('is not ready until every informer has synced, like controller-runtime', async () => {
    const informers = [
      { name: 'PaymentGateway@hub', synced: true },
      { name: 'EdgeSite@hub', synced: false },
    ].map((i) => ({ name: i.name, hasSynced: () => i.synced, i }));
    const readyz = new Checks().add(
      'informers',
      syncedCheck(() => informers),
    );
    const base = await serve(createHttpApp({ readyz }));

    const notReady = await get(`${base}/readyz`);
    expect(notReady.status).toBe(500);
    expect(notReady.body).toBe('[-]informers failed: reason withheld\nreadyz check failed\n');
    expect((await get(`${base}/readyz?verbose`)).body).toBe(
      '[-]informers failed: not synced: EdgeSite@hub\nreadyz check failed\n',
    );
    expect((await get(`${base}/readyz/informers`)).status).toBe(500);
    expect((await get(`${base}/readyz?exclude=informers`)).status).toBe(200);

    (informers[1] as { i: { synced: boolean } }).i.synced = true;
    expect(await get(`${base}/readyz`)).toMatchObject({ status: 200, body: 'ok' });
    expect((await get(`${base}/readyz?verbose=1`)).body).toBe('[+]informers ok\nreadyz check passed\n');
    expect((await get(`${base}/readyz/nope`)).status).toBe(404);
  });

  it('treats a throwing or false check as failed', async () => {
    const readyz = new Checks().add('leader', () => false).add('cache', () => Promise.reject(new Error('x')));
    const base = await serve(createHttpApp({ readyz }));
    const res = await get(`${base}/readyz?verbose`);
    expect(res.status).toBe(500);
    expect(res.body).toContain('[-]leader failed: check failed');
    expect(res.body).toContain('[-]cache failed: x');
  });

  it('serves /metrics in the Prometheus text format', async () => {
    const metrics = new RuntimeMetrics();
    metrics.initController('gateways', 4);
    const base = await serve(createHttpApp({ registry: metrics.registry }));
    const res = await get(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    expect(res.body).toContain(
      'controller_runtime_reconcile_total{controller="gateways",result="success"} 0',
    );
    expect(res.body).toContain('controller_runtime_max_concurrent_reconciles{controller="gateways"} 4');
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });

  it('mounts extra routers', async () => {
    const router = express.Router();
    router.get('/routes/:gw', (req, res) => {
      res.json({ gateway: req.params.gw });
    });
    const base = await serve(createHttpApp({ routers: [{ path: '/api/v1', router }] }));
    expect(JSON.parse((await get(`${base}/api/v1/routes/checkout`)).body)).toEqual({ gateway: 'checkout' });
  });

  it('close() lets an in-flight request finish, then stops listening', async () => {
    let release: () => void = () => {};
    const app = createHttpApp();
    app.get('/slow', (_req, res) => {
      release = () => res.send('done');
    });
    const handle = await listen(app, { host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${handle.port}`;
    const inFlight = get(`${base}/slow`);
    await new Promise((r) => setTimeout(r, 20)); // let the request reach the handler (real socket)
    const closing = handle.close(5_000);
    release();
    expect((await inFlight).body).toBe('done');
    await closing;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('close() cuts connections left open after the timeout', async () => {
    const app = createHttpApp();
    app.get('/hang', () => {});
    const handle = await listen(app, { host: '127.0.0.1', port: 0 });
    const hanging = fetch(`http://127.0.0.1:${handle.port}/hang`).catch(() => 'cut');
    await new Promise((r) => setTimeout(r, 20));
    await handle.close(50);
    expect(await hanging).toBe('cut');
  });

  it('rejects when the port is taken', async () => {
    const first = await listen(createHttpApp(), { host: '127.0.0.1', port: 0 });
    servers.push(first);
    await expect(listen(createHttpApp(), { host: '127.0.0.1', port: first.port })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });

  it('rejects bad check names and duplicates', () => {
    const checks = new Checks().add('informers', () => true);
    expect(() => checks.add('informers', () => true)).toThrow(/already/);
    expect(() => checks.add('Bad Name', () => true)).toThrow(/kebab/);
  });
});
