// A fleet of terminals on one gateway: options checked (a bad one is an error naming it), one
// routes follower per terminal, every attempt appended to one result file and counted.
import { randomBytes } from 'node:crypto';
import { isAllowedTarget, isIpv4Cidr } from './decisions.js';
import { ResultFile, type ResultRecord } from './results.js';
import { RoutesFollower } from './routes-follower.js';
import { Terminal } from './terminal.js';

export interface FleetOptions {
  /** Base URL of the operator's routes API (loopback, or inside allowNetworks). */
  readonly routesUrl: string;
  /**
   * IPv4 networks (CIDR) terminals may contact besides loopback, e.g. the real-node testbed's
   * 10.88.0.0/16; routes anywhere else are never contacted.
   */
  readonly allowNetworks?: readonly string[];
  readonly namespace: string;
  readonly name: string;
  readonly terminals: number;
  /** Payments per second, per terminal. */
  readonly ratePerSecond: number;
  /** Payments per terminal at most. */
  readonly maxPayments: number;
  /** No payment starts after this long. */
  readonly durationMs: number;
  readonly resultFile: string;
  readonly seed?: number;
  readonly runId?: string;
  readonly requestTimeoutMs?: number;
  readonly maxSameSite?: number;
  readonly writeDeadlineMs?: number;
  readonly captureShare?: number;
  readonly reverseShare?: number;
  readonly partialShare?: number;
  readonly currency?: string;
  readonly merchantId?: string;
  readonly amountMinMinor?: number;
  readonly amountMaxMinor?: number;
  readonly cardsPerTerminal?: number;
  /** Told every record, after it is written. */
  readonly onRecord?: (r: ResultRecord) => void;
}

export interface FleetStats {
  attempts: number;
  approved: number;
  approvedStandIn: number;
  declined: number;
  /** Attempts with no answer (timeout, refused, reset). */
  unanswered: number;
  gaveUp: number;
  captured: number;
  reversed: number;
  /** Decided approvals by endpoint. */
  approvedAt: Record<string, number>;
}

export class FleetOptionError extends Error {}

const MAX_TERMINALS = 1000;
const MAX_RATE = 1000;

export function checkFleetOptions(o: FleetOptions): void {
  const bad = (field: string, rule: string): never => {
    throw new FleetOptionError(`${field} ${rule}`);
  };
  const int = (field: keyof FleetOptions, min: number, max: number): void => {
    const v = o[field];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
      bad(field, `must be an integer between ${min} and ${max}`);
  };
  const share = (field: keyof FleetOptions): void => {
    const v = o[field];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 1)))
      bad(field, 'must be between 0 and 1');
  };
  for (const n of o.allowNetworks ?? [])
    if (!isIpv4Cidr(n)) bad('allowNetworks', `entry "${n}" must be an IPv4 CIDR such as 10.88.0.0/16`);
  if (!isAllowedTarget(o.routesUrl, o.allowNetworks))
    bad('routesUrl', 'must be a loopback URL (127.0.0.1, ::1 or localhost) or inside allowNetworks');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.namespace)) bad('namespace', 'must be a DNS label');
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.name)) bad('name', 'must be a DNS subdomain');
  int('terminals', 1, MAX_TERMINALS);
  int('maxPayments', 1, 1_000_000);
  int('durationMs', 1, 24 * 3600_000);
  int('requestTimeoutMs', 1, 60_000);
  int('maxSameSite', 1, 100);
  int('writeDeadlineMs', 1, 600_000);
  int('amountMinMinor', 1, Number.MAX_SAFE_INTEGER);
  int('amountMaxMinor', 1, Number.MAX_SAFE_INTEGER);
  int('cardsPerTerminal', 1, 1000);
  if (!(o.ratePerSecond > 0 && o.ratePerSecond <= MAX_RATE))
    bad('ratePerSecond', `must be in (0, ${MAX_RATE}]`);
  share('captureShare');
  share('reverseShare');
  share('partialShare');
  if ((o.captureShare ?? 0.5) + (o.reverseShare ?? 0.2) > 1)
    bad('captureShare + reverseShare', 'must be at most 1');
  if ((o.amountMinMinor ?? 100) > (o.amountMaxMinor ?? 5000))
    bad('amountMinMinor', 'must be at most amountMaxMinor');
  if (o.currency !== undefined && !/^[A-Z]{3}$/.test(o.currency))
    bad('currency', 'must be ISO 4217 (3 capitals)');
  if (o.runId !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(o.runId))
    bad('runId', 'must be 1-40 of [A-Za-z0-9_-]');
}

