// Analytics and the ledger as real processes on real PostgreSQL databases: authorization traffic
// goes into the ledger over HTTP while analytics follows the feed and is SIGKILLed and restarted
// in the middle; then analytics' totals must equal what SQL on the ledger's own database says, its
// cursor the ledger's last seq, and another restart must change nothing. The ledger going away
// must not make analytics unready.
import {
  createTestDatabase,
  queryText,
  type ServiceProcess,
  type TestDatabase,
} from '@paygrid/workload-kit/testing';
import { analyticsProcess, getJson, startLedger, until } from './test-support/processes.js';
import { planTraffic, sendTraffic, TEST_PAN } from './test-support/traffic.js';

interface Site {
  gateway: string;
  site: string;
  approvals: number;
  standInApprovals: number;
  declines: number;
  declineReasons: Record<string, number>;
  volumes: Record<string, Record<string, { count: number; amountMinor: number }>>;
  latency: { count: number; sumMs: number; p50Ms: number | null; p99Ms: number | null };
  approvalRate?: number | null;
}
interface Summary {
  feed: { cursor: number; feedUp: boolean; lagSeconds: number };
  totals: Omit<Site, 'gateway' | 'site'> & { approvalRate: number | null };
  sites: Site[];
}

const KINDS: Record<string, string> = { pending: 'approved', post: 'captured', void: 'voided' };

/** What the ledger's own tables say, in the shape of summary.sites (without latency estimates). */
async function ledgerTruth(url: string): Promise<Omit<Site, 'latency'>[]> {
  const json = async <T>(sql: string): Promise<T[]> =>
    JSON.parse((await queryText(url, `SELECT coalesce(json_agg(x), '[]') FROM (${sql}) x`)) || '[]') as T[];
  const holds = await json<{
    g: string;
    s: string;
    c: string;
    type: string;
    n: number;
    si: number;
    amt: number;
  }>(
    `SELECT coalesce(p.metadata, t.metadata)->>'gateway' g, coalesce(p.metadata, t.metadata)->>'site' s,
            t.currency c, t.type, count(*) n, count(*) FILTER (WHERE t.stand_in) si, sum(t.amount) amt
       FROM transfers t LEFT JOIN transfers p ON p.id = t.pending_id
      WHERE t.type IN ('pending', 'post', 'void') AND coalesce(p.metadata, t.metadata) ? 'gateway'
      GROUP BY 1, 2, 3, 4`,
  );
  const declines = await json<{ g: string; s: string; c: string; reason: string; n: number; amt: number }>(
    `SELECT metadata->>'gateway' g, metadata->>'site' s, currency c, reason, count(*) n, sum(amount) amt
       FROM declines GROUP BY 1, 2, 3, 4`,
  );
  const sites = new Map<string, Omit<Site, 'latency'>>();
  const at = (gateway: string, site: string) => {
    const k = `${gateway} ${site}`;
    let v = sites.get(k);
    if (!v)
      sites.set(
        k,
        (v = {
          gateway,
          site,
          approvals: 0,
          standInApprovals: 0,
          declines: 0,
          declineReasons: {},
          volumes: {},
        }),
      );
    return v;
  };
  const addVolume = (
    v: Omit<Site, 'latency'>,
    currency: string,
    kind: string,
    count: number,
    amountMinor: number,
  ) => {
    const byKind = (v.volumes[currency] ??= {});
    const old = byKind[kind] ?? { count: 0, amountMinor: 0 };
    byKind[kind] = { count: old.count + count, amountMinor: old.amountMinor + amountMinor };
  };
  for (const h of holds) {
    const v = at(h.g, h.s);
    if (h.type === 'pending') {
      v.approvals += h.n;
      v.standInApprovals += h.si;
    }
    addVolume(v, h.c, KINDS[h.type] as string, h.n, h.amt);
  }
  for (const d of declines) {
    const v = at(d.g, d.s);
    v.declines += d.n;
    v.declineReasons[d.reason] = (v.declineReasons[d.reason] ?? 0) + d.n;
    addVolume(v, d.c, 'declined', d.n, d.amt);
  }
  return [...sites.values()].sort((a, b) => `${a.gateway} ${a.site}`.localeCompare(`${b.gateway} ${b.site}`));
}

/** The counted part of summary.sites (the estimates, latency and approval rate, are checked apart). */
const counted = (sites: Site[]): Omit<Site, 'latency'>[] =>
  sites.map(({ latency: _latency, approvalRate: _rate, ...rest }) => ({
    ...rest,
    volumes: sortKeys(rest.volumes),
  }));
function sortKeys<T>(o: Record<string, Record<string, T>>): Record<string, Record<string, T>> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((c) => [
        c,
        Object.fromEntries(
          Object.keys(o[c] ?? {})
            .sort()
            .map((k) => [k, (o[c] ?? {})[k] as T]),
        ),
      ]),
  );
}

describe('analytics following the real ledger', () => {
  let ledgerDb: TestDatabase;
  let analyticsDb: TestDatabase;
  let ledger: ServiceProcess;
  let analytics: ServiceProcess;
  const started = Date.now();

  const summary = async (): Promise<Summary> => {
    const r = await getJson<Summary>(`${analytics.url}/v1/summary`);
    expect(r.status).toBe(200);
    return r.body;
  };
  const lastSeq = async (): Promise<number> =>
    Number(
      await queryText(
        ledgerDb.url,
        'SELECT greatest((SELECT coalesce(max(seq), 0) FROM transfers), (SELECT coalesce(max(seq), 0) FROM declines))',
      ),
    );
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
    expect(counted(s.sites)).toEqual(truth);
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
