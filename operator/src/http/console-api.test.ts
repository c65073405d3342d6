import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { CloudCluster, EdgeSite, PaymentGateway } from '../api/index.js';
import type { ConsoleSnapshot } from '../console/snapshot.js';
import {
  cloudEu,
  edgeSite,
  failedOverGateway,
  failoverStory,
  SECRET_MARKERS,
} from '../console/testSupport.js';
import { FakeClock } from '../runtime/clock.js';
import { consoleRouter, parseDrillQuery, type ConsoleRouter } from './console-api.js';
import { MemoryInformer } from './testSupport.js';

let server: Server;
let base = '';
let router: ConsoleRouter;
let gateways: MemoryInformer<PaymentGateway>;
let edgeSites: MemoryInformer<EdgeSite>;
let clouds: MemoryInformer<CloudCluster>;
let staticDir = '';

beforeEach(async () => {
  gateways = new MemoryInformer();
  edgeSites = new MemoryInformer();
  clouds = new MemoryInformer();
  for (const s of [edgeSite('edge-a'), edgeSite('edge-b'), edgeSite('edge-c')]) edgeSites.set(s);
  clouds.set(cloudEu);
  gateways.set(failedOverGateway());
  staticDir = mkdtempSync(join(tmpdir(), 'console-ui-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>paygrid console</title>');
  router = consoleRouter({ gateways, edgeSites, cloudClusters: clouds, staticDir, coalesceMs: 5 });
  const app = express();
  app.use('/', router);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  router.close();
  await new Promise((r) => server.close(r));
  rmSync(staticDir, { recursive: true, force: true });
});

/** Reads server-sent events from a real HTTP stream. */
async function* frames(res: Response): AsyncGenerator<{ event: string; data: string }> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
      if (event && data) yield { event, data };
    }
  }
}

