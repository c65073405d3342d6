// Money through faults, with real processes: the ledger on the real PostgreSQL, two authorization
// sites (edge-a, edge-b), the operator's routes API serving a route set this test changes, and a
// fleet of terminals paying at a steady rate. While payments flow: the ledger is SIGKILLed (the
// sites stand in) and restarted (the journals replay); edge-a is SIGKILLed (terminals fall to
// edge-b with the same keys) and restarted on its journal; the routes fail over to edge-b at a new
// epoch; a stale route back to edge-a meets its fence. Then the reconciliation finds every
// approval booked exactly once, nothing doubled, the books balanced and the journals drained; no
// log and no result line holds a test PAN.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type ServiceProcess, type TestDatabase } from '@paygrid/workload-kit/testing';
import { Fleet, type FleetStats } from './fleet.js';
import { readJournalBacklog, readLedger } from './ledger-snapshot.js';
import { formatReport, reconcile } from './reconcile.js';
import { readResultFile } from './results.js';
import { RoutesSource } from './routes-source.js';
import { startAuthorizationSite, startLedgerProcess, type AuthorizationSite } from './services.js';

describe('money through faults: terminal fleet, ledger, two sites, routes API', () => {
  let db: TestDatabase;
  let ledger: ServiceProcess;
  let a: AuthorizationSite;
  let b: AuthorizationSite;
  let routes: RoutesSource;
  const dir = mkdtempSync(join(tmpdir(), 'paygrid-money-'));

  beforeAll(async () => {
    db = await createTestDatabase('money');
    ledger = await startLedgerProcess(db.url, dir);
    [a, b] = await Promise.all([
      startAuthorizationSite('edge-a', ledger.url, dir),
      startAuthorizationSite('edge-b', ledger.url, dir),
    ]);
    routes = new RoutesSource('payments', 'checkout');
  });

  afterAll(async () => {
    await routes?.close();
    await Promise.all([a?.service.stop(), b?.service.stop(), ledger?.stop()]);
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses and doubles nothing across a ledger crash, a site crash and a failover', async () => {
    const routesUrl = await routes.listen();
    routes.publish(3, [
      { member: 'edge-a', endpoint: a.service.url },
      { member: 'edge-b', endpoint: b.service.url },
    ]);

    // Progress is awaited on the fleet's own records: each phase starts once enough happened.
    const watchers = new Set<() => void>();
    let fenced = 0;
    const resultFile = join(dir, 'fleet.jsonl');
    const fleet = new Fleet({
      routesUrl,
      namespace: 'payments',
      name: 'checkout',
      terminals: 4,
      ratePerSecond: 10,
      maxPayments: 10_000,
      durationMs: 50_000,
      resultFile,
      seed: 12,
      runId: `money-${Date.now().toString(36)}`,
      requestTimeoutMs: 1000,
      writeDeadlineMs: 20_000,
      onRecord: (r) => {
        if (r.reason === 'Fenced') fenced++;
        for (const w of [...watchers]) w();
      },
    });
    const until = (what: string, done: (s: FleetStats) => boolean, ms = 20_000): Promise<void> =>
      new Promise((resolve, reject) => {
        if (done(fleet.stats)) return resolve();
        const check = (): void => {
          if (!done(fleet.stats)) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(fleet.stats)}`));
        }, ms);
        watchers.add(check);
      });
    const online = (s: FleetStats) => s.approved - s.approvedStandIn;
    const atB = (s: FleetStats) => s.approvedAt[b.service.url] ?? 0;
    const running = fleet.run();

    await until('80 online approvals', (s) => online(s) >= 80);

    // 1. The ledger SIGKILLed: both sites stand in; restarted: the journals replay.
    await ledger.stop('SIGKILL');
    const standIn0 = fleet.stats.approvedStandIn;
    await until('60 stand-in approvals', (s) => s.approvedStandIn >= standIn0 + 60);
    ledger.start();
    await ledger.waitReady(30_000);
    const online1 = online(fleet.stats);
    await until('40 online approvals after the ledger restart', (s) => online(s) >= online1 + 40);

    // 2. edge-a SIGKILLed: terminals fall to edge-b with the same keys; edge-a restarts on its journal.
    const b1 = atB(fleet.stats);
    await a.service.stop('SIGKILL');
    await until('60 approvals at edge-b with edge-a down', (s) => atB(s) >= b1 + 60);
    a.service.start();
    await a.service.waitReady();

    // 3. Failover: routes to edge-b only, at epoch 4; edge-b's contract replaces edge-a.
    b.contract.write({ epoch: '4', role: 'FailoverTarget', 'replaced-member': 'edge-a' });
    routes.publish(4, [{ member: 'edge-b', endpoint: b.service.url }]);
    const b2 = atB(fleet.stats);
    await until('60 approvals at edge-b after the failover', (s) => atB(s) >= b2 + 60);

    // 4. edge-a, still at epoch 3, listed first again (a stale route): edge-b's writes as its
    // replacement raised edge-a's fence, so the ledger refuses edge-a and edge-a answers 503 Fenced;
    // terminals go on to edge-b with the same keys.
    routes.publish(4, [
      { member: 'edge-a', endpoint: a.service.url },
      { member: 'edge-b', endpoint: b.service.url },
    ]);
    await until('edge-a answering Fenced', () => fenced > 0);
    const b3 = atB(fleet.stats);
    await until('20 approvals at edge-b past the fenced edge-a', (s) => atB(s) >= b3 + 20);

    await fleet.stop();
    await running;

    // Every journal forwarded to the ledger (stand-in approvals replayed), bounded in time.
    const deadline = Date.now() + 20_000;
    const journals = () => [
      readJournalBacklog(a.journalDir, 'edge-a'),
      readJournalBacklog(b.journalDir, 'edge-b'),
    ];
    while (journals().some((j) => j.queued > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));

    const ledgerRows = await readLedger(db.url);
    // Commit times come with every transfer: the stand-in limits check measures from them.
    expect(ledgerRows.transfers.filter((t) => !Number.isInteger(t.createdAtMs))).toEqual([]);
    const report = reconcile({
      records: readResultFile(resultFile),
      ...ledgerRows,
      journals: journals(),
      // As services.ts gives the sites.
      standInLimits: {
        floorLimitMinor: 100_000,
        maxOfflineCount: 100_000,
        maxOfflineAmountMinor: 1_000_000_000,
        currency: 'EUR',
      },
    });
    expect({ violations: report.violations, text: formatReport(report) }).toMatchObject({ violations: [] });
    expect(report.counts.lost).toBe(0);
    expect(report.counts.doubled).toBe(0);
    expect(report.counts.approvedStandIn).toBeGreaterThanOrEqual(60);
    expect(report.counts.standInBooked).toBeGreaterThanOrEqual(60);
    // What each site that stood in held at once is measured (never more than it approved).
    expect(report.standIn?.length).toBeGreaterThanOrEqual(1);
    for (const site of report.standIn ?? []) {
      expect(site.peakCount).toBeGreaterThan(0);
      expect(site.peakCount).toBeLessThanOrEqual(site.approvals);
    }
    expect(report.counts.decidedElsewhere).toBeGreaterThan(0);
    expect(report.counts.captured).toBeGreaterThan(0);
    expect(report.counts.reversed).toBeGreaterThan(0);
    expect(report.counts.booked).toBe(report.counts.approved);

    const texts = [ledger.logs(), a.service.logs(), b.service.logs(), readFileSync(resultFile, 'utf8')];
    for (const pan of fleet.pans()) for (const t of texts) expect(t.includes(pan)).toBe(false);
    process.stdout.write(formatReport(report) + '\n');
  }, 120_000);
});
