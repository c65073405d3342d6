/// <reference lib="dom" />
// The console in a real browser (issue 13 §2): Debian's Chromium, driven by playwright-core,
// against the operator on the testbed. The example gateway shows Ready; a real member outage
// (the operator's path to edge-a cut by the fault proxy) reaches the open page through its event
// stream — the serving sites change and the timeline shows the loss — without a reload. The
// payload the page uses is checked against the real Secrets' contents. After the member heals and
// authorization fails back, the timeline still tells the whole story, with the failback's times. Screenshots go to
// e2e/artifacts/ (git-ignored).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { contextOf, kubeconfigPath, kubectl, MEMBERS, memberKubeconfigPath } from './testbed/clusters.js';
import { heal, partition } from './testbed/faults.js';
import {
  applyExampleGateway,
  applyMembers,
  installCrds,
  leaderLeaseHolder,
  registerMemberSecrets,
  repo,
} from './harness/install.js';
import { OperatorProcess } from './harness/operator-process.js';
import { ChartIdentity } from './harness/chart-identity.js';
import { waitFor } from './harness/wait.js';
import { getGateway, isReady } from './harness/gateways.js';

const NS = 'payments';
const ARTIFACTS = join(repo, 'e2e', 'artifacts');
const chartIdentity = new ChartIdentity('paygrid-console-e2e');
let operator: OperatorProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let url = '';
/** The timeline's times as the page showed them during the failover, by step. */
let recorded: Record<string, string | null> = {};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  installCrds();
  chartIdentity.install();
  registerMemberSecrets();
  applyMembers();
  await heal('edge-a');
  operator = await new OperatorProcess({
    identity: 'console-1',
    kubeconfig: chartIdentity.kubeconfig(),
  }).start();
  kubectl('hub', ['-n', NS, 'delete', 'pgw', '--all', '--wait=false']);
  await waitFor(
    'no leftover gateways',
    () => kubectl('hub', ['-n', NS, 'get', 'pgw', '-o', 'name']).stdout.trim() === '',
  );
  applyExampleGateway();
  await waitFor(
    'checkout Ready on edge-a and edge-b',
    () => {
      const g = getGateway(NS, 'checkout');
      return isReady(g) && g?.status?.serving === 'edge-a,edge-b';
    },
    { timeoutMs: 120_000 },
  );
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  // Every layout shift not caused by the user's input, with what moved, for the no-shift check.
  await page.addInitScript(() => {
    const w = window as unknown as { shifts: { value: number; what: string[] }[] };
    w.shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & {
        value: number;
        hadRecentInput: boolean;
        sources?: { node?: Node | null }[];
      })[])
        if (!e.hadRecentInput)
          w.shifts.push({
            value: e.value,
            what: (e.sources ?? []).map((s) =>
              s.node instanceof Element
                ? `${s.node.tagName}#${s.node.id}.${s.node.className}`
                : String(s.node?.nodeName),
            ),
          });
    }).observe({ type: 'layout-shift', buffered: true });
  });
  url = `http://127.0.0.1:${operator.routesPort}/ui/`;
}, 300_000);

afterAll(async () => {
  await heal('edge-a').catch(() => undefined);
  await browser?.close();
  kubectl('hub', ['-n', NS, 'delete', 'pgw', 'checkout', '--ignore-not-found', '--timeout=60s']);
  await operator?.stop();
  chartIdentity.uninstall();
});

const cell = (gateway: string, what: string) =>
  page.locator(`tr[data-gateway="${gateway}"] [data-${what}]`).textContent();

