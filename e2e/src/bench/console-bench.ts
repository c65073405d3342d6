/// <reference lib="dom" />
// The console page at 1,000 gateways (issue 13), run as
//   BENCH_N=1000 BENCH_RUNS=10 node e2e/dist/bench/console-bench.js        (make bench-console)
// The operator's own console router (operator/src/http/console-api.ts) and built page
// (operator/dist/console-ui) over real HTTP and server-sent events, in real Chromium (Debian's,
// driven by playwright-core). The router reads informer caches; here they are in-memory stores
// holding BENCH_N gateways shaped as the operator writes their status (four placements, four
// conditions, a failover on every tenth), so the figures are the page's, not a testbed's.
// Per run, in a fresh browser context, it measures:
//   - first render: navigation start → the first page of the list in the DOM, and → the next frame;
//   - search and filter: a key press (input event) or a filter change → the list re-rendered and
//     laid out, and → the next frame;
//   - a live update: the operator's push (one gateway changed) → the page parsed and rendered it;
//   - layout shift (CLS, PerformanceObserver) over the load and the push (no user input).
// and prints min / median / p99 / max, then fails when the page is not usable: a key press or a
// filter change whose next frame comes later than 200 ms at p99 (the "good" bound of the Web's
// Interaction to Next Paint), or any layout shift above 0.01.
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { chromium } from 'playwright-core';
import type { CloudCluster, EdgeSite, PaymentGateway } from '@paygrid/operator/api';
import { consoleRouter } from '@paygrid/operator/console-api';
import { repo } from '../harness/install.js';
import { machine, quantile } from './stats.js';

const N = Math.max(1, Number(process.env.BENCH_N ?? 1000));
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 10));
const SITES = 20;
const SEARCHES = ['g', 'gw', 'gw-0', 'gw-01', 'gw-012', 'edge-07', 'payments-3 edge-1', 'no-such', ''];
const FILTERS = ['ready', 'not-ready', 'failed-over', 'all'];

type Handler<T> = { onAdd?(o: T): void; onUpdate?(a: T, b: T): void; onDelete?(o: T): void };

/** An informer cache in memory: what the router reads, with the events it subscribes to. */
class Store<T extends { metadata?: { name?: string; namespace?: string } }> {
  private readonly items = new Map<string, T>();
  private readonly handlers = new Set<Handler<T>>();
  private key = (o: T) => [o.metadata?.namespace, o.metadata?.name].filter(Boolean).join('/');
  get = (k: string) => this.items.get(k);
  list = () => [...this.items.values()];
  hasSynced = () => true;
  addEventHandler(h: Handler<T>): () => void {
    this.handlers.add(h);
    for (const o of this.items.values()) h.onAdd?.(o);
    return () => this.handlers.delete(h);
  }
  set(o: T): void {
    const old = this.items.get(this.key(o));
    this.items.set(this.key(o), o);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, o);
      else h.onAdd?.(o);
    }
  }
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const edge = (i: number) => `edge-${String(i % SITES).padStart(2, '0')}`;

function gateway(i: number, epoch = 3): PaymentGateway {
  const name = `gw-${String(i).padStart(4, '0')}`;
  const failed = i % 10 === 0;
  const a = edge(i);
  const b = edge(i + 1);
  const c = edge(i + 2);
  const cond = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    message: '',
    lastTransitionTime: at(0),
  });
  const auth = (member: string, state: string, extra: object = {}) => ({
    component: 'authorization' as const,
    member,
    memberKind: 'EdgeSite' as const,
    state: state as 'Active',
    since: at(60),
    replicas: 2,
    readyReplicas: 2,
    ...extra,
  });
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'PaymentGateway',
    metadata: { namespace: `payments-${i % 7}`, name, generation: 1 },
    spec: {
      authorization: { image: 'ghcr.io/paygrid/authorization:0.1.0', standIn: { floorLimit: 5000 } },
      ledger: { image: 'ghcr.io/paygrid/ledger:0.1.0', primary: 'cloud-eu' },
    } as PaymentGateway['spec'],
    status: {
      epoch,
      routes: [b, failed ? c : a].map((m, p) => ({ member: m, endpoint: `https://${m}`, priority: p })),
      conditions: [
        cond('Ready', i % 13 === 0 ? 'False' : 'True', i % 13 === 0 ? 'Progressing' : 'Available'),
        cond('Degraded', 'False', 'AllPlacementsHealthy'),
        cond('FailedOver', failed ? 'True' : 'False', failed ? 'FailedOver' : 'NoFailover'),
        cond('Progressing', 'False', 'Stable'),
      ],
      placements: [
        auth(b, 'Active'),
        ...(failed
          ? [
              auth(c, 'FailoverTarget', {
                replacedMember: a,
                reason: 'FailoverServing',
                servingSince: at(67),
              }),
              auth(a, 'Lost', { reason: 'MemberUnreachable', since: at(64) }),
            ]
          : [auth(a, 'Active')]),
        {
          component: 'ledger',
          member: 'cloud-eu',
          memberKind: 'CloudCluster',
          state: 'Active',
          since: at(0),
        },
        {
          component: 'ledger',
          member: 'cloud-us',
          memberKind: 'CloudCluster',
          state: 'Standby',
          since: at(0),
        },
      ],
    },
  } as PaymentGateway;
}

