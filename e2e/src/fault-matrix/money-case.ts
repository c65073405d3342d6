// One case of the fault matrix as money sees it: terminal fleets paying through the gateway's
// routes while a fault happens (fleet-main processes, outside every site or inside one in its
// network namespace), then the reconciliation of every result file against the ledger's
// PostgreSQL and every authorization journal on the real nodes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countRecord, emptyStats, type FleetStats } from '../terminal/fleet.js';
import { readLedger } from '../terminal/ledger-snapshot.js';
import { reconcile, type ReconcileReport } from '../terminal/reconcile.js';
import { readResultFile, type ResultRecord } from '../terminal/results.js';
import type { StandInLimits } from '../terminal/stand-in-limits.js';
import { waitFor } from '../harness/wait.js';
import { journals, NS } from './real-site.js';
import { MEMBERS } from '../testbed/clusters.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The real-node testbed's node subnets: the only non-loopback addresses terminals may contact. */
export const TESTBED_NETWORK = '10.88.0.0/16';

export interface FleetSpec {
  readonly routesUrl: string;
  readonly gateway: string;
  readonly resultFile: string;
  readonly runId: string;
  readonly terminals: number;
  readonly ratePerSecond: number;
  readonly seed: number;
}

// Timeouts sized for real pods on a loaded 2-core machine; a write is given up on only after a
// minute, so a slow failover shows as a gap, not as payments nobody decided.
const REQUEST_TIMEOUT_MS = 1500;
const WRITE_DEADLINE_MS = 60_000;

/**
 * A terminal fleet as its own process (fleet-main), outside every site or, given a network
 * namespace, inside a site: the test's own waits (kubectl, psql) never stall the terminals.
 * Its progress is read from its result file; SIGTERM stops it (writes in flight are decided).
 */
export class FleetProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private readonly counted = emptyStats();
  private readonly seen: ResultRecord[] = [];
  private offset = 0;
  output = '';

  constructor(
    readonly spec: FleetSpec,
    namespace?: string,
  ) {
    const fleet = [
      join(repo, 'e2e', 'dist', 'terminal', 'fleet-main.js'),
      ...['--routes', spec.routesUrl, '--gateway', `${NS}/${spec.gateway}`, '--results', spec.resultFile],
      ...[
        '--terminals',
        String(spec.terminals),
        '--rate',
        String(spec.ratePerSecond),
        '--payments',
        '100000',
      ],
      ...['--duration', '600', '--seed', String(spec.seed), '--run-id', spec.runId],
      ...['--timeout-ms', String(REQUEST_TIMEOUT_MS), '--write-deadline-ms', String(WRITE_DEADLINE_MS)],
      ...['--allow-network', TESTBED_NETWORK],
    ];
    this.child =
      namespace === undefined
        ? spawn(process.execPath, fleet, { stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('ip', ['netns', 'exec', namespace, process.execPath, ...fleet], {
            stdio: ['ignore', 'pipe', 'pipe'],
          });
    this.child.stdout!.on('data', (b: Buffer) => (this.output += b.toString()));
    this.child.stderr!.on('data', (b: Buffer) => (this.output += b.toString()));
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
    // Not left paying after a test run that ended early (its --duration bounds it otherwise).
    const orphan = () => this.child.kill('SIGKILL');
    process.once('exit', orphan);
    void this.exited.then(() => process.off('exit', orphan));
  }

  /** Every record so far (read on from where the last call stopped; whole lines only). */
  records(): readonly ResultRecord[] {
    if (existsSync(this.spec.resultFile)) {
      const text = readFileSync(this.spec.resultFile, 'utf8');
      const end = text.lastIndexOf('\n') + 1;
      if (end > this.offset) {
        for (const line of text.slice(this.offset, end).split('\n')) {
          if (line === '') continue;
          const r = JSON.parse(line) as ResultRecord;
          this.seen.push(r);
          countRecord(this.counted, r);
        }
        this.offset = end;
      }
    }
    return this.seen;
  }

  stats(): FleetStats {
    this.records();
    return this.counted;
  }

  /** Until `done(stats)` holds, polled from the result file. */
  until(what: string, done: (s: FleetStats) => boolean, timeoutMs = 90_000): Promise<FleetStats> {
    return waitFor(
      what,
      () => (this.child.exitCode === null ? done(this.stats()) && this.stats() : undefined),
      {
        timeoutMs,
        intervalMs: 200,
      },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; fleet ${JSON.stringify(this.stats())}; ${this.output.slice(-1000)}`);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const code = await this.exited;
    if (code !== 0) throw new Error(`fleet ${this.spec.runId} exited ${code}: ${this.output.slice(-2000)}`);
  }
}

/** Approvals at one endpoint, and online ones, from a fleet's stats. */
export const approvedAt = (s: FleetStats, endpoint: string): number => s.approvedAt[endpoint] ?? 0;
export const approvedOnline = (s: FleetStats): number => s.approved - s.approvedStandIn;

/** Every journal on every real node, once none has anything queued (bounded: replay takes seconds). */
export async function drainedJournals(timeoutMs = 120_000) {
  // cloud-eu too: authorization runs there once no edge site can (fallback Cloud).
  const all = () => MEMBERS.flatMap((m) => journals(m));
  await waitFor('every authorization journal drained', () => all().every((j) => j.queued === 0), {
    timeoutMs,
    intervalMs: 500,
  }).catch(() => undefined); // the reconciliation names what is left (journalBacklog)
  return all();
}

/** The reconciliation of result files against the ledger and the journals. */
export async function reconcileRun(
  databaseUrl: string,
  resultFiles: readonly string[],
  standInLimits?: StandInLimits,
): Promise<ReconcileReport> {
  const records = resultFiles.flatMap((f) => (existsSync(f) ? readResultFile(f) : []));
  return reconcile({
    records,
    ...(await readLedger(databaseUrl)),
    journals: await drainedJournals(),
    ...(standInLimits ? { standInLimits } : {}),
  });
}

/** The figures a case prints and the docs quote. */
export function figures(
  name: string,
  r: ReconcileReport,
  extra: Record<string, number | string> = {},
): string {
  const c = r.counts;
  return JSON.stringify({
    case: name,
    payments: c.payments,
    approved: c.approved,
    standIn: c.approvedStandIn,
    declined: c.declined,
    undecided: c.undecided,
    lost: c.lost,
    doubled: c.doubled,
    longestGapMs: c.longestGapMs,
    p50Ms: c.approvalP50Ms,
    p99Ms: c.approvalP99Ms,
    ...extra,
  });
}

/** No log line of these texts holds one of the PANs. */
export function panFree(texts: readonly string[], pans: readonly string[]): boolean {
  return pans.every((p) => texts.every((t) => !t.includes(p)));
}