describe('console in Chromium', () => {
  it('loads and shows the example gateway Ready, serving from edge-a and edge-b, and the members by region', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(url);
    await page.waitForSelector('tr[data-gateway="payments/checkout"]');
    expect(await cell('payments/checkout', 'ready')).toBe('Ready');
    expect(await cell('payments/checkout', 'serving')).toBe('edge-a, edge-b');
    expect(await page.locator('tr[data-site="edge-a"] [data-health]').textContent()).toBe('Healthy');
    expect(await page.locator('#sites-body h3').allTextContents()).toContain('Region eu-west');
    expect(await page.textContent('#status')).toMatch(/^Live/);
    // Keyboard: the skip link, then the search box filter the gateways.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to gateways');
    await page.focus('#search');
    await page.keyboard.type('no-such-gateway');
    expect(await page.textContent('#gateway-count')).toBe('0 of 1 shown');
    await page.fill('#search', '');
    await page.screenshot({ path: join(ARTIFACTS, 'console-ready.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('carries no Secret, kubeconfig or PAN content in the payload the page uses', async () => {
    const payload = await page.evaluate(async () => (await fetch('/api/v1/console')).text());
    const secrets = JSON.parse(kubectl('hub', ['-n', NS, 'get', 'secrets', '-o', 'json']).stdout) as {
      items: { data?: Record<string, string> }[];
    };
    const values = secrets.items.flatMap((s) =>
      Object.values(s.data ?? {}).map((v) => Buffer.from(v, 'base64').toString()),
    );
    const kubeconfigs = MEMBERS.map((m) => readFileSync(memberKubeconfigPath(m), 'utf8'));
    const tokens = kubeconfigs.flatMap((k) =>
      [
        ...k.matchAll(
          /(?:token|client-key-data|client-certificate-data|certificate-authority-data): *(\S+)/g,
        ),
      ].map((m) => m[1] ?? ''),
    );
    expect(values.length).toBeGreaterThan(0);
    expect(tokens.length).toBeGreaterThan(0);
    for (const secret of [...values, ...tokens].filter((v) => v.length >= 8))
      expect(payload).not.toContain(secret);
    expect(payload).not.toMatch(/kubeconfig|BEGIN [A-Z ]*PRIVATE KEY|"message"/i);
  });

  it('shows a member outage on the timeline and the new serving sites without a reload', async () => {
    await page.evaluate(() => {
      (window as unknown as { consoleMarker: number }).consoleMarker = 42;
    });
    let loads = 0;
    page.on('load', () => loads++);
    const cut = Date.now();
    await partition('edge-a');
    await page.waitForSelector('[data-failover="payments/checkout|edge-a"]', { timeout: 90_000 });
    await page.waitForFunction(
      () =>
        document
          .querySelector('tr[data-gateway="payments/checkout"] [data-serving]')
          ?.textContent?.includes('edge-a') === false,
      undefined,
      { timeout: 90_000 },
    );
    const shownAfterMs = Date.now() - cut;
    // The stand-in (cloud-eu, the example's fallback) serving is the timeline's last step.
    await page.waitForSelector('[data-failover="payments/checkout|edge-a"] [data-step="serving"] time', {
      timeout: 90_000,
    });
    console.log(
      `console: outage cut at +0 ms, page showed new serving sites at +${shownAfterMs} ms, serving step at +${Date.now() - cut} ms`,
    );
    expect(loads).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { consoleMarker?: number }).consoleMarker)).toBe(
      42,
    );
    expect(await page.locator('tr[data-site="edge-a"] [data-health]').textContent()).toBe('Unreachable');

    // The timeline's times are the operator's records, not the page's guesses.
    const gw = getGateway(NS, 'checkout');
    const lost = gw?.status?.placements?.find((p) => p.member === 'edge-a' && p.state === 'Lost');
    const since = JSON.parse(kubectl('hub', ['get', 'es', 'edge-a', '-o', 'json']).stdout).status
      .healthSince as string;
    const entry = page.locator('[data-failover="payments/checkout|edge-a"]');
    expect(await entry.locator('[data-step="lost"] time').getAttribute('datetime')).toBe(since);
    expect(await entry.locator('[data-step="detected"] time').getAttribute('datetime')).toBe(lost?.since);
    const target = gw?.status?.placements?.find(
      (p) => p.state === 'FailoverTarget' && p.replacedMember === 'edge-a',
    );
    expect(await entry.locator('[data-step="placed"] time').getAttribute('datetime')).toBe(target?.since);
    expect(await entry.locator('[data-step="serving"] time').getAttribute('datetime')).toBe(
      target?.servingSince,
    );
    expect(await cell('payments/checkout', 'serving')).toBe(
      (gw?.status?.routes ?? []).map((r) => r.member).join(', '),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'console-failover.png'), fullPage: true });
    recorded = Object.fromEntries(
      await Promise.all(
        ['lost', 'detected', 'placed', 'serving'].map(
          async (step) =>
            [step, await entry.locator(`[data-step="${step}"] time`).getAttribute('datetime')] as const,
        ),
      ),
    );
  });

  it('keeps the whole story on the page after failback, without a reload', async () => {
    let loads = 0;
    page.on('load', () => loads++);
    // A shorter stabilization window than the example's 60 s keeps the suite short; the path is the same.
    kubectl('hub', [
      '-n',
      NS,
      'patch',
      'pgw',
      'checkout',
      '--type=merge',
      '-p',
      '{"spec":{"failover":{"failbackStabilizationSeconds":5}}}',
    ]);
    await heal('edge-a');
    const entry = page.locator('[data-failover="payments/checkout|edge-a"]');
    // Over: the status no longer shows the failover, the console kept it.
    await page.waitForSelector('[data-failover="payments/checkout|edge-a"][data-live="false"]', {
      timeout: 180_000,
    });
    expect(loads).toBe(0);
    const gw = getGateway(NS, 'checkout');
    expect(gw?.status?.placements?.some((p) => p.replacedMember === 'edge-a' || p.state === 'Lost')).toBe(
      false,
    );
    // The steps recorded during the failover are still there, with the same times…
    for (const [step, at] of Object.entries(recorded))
      expect(await entry.locator(`[data-step="${step}"] time`).getAttribute('datetime')).toBe(at);
    // …and the failback's, from the operator's records: edge-a's Active placement (reason Failback).
    const home = gw?.status?.placements?.find(
      (p) => p.component === 'authorization' && p.member === 'edge-a' && p.state === 'Active',
    );
    expect(home?.reason).toBe('Failback');
    expect(await entry.locator('[data-step="failback"] time').getAttribute('datetime')).toBe(home?.since);
    const returned = await entry.locator('[data-step="returned"] time').getAttribute('datetime');
    expect(Date.parse(returned ?? '')).toBeGreaterThanOrEqual(Date.parse(home?.since ?? ''));
    expect(Date.parse(returned ?? '')).toBeLessThanOrEqual(Date.now());
    await page.waitForFunction(() =>
      document
        .querySelector('tr[data-gateway="payments/checkout"] [data-serving]')
        ?.textContent?.includes('edge-a'),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'console-failback.png'), fullPage: true });
  });

  it('moved nothing under the reader while the failover and failback came in (no layout shift)', async () => {
    const shifts = await page.evaluate(
      () => (window as unknown as { shifts: { value: number; what: string[] }[] }).shifts,
    );
    const total = shifts.reduce((sum, s) => sum + s.value, 0);
    console.log(`console: layout shifts without input: ${JSON.stringify(shifts)}`);
    expect(total).toBeLessThan(0.01);
  });

  it('previews a drill of a site with the CLI planner', async () => {
    await page.selectOption('#drill-site', 'EdgeSite/edge-b');
    await page.click('#drill-form button');
    await page.waitForFunction(() =>
      document.getElementById('drill-out')?.textContent?.includes('This was a drill'),
    );
    expect(await page.textContent('#drill-out')).toMatch(/^drill: EdgeSite edge-b .*fails now/);
    await page.screenshot({ path: join(ARTIFACTS, 'console-drill.png'), fullPage: true });
  });

  it('kubectl paygrid console finds the leader from its Lease, and says where to look when it has no pod', async () => {
    const run = (...args: string[]) => {
      const r = spawnSync(
        process.execPath,
        [
          join(repo, 'operator', 'dist', 'cli', 'kubectl-paygrid.js'),
          '--context',
          contextOf('hub'),
          'console',
          ...args,
        ],
        { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfigPath }, timeout: 60_000 },
      );
      return { code: r.status, stderr: r.stderr };
    };
    // This suite's operator is a local process (as in make demo): it leads, but has no pod.
    await waitFor('the operator holds the Lease', () => leaderLeaseHolder().startsWith('console-1'));
    const local = run();
    expect(local.code).toBe(1);
    expect(local.stderr).toMatch(
      /error: the leader console-1_[0-9a-f-]+ is not a pod in paygrid-system: .*\/ui\//,
    );
    const none = run('--operator-namespace', 'no-such-namespace');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('error: no Lease no-such-namespace/paygrid-operator-leader');
  });
});