export function emptyStats(): FleetStats {
  return {
    attempts: 0,
    approved: 0,
    approvedStandIn: 0,
    declined: 0,
    unanswered: 0,
    gaveUp: 0,
    captured: 0,
    reversed: 0,
    approvedAt: {},
  };
}

/** Counts one record into the stats (pure; the fleet's progress and the CLI's summary). */
export function countRecord(s: FleetStats, r: ResultRecord): void {
  if (r.failure === 'gaveUp') {
    s.gaveUp++;
    return;
  }
  s.attempts++;
  if (r.status === 0) s.unanswered++;
  if (r.op === 'authorize' && r.status === 201 && r.decision === 'approved') {
    s.approved++;
    if (r.mode === 'standIn') s.approvedStandIn++;
    if (r.endpoint) s.approvedAt[r.endpoint] = (s.approvedAt[r.endpoint] ?? 0) + 1;
  }
  if (r.op === 'authorize' && r.status === 201 && r.decision === 'declined') s.declined++;
  if (r.op === 'capture' && r.status === 200) s.captured++;
  if (r.op === 'reversal' && r.status === 200) s.reversed++;
}

export class Fleet {
  readonly stats = emptyStats();
  private readonly terminals: Terminal[] = [];
  private readonly followers: RoutesFollower[] = [];
  private stopping = false;
  private running: Promise<void> | undefined;

  constructor(private readonly o: FleetOptions) {
    checkFleetOptions(o);
    const file = new ResultFile(o.resultFile);
    const runId = o.runId ?? Date.now().toString(36) + randomBytes(2).toString('hex');
    const endAtMs = Date.now() + o.durationMs;
    for (let i = 0; i < o.terminals; i++) {
      const routes = new RoutesFollower({ baseUrl: o.routesUrl, namespace: o.namespace, name: o.name });
      this.followers.push(routes);
      this.terminals.push(
        new Terminal({
          // Unique per run: the reconciliation tells this run's bookings from earlier runs' by it.
          id: `t-${runId}-${i + 1}`,
          gateway: `${o.namespace}/${o.name}`,
          routes,
          allowNetworks: o.allowNetworks ?? [],
          ratePerSecond: o.ratePerSecond,
          maxPayments: o.maxPayments,
          endAtMs,
          requestTimeoutMs: o.requestTimeoutMs ?? 2000,
          maxSameSite: o.maxSameSite ?? 3,
          writeDeadlineMs: o.writeDeadlineMs ?? 30_000,
          shares: {
            capture: o.captureShare ?? 0.5,
            reverse: o.reverseShare ?? 0.2,
            partial: o.partialShare ?? 0.3,
          },
          seed: (o.seed ?? 1) * 1000 + i,
          merchantId: o.merchantId ?? 'm-fleet',
          currency: o.currency ?? 'EUR',
          amountMinMinor: o.amountMinMinor ?? 100,
          amountMaxMinor: o.amountMaxMinor ?? 5000,
          cards: o.cardsPerTerminal ?? 4,
          record: (r) => {
            file.append(r);
            countRecord(this.stats, r);
            o.onRecord?.(r);
          },
          keepGoing: () => !this.stopping,
        }),
      );
    }
  }

  /** Every test PAN the terminals pay with (for tests that look for them in logs). */
  pans(): string[] {
    return this.terminals.flatMap((t) => [...t.pans]);
  }

  /** Runs until every terminal made its payments or the duration ended. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const f of this.followers) f.start();
      try {
        await Promise.all(this.terminals.map((t) => t.run()));
      } finally {
        await Promise.all(this.followers.map((f) => f.stop()));
      }
    })();
    return this.running;
  }

  /** No new payments; resolves when the writes in flight are decided (or given up). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }
}
