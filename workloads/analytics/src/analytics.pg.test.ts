// Analytics and the ledger as real processes on real PostgreSQL databases: authorization traffic
// goes into the ledger over HTTP while analytics follows the feed and is SIGKILLed and restarted
// in the middle; then analytics' totals must equal what SQL on the ledger's own database says, its
// cursor the ledger's last seq, and another restart must change nothing. The ledger going away
// must not make analytics unready.
import {
  countedSites,
  createTestDatabase,
  ledgerHead,
  ledgerTruth,
  queryText,
  type AnalyticsSummary,
  type ServiceProcess,
  type TestDatabase,
} from '@paygrid/workload-kit/testing';
import { analyticsProcess, getJson, startLedger, until } from './test-support/processes.js';
import { planTraffic, sendTraffic, TEST_PAN } from './test-support/traffic.js';

describe('analytics following the real ledger', () => {
  let ledgerDb: TestDatabase;
  let analyticsDb: TestDatabase;
  let ledger: ServiceProcess;
  let analytics: ServiceProcess;
  const started = Date.now();

  const summary = async (): Promise<AnalyticsSummary> => {
    const r = await getJson<AnalyticsSummary>(`${analytics.url}/v1/summary`);
    expect(r.status).toBe(200);
    return r.body;
  };
  const lastSeq = () => ledgerHead(ledgerDb.url);
  const restart = async (signal: NodeJS.Signals): Promise<void> => {
    await analytics.stop(signal);
    analytics.start();
    await analytics.waitReady();
  };

  beforeAll(async () => {
    [ledgerDb, analyticsDb] = await Promise.all([
      createTestDatabase('ledger_for_analytics'),
      createTestDatabase('analytics'),
    ]);
    ledger = await startLedger(ledgerDb.url);
    // Small pages: many commits, so a SIGKILL lands between fetch and commit, or inside one.
    analytics = await analyticsProcess(analyticsDb.url, ledger.url, { PAYGRID_FEED_BATCH: '25' });
    analytics.start();
    await analytics.waitReady();
  });

  afterAll(async () => {
    await analytics?.stop('SIGKILL');
    await ledger?.stop();
    await Promise.all([ledgerDb?.drop(), analyticsDb?.drop()]);
  });

  it('counts every approval, capture, reversal and decline once across SIGKILLs in the middle', async () => {
    const chunks = [0, 1, 2, 3].map((k) => planTraffic(20_260_301, k * 100, 100));
    let kills = 0;
    for (const [k, plans] of chunks.entries()) {
      const sending = sendTraffic(ledger.url, plans);
      if (k < 3) {
        // Kill analytics while the ledger is taking this chunk and analytics is following it.
        const before = (await summary()).feed.cursor;
        await until('analytics to count more', async () => (await summary()).feed.cursor > before);
        await analytics.stop('SIGKILL');
        kills++;
        analytics.start();
        await analytics.waitReady();
      }
      await sending;
    }
    expect(kills).toBe(3);

    const head = await lastSeq();
    expect(head).toBeGreaterThan(500);
    await until('analytics to catch up with the ledger', async () => (await summary()).feed.cursor === head);

    const s = await summary();
    const truth = await ledgerTruth(ledgerDb.url);
    expect(countedSites(s.sites)).toEqual(truth);
    expect(s.feed.cursor).toBe(head);

    // Every approval and decline carried latencyMs: the histogram holds each once.
    const latencySum = Number(
      await queryText(
        ledgerDb.url,
        `SELECT (SELECT sum((metadata->>'latencyMs')::bigint) FROM transfers WHERE type = 'pending' AND metadata ? 'gateway')
              + (SELECT sum((metadata->>'latencyMs')::bigint) FROM declines)`,
      ),
    );
    expect(s.totals.latency.count).toBe(s.totals.approvals + s.totals.declines);
    expect(s.totals.latency.sumMs).toBe(latencySum);
    expect(s.totals.latency.p50Ms).toBeGreaterThan(0);
    expect(s.totals.latency.p99Ms).toBeLessThanOrEqual(200);
    expect(s.totals.approvalRate).toBeCloseTo(
      s.totals.approvals / (s.totals.approvals + s.totals.declines),
      12,
    );

    // The per-minute rows add up to the same totals.
    const series = await getJson<{ rows: { approvals: number; declines: number }[] }>(
      `${analytics.url}/v1/series?gateway=payments/kiosk&from=${new Date(started - 60_000).toISOString()}`,
    );
    expect(series.status).toBe(200);
    const kiosk = truth.filter((t) => t.gateway === 'payments/kiosk');
    expect(series.body.rows.reduce((n, r) => n + r.approvals, 0)).toBe(
      kiosk.reduce((n, t) => n + t.approvals, 0),
    );
    expect(series.body.rows.reduce((n, r) => n + r.declines, 0)).toBe(
      kiosk.reduce((n, t) => n + t.declines, 0),
    );

    // /metrics serves the same committed totals.
    const metrics = await (await fetch(`${analytics.url}/metrics`)).text();
    const sample = (name: string): number =>
      metrics
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`))
        .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(sample('paygrid_analytics_approvals_total')).toBe(s.totals.approvals);
    expect(sample('paygrid_analytics_declines_total')).toBe(s.totals.declines);
    expect(metrics).toMatch(new RegExp(`^paygrid_analytics_cursor\\{[^}]*\\} ${head}$`, 'm'));
    expect(metrics).toMatch(/^paygrid_analytics_feed_up\{[^}]*\} 1$/m);
    const eurCaptured = truth.reduce((n, t) => n + (t.volumes.EUR?.captured?.amountMinor ?? 0), 0);
    expect(
      metrics
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('paygrid_analytics_volume_minor_total{') &&
            /currency="EUR"/.test(l) &&
            /kind="captured"/.test(l),
        )
        .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0),
    ).toBe(eurCaptured);

    // No card number leaves analytics: not in logs, answers or metrics.
    expect(analytics.logs()).not.toContain(TEST_PAN);
    expect(JSON.stringify(s) + JSON.stringify(series.body) + metrics).not.toContain(TEST_PAN);
  });

  it('changes nothing when restarted after catching up (SIGKILL, then SIGTERM)', async () => {
    const before = await summary();
    await restart('SIGKILL');
    const afterKill = await summary();
    expect(afterKill.sites).toEqual(before.sites);
    expect(afterKill.feed.cursor).toBe(before.feed.cursor);

    expect(await analytics.stop('SIGTERM')).toBe(0);
    analytics.start();
    await analytics.waitReady();
    // Give the new process a full long-poll round against the ledger before comparing.
    await until('the feed to answer', async () => (await summary()).feed.feedUp);
    const afterTerm = await summary();
    expect(afterTerm.sites).toEqual(before.sites);
    expect(afterTerm.feed.cursor).toBe(await lastSeq());
  });

  it('refuses bad query parameters with a 400 naming them', async () => {
    const r = await getJson<{ error: { field: string; rule: string } }>(
      `${analytics.url}/v1/series?step=second`,
    );
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ field: 'step', rule: 'enum' });
    const u = await getJson<{ error: { field: string; rule: string } }>(
      `${analytics.url}/v1/summary?limit=5`,
    );
    expect(u.status).toBe(400);
    expect(u.body.error).toMatchObject({ field: 'limit', rule: 'unknown' });
  });

  it('stays ready when the ledger goes away, and says so in feed_up', async () => {
    await ledger.stop('SIGKILL');
    await until('feed_up to drop to 0', async () =>
      /^paygrid_analytics_feed_up\{[^}]*\} 0$/m.test(await (await fetch(`${analytics.url}/metrics`)).text()),
    );
    expect((await fetch(`${analytics.url}/readyz`)).status).toBe(200);
    expect((await summary()).feed.feedUp).toBe(false);

    // A restart with the ledger still down is ready too, and serves the totals it has.
    const before = await summary();
    await restart('SIGTERM');
    expect((await summary()).sites).toEqual(before.sites);
  });
});
