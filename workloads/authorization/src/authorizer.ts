// The authorization service's core: authorize, capture, reverse, read. Decisions come from the
// pure modules (requests, idempotency, serving, stand-in-limits, replay-plan); this file is the
// shell that calls the ledger, the journal and the clock in the right order:
//
//   validate → idempotency (local answer, or same-key request in flight) → serving? →
//   ledger within the deadline (online) | stand-in within the limits → journal (durable) → answer
import type { Contract, Logger } from '@paygrid/workload-kit';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { DeclineReporter } from './decline-reporter.js';
import { cancelId, decideIdempotency, fingerprint, transferId } from './idempotency.js';
import type { AuthorizationRecord, Journal, JournalWrite, LedgerTransfer } from './journal.js';
import type { LedgerClient, LedgerResult } from './ledger-client.js';
import type { Outcome } from './metrics.js';
import type { OfflineExposureBook } from './offline-exposure.js';
import {
  parseAuthorize,
  parseCapture,
  parseIdempotencyKey,
  parseReversal,
  type AuthorizeRequest,
} from './requests.js';
import { servingState, type ServingState } from './serving.js';
import { decideStandIn } from './stand-in-limits.js';
import type { Tokenizer } from './tokenizer.js';
import { holdTransfer, resolveTransfer } from './transfers.js';

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly outcome: Outcome;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What an operation decided, before the journal: the answer, and what to make durable with it. */
interface Decided extends Answer {
  /** Keep the answer under the Idempotency-Key (a decision; not a 503 or a validation error). */
  readonly store: boolean;
  readonly writes?: readonly JournalWrite[];
  /** Undone when the journal write fails. */
  readonly undo?: () => void;
  /** Run once the answer is durable. */
  readonly after?: () => void;
}

export interface AuthorizerOptions {
  readonly journal: Journal;
  readonly ledger: LedgerClient;
  readonly breaker: CircuitBreaker;
  readonly exposure: OfflineExposureBook;
  readonly declines: DeclineReporter;
  readonly logger: Logger;
  readonly contract: () => Contract | undefined;
  readonly tokenizer: () => Tokenizer | undefined;
  readonly holdTimeoutSeconds: number;
  readonly now?: () => Date;
}

const error = (
  status: number,
  reason: string,
  message: string,
  outcome: Outcome,
  extra: Record<string, unknown> = {},
): Decided => ({
  status,
  body: { error: { reason, message, ...extra } },
  outcome,
  store: false,
});

export function authorizationView(r: AuthorizationRecord): Record<string, unknown> {
  return {
    id: r.id,
    status: r.status,
    mode: r.mode,
    state: r.state,
    amountMinor: r.amountMinor,
    ...(r.capturedMinor !== undefined ? { capturedMinor: r.capturedMinor } : {}),
    currency: r.currency,
    card: r.card,
    merchantId: r.merchantId,
    terminalId: r.terminalId,
    ...(r.declineReason !== undefined ? { declineReason: r.declineReason } : {}),
    createdAt: r.createdAt,
  };
}

interface LedgerTransferView extends LedgerTransfer {
  readonly state?: string;
  readonly createdAt?: string;
}

/** An authorization booked by another site, as the ledger holds it. */
function viewFromLedger(t: LedgerTransferView): Record<string, unknown> {
  const state =
    { pending: 'authorized', posted: 'captured', voided: 'reversed', expired: 'expired' }[t.state ?? ''] ??
    t.state;
  return {
    id: t.id,
    status: 'approved',
    mode: 'online',
    state,
    amountMinor: t.amountMinor,
    currency: t.currency,
    card: {
      token: t.debitAccountId.replace(/^card:/, ''),
      ...(t.metadata?.last4 ? { last4: t.metadata.last4 } : {}),
    },
    merchantId: t.metadata?.merchantId ?? t.creditAccountId.replace(/^merchant:/, ''),
    terminalId: t.metadata?.terminalId,
    ...(t.createdAt ? { createdAt: t.createdAt } : {}),
  };
}