describe('console API', () => {
  it('answers the snapshot without Secrets, kubeconfigs, messages or PANs', async () => {
    const res = await fetch(`${base}/api/v1/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    for (const marker of SECRET_MARKERS) expect(text).not.toContain(marker);
    const snap = JSON.parse(text) as ConsoleSnapshot;
    expect(snap.gateways.map((g) => g.serving)).toEqual([['edge-b', 'edge-c']]);
    expect(snap.sites.map((s) => s.name)).toEqual(['edge-a', 'edge-b', 'edge-c', 'cloud-eu']);
  });

  it('streams a snapshot at once, then one push per burst of changes, and unsubscribes on close', async () => {
    const ac = new AbortController();
    const res = await fetch(`${base}/api/v1/console/stream`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const it = frames(res);
    const first = JSON.parse((await it.next()).value!.data) as ConsoleSnapshot;
    expect(first.gateways[0]?.epoch).toBe(3);
    expect(router.activeStreams()).toBe(1);
    // The subscription's replay of the caches coalesces into one push.
    const replay = JSON.parse((await it.next()).value!.data) as ConsoleSnapshot;
    expect(replay.gateways[0]?.epoch).toBe(3);

    // A burst: edge-b lost too, and the gateway's routes move — one frame with both.
    edgeSites.set(edgeSite('edge-b', { health: 'Unreachable' }));
    const gw = failedOverGateway();
    gw.status = {
      ...gw.status,
      epoch: 4,
      routes: [{ member: 'edge-c', endpoint: 'https://edge-c', priority: 0 }],
    };
    gateways.set(gw);
    const next = JSON.parse((await it.next()).value!.data) as ConsoleSnapshot;
    expect(next.gateways[0]).toMatchObject({ epoch: 4, serving: ['edge-c'] });
    expect(next.sites.find((s) => s.name === 'edge-b')?.health).toBe('Unreachable');

    ac.abort();
    await expect(it.next()).rejects.toThrow();
    await waitFor(() => router.activeStreams() === 0);
    // Only the timeline's journal stays subscribed, until the router closes.
    expect(gateways.handlers.size).toBe(1);
    expect(edgeSites.handlers.size).toBe(1);
    router.close();
    expect(gateways.handlers.size).toBe(0);
    expect(edgeSites.handlers.size).toBe(0);
  });

  it('keeps the whole failover story after failback, though no page was open while it happened', async () => {
    gateways.remove('payments/checkout'); // a deleted gateway's story goes with it
    for (const { gateway, edgeA } of failoverStory()) {
      edgeSites.set(edgeA);
      gateways.set(gateway);
    }
    const snap = (await (await fetch(`${base}/api/v1/console`)).json()) as ConsoleSnapshot;
    expect(snap.timeline).toHaveLength(1);
    expect(snap.timeline[0]).toMatchObject({ from: 'edge-a', to: 'edge-c', live: false });
    expect(snap.timeline[0]?.steps.map((s) => s.at)).toEqual([
      '2026-01-01T00:10:02Z',
      '2026-01-01T00:10:04Z',
      '2026-01-01T00:10:04Z',
      '2026-01-01T00:10:07Z',
      '2026-01-01T00:20:00Z',
      '2026-01-01T00:20:09Z',
    ]);
  });

  it('takes the site lost time when it reaches the caches after the Lost placement', async () => {
    const [, detected] = failoverStory();
    gateways.set(detected!.gateway); // edge-a still Healthy in the cache
    edgeSites.set(detected!.edgeA); // now Unreachable since 00:10:02
    edgeSites.set(edgeSite('edge-a', { healthSince: '2026-01-01T00:14:00Z' })); // and back
    const snap = (await (await fetch(`${base}/api/v1/console`)).json()) as ConsoleSnapshot;
    expect(snap.timeline[0]?.steps[0]).toMatchObject({ step: 'lost', at: '2026-01-01T00:10:02Z' });
  });

  it('ends the stream of a client that stops reading instead of buffering without bound', async () => {
    router.close();
    await new Promise((r) => server.close(r));
    const clock = new FakeClock();
    router = consoleRouter({
      gateways,
      edgeSites,
      cloudClusters: clouds,
      clock,
      coalesceMs: 1,
      maxBufferedBytes: 1,
    });
    const app = express();
    app.use('/', router);
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    // Big snapshots fill the socket buffers quickly.
    for (let i = 0; i < 300; i++) gateways.set(failedOverGateway(`gw-${i}`));
    const socket = connect(port, '127.0.0.1');
    socket.write(`GET /api/v1/console/stream HTTP/1.1\r\nHost: x\r\n\r\n`);
    socket.pause(); // never reads
    await waitFor(() => router.activeStreams() === 1);
    for (let i = 0; i < 400 && router.activeStreams() > 0; i++) {
      gateways.set(failedOverGateway(`gw-${i % 300}`, { serving: i % 2 === 0 }));
      await clock.advance(1); // one coalesced push per round
      await new Promise((r) => setImmediate(r)); // let the socket take what it can
    }
    expect(router.activeStreams()).toBe(0);
    expect(gateways.handlers.size).toBe(1); // the timeline's journal
    socket.destroy();
  });

  it('previews a drill with the CLI function, and names the bad parameter', async () => {
    const ok = await fetch(`${base}/api/v1/console/drill?site=edge-b&kind=EdgeSite`);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { ok: boolean; text: string };
    expect(body.text).toMatch(/^drill: EdgeSite edge-b .*fails now/);
    expect(body.text).toMatch(/This was a drill: nothing was changed\./);

    const missing = await fetch(`${base}/api/v1/console/drill?site=nowhere`);
    expect(missing.status).toBe(404);
    const bad = await fetch(`${base}/api/v1/console/drill?site=Edge_B`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^site /);
    expect(() => parseDrillQuery({ site: 'edge-a', kind: 'Pod' })).toThrow(/kind must be/);
    expect(() => parseDrillQuery({})).toThrow(/site is required/);
  });

  it('is read-only, answers 503 before the caches load, and serves the page with a strict CSP', async () => {
    expect((await fetch(`${base}/api/v1/console`, { method: 'POST' })).status).toBe(405);
    const page = await fetch(`${base}/ui/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('paygrid console');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const redirect = await fetch(`${base}/ui`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    gateways.synced = false;
    const early = await fetch(`${base}/api/v1/console/stream`);
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('1');
  });
});

/** Waits for a condition the server reaches asynchronously (a closed socket), checking per tick. */
async function waitFor(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !ok(); i++) await new Promise((r) => setImmediate(r));
  expect(ok()).toBe(true);
}
