// One card terminal: pays at a fixed rate with a unique Idempotency-Key per payment, to the first
// live route of its gateway, repeating a write with the same key until it is decided (at the same
// site after a timeout, at the next route after a refusal or a site that does not serve); captures
// or reverses a share of its approvals. Every attempt is recorded; the PAN never is.
import { last4, testPan } from './cards.js';
import {
  chooseFollowUp,
  dueAt,
  isAllowedTarget,
  nextStep,
  pickEndpoint,
  type FollowUpShares,
} from './decisions.js';
import { postJson } from './http-attempt.js';
import { randomInt, seededRandom } from './prng.js';
import type { Operation, ResultRecord } from './results.js';
import type { RoutesFollower } from './routes-follower.js';

export interface TerminalOptions {
  /** Unique across runs against the same ledger: Idempotency-Keys are made from it. */
  readonly id: string;
  /** "namespace/name". */
  readonly gateway: string;
  readonly routes: RoutesFollower;
  /** Networks besides loopback that routes may point into (see FleetOptions.allowNetworks). */
  readonly allowNetworks: readonly string[];
  readonly ratePerSecond: number;
  readonly maxPayments: number;
  /** No payment starts after this time (ms since the epoch). */
  readonly endAtMs: number;
  readonly requestTimeoutMs: number;
  /** Attempts at one endpoint before falling to the next route (timeouts, transient 5xx). */
  readonly maxSameSite: number;
  /** A write not decided within this time is recorded as given up. */
  readonly writeDeadlineMs: number;
  readonly shares: FollowUpShares;
  readonly seed: number;
  readonly merchantId: string;
  readonly currency: string;
  readonly amountMinMinor: number;
  readonly amountMaxMinor: number;
  /** Distinct cards this terminal pays with. */
  readonly cards: number;
  readonly record: (r: ResultRecord) => void;
  /** Asked before each payment: false stops the terminal. */
  readonly keepGoing: () => boolean;
}

interface Decided {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export class Terminal {
  private readonly random;
  readonly pans: readonly string[];

  constructor(private readonly o: TerminalOptions) {
    this.random = seededRandom(o.seed);
    this.pans = Array.from({ length: Math.max(1, o.cards) }, () => testPan(this.random));
  }

  async run(): Promise<void> {
    const start = Date.now();
    let previousEnd = 0;
    for (let n = 0; n < this.o.maxPayments; n++) {
      const due = dueAt(start, n, this.o.ratePerSecond, previousEnd);
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      if (!this.o.keepGoing() || Date.now() >= this.o.endAtMs) return;
      await this.payment(n);
      previousEnd = Date.now();
    }
  }

  private async payment(n: number): Promise<void> {
    const pan = this.pans[randomInt(this.random, 0, this.pans.length - 1)]!;
    const amountMinor = randomInt(this.random, this.o.amountMinMinor, this.o.amountMaxMinor);
    const key = `${this.o.id}.${n}`;
    const card = { last4: last4(pan), amountMinor, currency: this.o.currency };
    const body = {
      amountMinor,
      currency: this.o.currency,
      card: { pan, expiry: '12/39' },
      merchantId: this.o.merchantId,
      terminalId: this.o.id,
    };
    const follow = chooseFollowUp(this.random, this.o.shares, amountMinor);
    const answer = await this.write('authorize', '/v1/authorizations', body, key, card);
    if (answer?.status !== 201 || answer.body.status !== 'approved') return;
    const authId = String(answer.body.id);
    const path = `/v1/authorizations/${encodeURIComponent(authId)}`;
    if (follow.kind === 'capture')
      await this.write('capture', `${path}/capture`, { amountMinor: follow.amountMinor }, `${key}.capture`, {
        ...card,
        amountMinor: follow.amountMinor,
        authId,
      });
    else if (follow.kind === 'reverse')
      await this.write('reversal', `${path}/reversal`, {}, `${key}.reversal`, { ...card, authId });
  }

  /** Sends one write until it is decided or its deadline passes; the decided answer, if any. */
  private async write(
    op: Operation,
    path: string,
    body: unknown,
    key: string,
    card: { last4: string; amountMinor: number; currency: string; authId?: string },
  ): Promise<Decided | undefined> {
    const deadline = Date.now() + this.o.writeDeadlineMs;
    const failed = new Set<string>();
    let seen = this.o.routes.changes;
    let sticky: string | undefined;
    let here = 0;
    let attempt = 0;
    const base = {
      gateway: this.o.gateway,
      terminal: this.o.id,
      op,
      key,
      amountMinor: card.amountMinor,
      currency: card.currency,
      last4: card.last4,
      ...(card.authId ? { authId: card.authId } : {}),
    };
    while (Date.now() < deadline) {
      if (this.o.routes.changes !== seen) {
        // New routes: every endpoint deserves another try.
        seen = this.o.routes.changes;
        failed.clear();
        sticky = undefined;
        here = 0;
      }
      const routes = (this.o.routes.current?.routes ?? []).filter((r) =>
        isAllowedTarget(r.endpoint, this.o.allowNetworks),
      );
      const endpoint = sticky ?? pickEndpoint(routes, failed);
      if (endpoint === undefined) {
        // Every route failed for this write (or none is published): wait for new routes, briefly.
        failed.clear();
        await this.o.routes.changedSince(seen, routes.length === 0 ? 500 : 100);
        continue;
      }
      attempt++;
      here++;
      const r = await postJson(endpoint + path, body, key, this.o.requestTimeoutMs);
      const status = r.outcome.kind === 'answered' ? r.outcome.status : 0;
      const b = r.body;
      const reason =
        r.outcome.kind === 'answered'
          ? (r.outcome.reason ?? (typeof b.declineReason === 'string' ? b.declineReason : undefined))
          : undefined;
      const rec: ResultRecord = {
        at: new Date().toISOString(),
        ...base,
        attempt,
        endpoint,
        status,
        ...(r.outcome.kind === 'timeout' ? { failure: 'timeout' } : {}),
        ...(r.outcome.kind === 'unreachable' ? { failure: r.outcome.code } : {}),
        ...(op === 'authorize' && typeof b.id === 'string' ? { authId: b.id } : {}),
        ...(b.status === 'approved' || b.status === 'declined' ? { decision: b.status } : {}),
        ...(b.status === 'approved' && (b.mode === 'online' || b.mode === 'standIn') ? { mode: b.mode } : {}),
        ...(reason ? { reason } : {}),
        ...(op === 'capture' && typeof b.capturedMinor === 'number'
          ? { capturedMinor: b.capturedMinor }
          : {}),
        latencyMs: r.latencyMs,
      };
      this.o.record(rec);
      const step = nextStep(r.outcome, here, this.o.maxSameSite);
      if (step === 'final') return { status, body: b };
      if (step === 'nextRoute') {
        failed.add(endpoint);
        sticky = undefined;
        here = 0;
      } else sticky = endpoint;
    }
    this.o.record({
      at: new Date().toISOString(),
      ...base,
      attempt: attempt + 1,
      endpoint: null,
      status: 0,
      failure: 'gaveUp',
      latencyMs: 0,
    });
    return undefined;
  }
}