function ledgerReason(result: LedgerResult): string | undefined {
  if (result.kind !== 'answered') return undefined;
  const reason = (result.body as { error?: { reason?: unknown } } | undefined)?.error?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

/** Whose fence refused a write: this site's ('authorization') or the ledger's own ('ledger'). */
function fenceScope(result: LedgerResult): string | undefined {
  if (result.kind !== 'answered') return undefined;
  const scope = (result.body as { error?: { scope?: unknown } } | undefined)?.error?.scope;
  return typeof scope === 'string' ? scope : undefined;
}

export class Authorizer {
  private fencedAtEpoch: number | undefined;
  private readonly inflight = new Map<
    string,
    { readonly fingerprint: string; readonly answer: Promise<Answer> }
  >();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly now: () => Date;

  constructor(private readonly o: AuthorizerOptions) {
    this.now = o.now ?? (() => new Date());
  }

  serving(): ServingState {
    return servingState(this.o.contract(), this.fencedAtEpoch);
  }

  // ------------------------------------------------------------------ authorize

  async authorize(keyHeader: string | string[] | undefined, body: unknown): Promise<Answer> {
    const key = parseIdempotencyKey(keyHeader);
    if (!key.ok) return { status: 400, body: key.error.body(), outcome: 'invalid' };
    const started = Date.now();
    const parsed = parseAuthorize(body, this.now());
    if (!parsed.ok) return { status: 400, body: parsed.error.body(), outcome: 'invalid' };
    const tokenizer = this.o.tokenizer();
    if (!tokenizer)
      return error(503, 'NotReady', 'the tokenization key is not loaded; see /readyz', 'unavailable');
    const req = parsed.value;
    const token = tokenizer.token(req.card.pan);
    const fp = fingerprint('authorize', '', [
      req.amountMinor,
      req.currency,
      token,
      req.card.expiry,
      req.merchantId,
      req.terminalId,
    ]);
    return this.idempotent(key.value, fp, () => this.decideAuthorization(key.value, req, token, started));
  }

  private async decideAuthorization(
    key: string,
    req: AuthorizeRequest,
    token: string,
    started: number,
  ): Promise<Decided> {
    const state = this.serving();
    const contract = this.o.contract();
    if (!state.serving)
      return error(503, state.reason, state.message, state.reason === 'Fenced' ? 'fenced' : 'not_serving');
    if (!contract)
      return error(503, 'ContractNotLoaded', 'the placement contract has not been read yet', 'not_serving');
    const id = transferId('authorize', contract.gateway, key);
    const metadata = {
      gateway: contract.gateway,
      site: contract.member,
      terminalId: req.terminalId,
      merchantId: req.merchantId,
      last4: req.card.last4,
      latencyMs: Date.now() - started,
    };
    const hold = holdTransfer({
      id,
      token,
      merchantId: req.merchantId,
      amountMinor: req.amountMinor,
      currency: req.currency,
      timeoutSeconds: this.o.holdTimeoutSeconds,
      metadata,
    });
    const base = {
      id,
      amountMinor: req.amountMinor,
      currency: req.currency,
      card: { token, last4: req.card.last4 },
      merchantId: req.merchantId,
      terminalId: req.terminalId,
      createdAt: this.now().toISOString(),
    };
    let ambiguous = false;
    if (this.o.breaker.allowsRequest()) {
      const result = await this.o.ledger.call('POST', '/v1/transfers', hold);
      if (result.kind === 'answered') {
        this.ledgerAnswered();
        const reason = ledgerReason(result);
        if (result.status === 200 || result.status === 201) {
          const record: AuthorizationRecord = {
            ...base,
            status: 'approved',
            mode: 'online',
            state: 'authorized',
          };
          return this.decided(201, record, 'approved_online');
        }
        // scope ledger: the ledger answering is the one fenced (a promoted ledger writes now, and
        // this site's contract still names the old one until its kubelet syncs): the ledger is
        // away for this site, which stands in; only a fence on this site stops it.
        if (result.status === 409 && reason === 'Fenced' && fenceScope(result) === 'ledger') {
          this.ledgerFailed('superseded ledger');
          return this.standIn(contract, req, hold, base, metadata, false);
        }
        if (result.status === 409 && reason === 'Fenced') return this.fenced(contract, result);
        if (result.status === 409 && reason === 'IdConflict')
          return error(
            409,
            'IdempotencyKeyReused',
            'this Idempotency-Key was used for another request (at another site); use a new key for a new payment',
            'idempotency_conflict',
          );
        if (result.status === 422) {
          const record: AuthorizationRecord = {
            ...base,
            status: 'declined',
            mode: 'online',
            state: 'declined',
            declineReason: reason ?? 'Declined',
          };
          return {
            ...this.decided(201, record, 'declined_online'),
            after: () => this.reportDecline(record, metadata),
          };
        }
        this.o.logger.error(
          { status: result.status, reason },
          'the ledger refused a hold this service built',
        );
        return error(
          502,
          'LedgerRefused',
          `the ledger refused the hold (${reason ?? result.status})`,
          'error',
        );
      }
      this.ledgerFailed(result.cause);
      ambiguous = result.ambiguous;
    }
    return this.standIn(contract, req, hold, base, metadata, ambiguous);
  }

  private standIn(
    contract: Contract,
    req: AuthorizeRequest,
    hold: LedgerTransfer,
    base: Omit<AuthorizationRecord, 'status' | 'mode' | 'state'>,
    metadata: Record<string, string | number>,
    ambiguous: boolean,
  ): Decided {
    const limits = contract.standIn;
    const decision = limits
      ? decideStandIn(limits, this.o.exposure.of(req.currency), req)
      : ({
          approve: false,
          reason: 'StandInNotConfigured',
          message: 'the contract sets no stand-in limits',
        } as const);
    if (decision.approve) {
      const record: AuthorizationRecord = {
        ...base,
        status: 'approved',
        mode: 'standIn',
        state: 'authorized',
      };
      this.o.exposure.reserve(req.currency, req.amountMinor);
      return {
        ...this.decided(201, record, 'approved_stand_in'),
        writes: [
          { kind: 'authorization', record },
          {
            kind: 'outbox',
            entry: {
              kind: 'hold',
              authorizationId: hold.id,
              exposureMinor: req.amountMinor,
              currency: req.currency,
              transfer: hold,
            },
          },
        ],
        undo: () => this.o.exposure.release(req.currency, req.amountMinor),
      };
    }
    const record: AuthorizationRecord = {
      ...base,
      status: 'declined',
      mode: 'standIn',
      state: 'declined',
      declineReason: decision.reason,
    };
    // The ledger may have booked the hold before our deadline passed: release it when it answers.
    const cancel: JournalWrite[] = ambiguous
      ? [
          {
            kind: 'outbox',
            entry: {
              kind: 'cancel',
              authorizationId: hold.id,
              exposureMinor: 0,
              currency: hold.currency,
              transfer: resolveTransfer('void', cancelId(hold.id), hold, metadata),
            },
          },
        ]
      : [];
    return {
      ...this.decided(201, record, 'declined_stand_in'),
      writes: [{ kind: 'authorization', record }, ...cancel],
      after: () => this.reportDecline(record, metadata),
    };
  }

  // ------------------------------------------------------------------ capture, reversal

  async capture(keyHeader: string | string[] | undefined, id: string, body: unknown): Promise<Answer> {
    const key = parseIdempotencyKey(keyHeader);
    if (!key.ok) return { status: 400, body: key.error.body(), outcome: 'invalid' };
    const parsed = parseCapture(body);
    if (!parsed.ok) return { status: 400, body: parsed.error.body(), outcome: 'invalid' };
    const fp = fingerprint('capture', id, [parsed.value.amountMinor]);
    return this.idempotent(key.value, fp, () =>
      this.locked(id, () => this.resolve('capture', key.value, id, parsed.value.amountMinor)),
    );
  }

  async reverse(keyHeader: string | string[] | undefined, id: string, body: unknown): Promise<Answer> {
    const key = parseIdempotencyKey(keyHeader);
    if (!key.ok) return { status: 400, body: key.error.body(), outcome: 'invalid' };
    const parsed = parseReversal(body);
    if (!parsed.ok) return { status: 400, body: parsed.error.body(), outcome: 'invalid' };
    const fp = fingerprint('reversal', id, []);
    return this.idempotent(key.value, fp, () =>
      this.locked(id, () => this.resolve('reversal', key.value, id, undefined)),
    );
  }

  private async resolve(
    op: 'capture' | 'reversal',
    key: string,
    id: string,
    amountMinor: number | undefined,
  ): Promise<Decided> {
    const contract = this.o.contract();
    if (!contract)
      return error(503, 'ContractNotLoaded', 'the placement contract has not been read yet', 'not_serving');
    const record = this.o.journal.authorization(id);
    if (!record) return this.resolveRemote(op, contract, key, id, amountMinor);
    if (record.state === 'declined')
      return {
        ...error(
          422,
          'AuthorizationDeclined',
          'a declined authorization cannot be captured or reversed',
          'invalid',
        ),
        store: true,
      };
    if (record.state !== 'authorized')
      return {
        ...error(
          409,
          'AuthorizationAlreadyResolved',
          `the authorization is already ${record.state}`,
          'invalid',
          { state: record.state },
        ),
        store: true,
      };
    if (amountMinor !== undefined && amountMinor > record.amountMinor)
      return error(
        400,
        'FieldValueInvalid',
        `amountMinor must be at most the authorized ${record.amountMinor}`,
        'invalid',
        {
          field: 'amountMinor',
          rule: 'atMostAuthorized',
        },
      );
    const type = op === 'capture' ? 'post' : 'void';
    const captured = amountMinor ?? record.amountMinor;
    const metadata = {
      gateway: contract.gateway,
      site: contract.member,
      terminalId: record.terminalId,
      merchantId: record.merchantId,
    };
    const transfer = resolveTransfer(
      type,
      transferId(op, contract.gateway, key),
      holdTransfer({
        id,
        token: record.card.token,
        merchantId: record.merchantId,
        amountMinor: record.amountMinor,
        currency: record.currency,
        timeoutSeconds: 0,
        metadata,
      }),
      metadata,
      op === 'capture' ? captured : undefined,
    );
    const next: AuthorizationRecord =
      op === 'capture'
        ? { ...record, state: 'captured', capturedMinor: captured }
        : { ...record, state: 'reversed' };
    const outcome = op === 'capture' ? 'captured' : 'reversed';
    const journaled = (): Decided => ({
      ...this.decided(200, next, outcome),
      writes: [
        { kind: 'authorization', record: next },
        {
          kind: 'outbox',
          entry: { kind: type, authorizationId: id, exposureMinor: 0, currency: record.currency, transfer },
        },
      ],
    });
    // A hold still in the journal: its capture or void follows it there, in order.
    const holdQueued = record.mode === 'standIn' && this.o.journal.holdState(id) === 'queued';
    if (holdQueued || !this.o.breaker.allowsRequest()) return journaled();
    const result = await this.o.ledger.call('POST', '/v1/transfers', transfer);
    if (result.kind === 'unavailable') {
      this.ledgerFailed(result.cause);
      return journaled();
    }
    this.ledgerAnswered();
    const reason = ledgerReason(result);
    if (result.status === 200 || result.status === 201)
      return { ...this.decided(200, next, outcome), writes: [{ kind: 'authorization', record: next }] };
    return this.ledgerRefusal(contract, result, reason);
  }

  /** Capture or reversal of an authorization this site never saw (booked online at another site). */
  private async resolveRemote(
    op: 'capture' | 'reversal',
    contract: Contract,
    key: string,
    id: string,
    amountMinor: number | undefined,
  ): Promise<Decided> {
    if (!this.o.breaker.allowsRequest())
      return error(
        503,
        'LedgerUnavailable',
        'this authorization is not known here and the ledger does not answer; retry',
        'unavailable',
      );
    const found = await this.o.ledger.call('GET', `/v1/transfers/${encodeURIComponent(id)}`);
    if (found.kind === 'unavailable') {
      this.ledgerFailed(found.cause);
      return error(
        503,
        'LedgerUnavailable',
        'this authorization is not known here and the ledger does not answer; retry',
        'unavailable',
      );
    }
    if (found.status === 404 || !id.startsWith('authz_'))
      return error(404, 'AuthorizationNotFound', `no authorization ${id.slice(0, 80)}`, 'not_found');
    const hold = (found.body as { transfer?: LedgerTransferView } | undefined)?.transfer;
    if (found.status !== 200 || !hold || hold.type !== 'pending')
      return error(404, 'AuthorizationNotFound', `no authorization ${id.slice(0, 80)}`, 'not_found');
    if (amountMinor !== undefined && hold.amountMinor !== undefined && amountMinor > hold.amountMinor)
      return error(
        400,
        'FieldValueInvalid',
        `amountMinor must be at most the authorized ${hold.amountMinor}`,
        'invalid',
        {
          field: 'amountMinor',
          rule: 'atMostAuthorized',
        },
      );
    const metadata = { gateway: contract.gateway, site: contract.member };
    const transfer = resolveTransfer(
      op === 'capture' ? 'post' : 'void',
      transferId(op, contract.gateway, key),
      hold,
      metadata,
      op === 'capture' ? (amountMinor ?? hold.amountMinor) : undefined,
    );
    const result = await this.o.ledger.call('POST', '/v1/transfers', transfer);
    if (result.kind === 'unavailable') {
      this.ledgerFailed(result.cause);
      return error(
        503,
        'LedgerUnavailable',
        'the ledger did not answer; retry with the same Idempotency-Key',
        'unavailable',
      );
    }
    if (result.status === 200 || result.status === 201) {
      const view = {
        ...viewFromLedger(hold),
        state: op === 'capture' ? 'captured' : 'reversed',
        ...(op === 'capture' ? { capturedMinor: amountMinor ?? hold.amountMinor } : {}),
      };
      return { status: 200, body: view, outcome: op === 'capture' ? 'captured' : 'reversed', store: true };
    }
    return this.ledgerRefusal(contract, result, ledgerReason(result));
  }

  private ledgerRefusal(
    contract: Contract,
    result: LedgerResult & { kind: 'answered' },
    reason: string | undefined,
  ): Decided {
    if (result.status === 409 && reason === 'Fenced') return this.fenced(contract, result);
    if (reason === 'AmountExceedsPending')
      return error(400, 'FieldValueInvalid', 'amountMinor is more than the authorization holds', 'invalid', {
        field: 'amountMinor',
        rule: 'atMostAuthorized',
      });
    if (reason === 'PendingAlreadyResolved' || reason === 'PendingExpired')
      return {
        ...error(409, 'AuthorizationAlreadyResolved', `the ledger says ${reason}`, 'invalid'),
        store: true,
      };
    if (reason === 'PendingNotFound')
      return error(404, 'AuthorizationNotFound', 'the ledger holds no such authorization', 'not_found');
    if (reason === 'IdConflict')
      return error(
        409,
        'IdempotencyKeyReused',
        'this Idempotency-Key was used for another request; use a new key',
        'idempotency_conflict',
      );
    this.o.logger.error(
      { status: result.status, reason },
      'the ledger refused a transfer this service built',
    );
    return error(
      502,
      'LedgerRefused',
      `the ledger refused the transfer (${reason ?? result.status})`,
      'error',
    );
  }

  // ------------------------------------------------------------------ read

  async get(id: string): Promise<Answer> {
    const record = this.o.journal.authorization(id);
    if (record) return { status: 200, body: authorizationView(record), outcome: 'idempotent_replay' };
    if (!id.startsWith('authz_'))
      return { ...error(404, 'AuthorizationNotFound', `no authorization ${id.slice(0, 80)}`, 'not_found') };
    if (!this.o.breaker.allowsRequest())
      return error(
        503,
        'LedgerUnavailable',
        'this authorization is not known here and the ledger does not answer',
        'unavailable',
      );
    const found = await this.o.ledger.call('GET', `/v1/transfers/${encodeURIComponent(id)}`);
    if (found.kind === 'unavailable') {
      this.ledgerFailed(found.cause);
      return error(
        503,
        'LedgerUnavailable',
        'this authorization is not known here and the ledger does not answer',
        'unavailable',
      );
    }
    const transfer = (found.body as { transfer?: LedgerTransferView } | undefined)?.transfer;
    if (found.status !== 200 || !transfer || transfer.type !== 'pending')
      return error(404, 'AuthorizationNotFound', `no authorization ${id.slice(0, 80)}`, 'not_found');
    return { status: 200, body: viewFromLedger(transfer), outcome: 'idempotent_replay' };
  }

  // ------------------------------------------------------------------ plumbing

  private decided(status: number, record: AuthorizationRecord, outcome: Outcome): Decided {
    return {
      status,
      body: authorizationView(record),
      outcome,
      store: true,
      writes: [{ kind: 'authorization', record }],
    };
  }

  private fenced(contract: Contract, result: LedgerResult & { kind: 'answered' }): Decided {
    const fenceEpoch = (result.body as { error?: { fenceEpoch?: unknown } } | undefined)?.error?.fenceEpoch;
    if (this.fencedAtEpoch !== contract.epoch)
      this.o.logger.warn(
        { epoch: contract.epoch, fenceEpoch },
        'the ledger fenced this site: no new approvals until a newer epoch',
      );
    this.fencedAtEpoch = contract.epoch;
    return error(
      503,
      'Fenced',
      `the ledger fenced this site at epoch ${contract.epoch}; another placement serves`,
      'fenced',
      {
        ...(typeof fenceEpoch === 'number' ? { fenceEpoch } : {}),
      },
    );
  }

  private ledgerAnswered(): void {
    if (this.o.breaker.state === 'open')
      this.o.logger.info('the ledger answers again: online authorizations resume');
    this.o.breaker.onSuccess();
  }

  private ledgerFailed(cause: string): void {
    const before = this.o.breaker.state;
    this.o.breaker.onFailure();
    if (before === 'closed' && this.o.breaker.state === 'open')
      this.o.logger.warn({ cause }, 'the ledger does not answer: authorizations go to stand-in');
  }

  private reportDecline(record: AuthorizationRecord, metadata: Record<string, string | number>): void {
    this.o.declines.report({
      id: record.id,
      amountMinor: record.amountMinor,
      currency: record.currency,
      reason: record.declineReason ?? 'Declined',
      metadata,
    });
  }

  /** Runs `decide` once per key: a retry is answered from the journal, a concurrent duplicate waits. */
  private async idempotent(key: string, fp: string, decide: () => Promise<Decided>): Promise<Answer> {
    const conflict: Answer = {
      status: 409,
      body: {
        error: {
          reason: 'IdempotencyKeyReused',
          message:
            'this Idempotency-Key was already used with a different request body; use a new key for a new request',
        },
      },
      outcome: 'idempotency_conflict',
    };
    const running = this.inflight.get(key);
    if (running) {
      if (running.fingerprint !== fp) return conflict;
      const first = await running.answer;
      return { ...first, outcome: 'idempotent_replay', headers: { 'idempotent-replayed': 'true' } };
    }
    const stored = this.o.journal.answer(key);
    const decision = decideIdempotency(stored, fp);
    if (decision === 'conflict') return conflict;
    if (decision === 'replay' && stored)
      return {
        status: stored.status,
        body: JSON.parse(stored.body),
        outcome: 'idempotent_replay',
        headers: { 'idempotent-replayed': 'true' },
      };
    const answer = this.commit(key, fp, decide);
    this.inflight.set(key, { fingerprint: fp, answer });
    try {
      return await answer;
    } finally {
      this.inflight.delete(key);
    }
  }

  private async commit(key: string, fp: string, decide: () => Promise<Decided>): Promise<Answer> {
    const d = await decide();
    if (d.store) {
      const writes: JournalWrite[] = [
        ...(d.writes ?? []),
        { kind: 'answer', key, answer: { fingerprint: fp, status: d.status, body: JSON.stringify(d.body) } },
      ];
      try {
        await this.o.journal.write(writes);
      } catch (err) {
        d.undo?.();
        this.o.logger.error({ err }, 'journal write failed; the request was not answered');
        return {
          status: 503,
          body: {
            error: {
              reason: 'JournalUnavailable',
              message: 'the site could not record the answer durably; retry with the same Idempotency-Key',
            },
          },
          outcome: 'error',
        };
      }
    }
    d.after?.();
    return { status: d.status, body: d.body, outcome: d.outcome };
  }

  /** One capture or reversal at a time per authorization. */
  private async locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const mine = previous.then(fn, fn);
    const tail = mine.catch(() => undefined);
    this.locks.set(id, tail);
    try {
      return await mine;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }
}