function site(i: number): EdgeSite {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'EdgeSite',
    metadata: { name: edge(i) },
    spec: {
      region: i < SITES / 2 ? 'eu-west' : 'us-east',
      zone: `z-${i % 3}`,
      capacity: { authorizationsPerSecond: 5000 },
    },
    status: { health: 'Healthy', healthSince: at(0), lastProbeTime: at(100), conditions: [] },
  } as unknown as EdgeSite;
}

const cloud = (name: string, region: string): CloudCluster =>
  ({
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'CloudCluster',
    metadata: { name },
    spec: { region, provider: 'aws' },
    status: { health: 'Healthy', conditions: [] },
  }) as CloudCluster;

function summary(name: string, values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(1).padStart(7);
  return `${name.padEnd(44)} n=${String(s.length).padStart(4)}  min ${f(s[0]!)}  median ${f(quantile(s, 0.5))}  p99 ${f(quantile(s, 0.99))}  max ${f(s.at(-1)!)} ms`;
}

async function main(): Promise<void> {
  const gateways = new Store<PaymentGateway>();
  const edgeSites = new Store<EdgeSite>();
  const clouds = new Store<CloudCluster>();
  for (let i = 0; i < SITES; i++) edgeSites.set(site(i));
  clouds.set(cloud('cloud-eu', 'eu-west'));
  clouds.set(cloud('cloud-us', 'us-east'));
  for (let i = 0; i < N; i++) gateways.set(gateway(i));
  const router = consoleRouter({
    gateways,
    edgeSites,
    cloudClusters: clouds,
    staticDir: join(repo, 'operator', 'dist', 'console-ui'),
  });
  const app = express().use('/', router);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ui/`;
  const doc = await (await fetch(url.replace('/ui/', '/api/v1/console'))).text();

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const first: number[] = [];
  const firstFrame: number[] = [];
  const search: number[] = [];
  const searchFrame: number[] = [];
  const filter: number[] = [];
  const filterFrame: number[] = [];
  const update: number[] = [];
  const shifts: number[] = [];
  let epoch = 3;
  try {
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      // Instruments the page, not changes it: when the rows arrive, how long each pushed snapshot
      // takes to handle (the page's own listener, timed), and every layout shift.
      await page.addInitScript(
        ({ n }) => {
          const w = window as unknown as Record<string, unknown>;
          w.__updates = [] as number[];
          w.__cls = 0;
          new PerformanceObserver((list) => {
            for (const e of list.getEntries() as (PerformanceEntry & {
              value: number;
              hadRecentInput: boolean;
            })[])
              if (!e.hadRecentInput) w.__cls = (w.__cls as number) + e.value;
          }).observe({ type: 'layout-shift', buffered: true });
          const add = EventSource.prototype.addEventListener;
          EventSource.prototype.addEventListener = function (
            this: EventSource,
            type: string,
            fn: EventListenerOrEventListenerObject,
            opts?: boolean | AddEventListenerOptions,
          ) {
            if (type !== 'snapshot' || typeof fn !== 'function') return add.call(this, type, fn, opts);
            return add.call(
              this,
              type,
              (ev: Event) => {
                const t = performance.now();
                fn.call(this, ev);
                (w.__updates as number[]).push(performance.now() - t);
                const count = document.getElementById('gateway-count')?.textContent ?? '';
                if (w.__first === undefined && new RegExp(`\\b${n}\\b`).test(count)) {
                  w.__first = performance.now();
                  requestAnimationFrame(() => setTimeout(() => (w.__firstFrame = performance.now())));
                }
              },
              opts,
            );
          } as typeof EventSource.prototype.addEventListener;
        },
        { n: N },
      );
      await page.goto(url);
      await page.waitForFunction(
        () => (window as unknown as { __firstFrame?: number }).__firstFrame !== undefined,
      );
      const t = await page.evaluate(() => {
        const w = window as unknown as { __first: number; __firstFrame: number };
        return [w.__first, w.__firstFrame];
      });
      first.push(t[0]!);
      firstFrame.push(t[1]!);

      // A live update: one gateway's epoch moves; the operator pushes the whole document.
      const before = await page.evaluate(
        () => (window as unknown as { __updates: number[] }).__updates.length,
      );
      epoch++;
      gateways.set(gateway(7, epoch));
      await page.waitForFunction(
        (e) =>
          document.querySelector('tr[data-gateway="payments-0/gw-0007"] [data-epoch]')?.textContent ===
          String(e),
        epoch,
      );
      const updates = await page.evaluate(() => (window as unknown as { __updates: number[] }).__updates);
      update.push(...updates.slice(Math.max(1, before)));
      // Layout shift without user input: loading and a push (the searches below are input).
      shifts.push(await page.evaluate(() => (window as unknown as { __cls: number }).__cls));
      // Search: each query as typed into the box (one input event), then filters.
      for (const q of SEARCHES) {
        const [handled, frame] = await page.evaluate(async (text) => {
          const box = document.getElementById('search') as HTMLInputElement;
          const t0 = performance.now();
          box.value = text;
          box.dispatchEvent(new Event('input'));
          void document.body.offsetHeight; // layout, as the frame will need it
          const t1 = performance.now();
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
          return [t1 - t0, performance.now() - t0];
        }, q);
        search.push(handled!);
        searchFrame.push(frame!);
      }
      for (const state of FILTERS) {
        const [handled, frame] = await page.evaluate(async (value) => {
          const select = document.getElementById('state') as HTMLSelectElement;
          const t0 = performance.now();
          select.value = value;
          select.dispatchEvent(new Event('change'));
          void document.body.offsetHeight;
          const t1 = performance.now();
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
          return [t1 - t0, performance.now() - t0];
        }, state);
        filter.push(handled!);
        filterFrame.push(frame!);
      }

      await context.close();
    }
  } finally {
    await browser.close();
    router.close();
    server.close();
  }

  console.log(`console bench: ${N} gateways, ${SITES} edge sites, ${RUNS} runs; ${machine()}`);
  console.log(`snapshot document: ${(doc.length / 1e6).toFixed(2)} MB`);
  console.log(summary('first render (navigation → rows in the DOM)', first));
  console.log(summary('first render (navigation → next frame)', firstFrame));
  console.log(summary('search key press → list laid out', search));
  console.log(summary('search key press → next frame', searchFrame));
  console.log(summary('filter change → list laid out', filter));
  console.log(summary('filter change → next frame', filterFrame));
  console.log(summary('live update: push handled (parse + render)', update));
  console.log(`layout shift (CLS) per run: max ${Math.max(...shifts).toFixed(4)}`);
  const p99 = (v: number[]) =>
    quantile(
      [...v].sort((a, b) => a - b),
      0.99,
    );
  const problems = [
    ...(p99(searchFrame) > 200
      ? [`search → next frame p99 ${p99(searchFrame).toFixed(1)} ms is over 200 ms`]
      : []),
    ...(p99(filterFrame) > 200
      ? [`filter → next frame p99 ${p99(filterFrame).toFixed(1)} ms is over 200 ms`]
      : []),
    ...(Math.max(...shifts) > 0.01 ? [`layout shift ${Math.max(...shifts).toFixed(4)} is over 0.01`] : []),
  ];
  if (problems.length > 0) {
    console.error(`the page is not usable at ${N} gateways: ${problems.join('; ')}`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
