// The ledger's HTTP API (docs/ledger.md, openapi.yaml): routes → parse → the writer or a read →
// the answer. Writes need a serving role; reads do not.
import type { Pool } from 'pg';
import { HttpError, invalidField, Router, type Handler, type Response } from '@paygrid/workload-kit';
import type { EventWaiters } from './event-waiters.js';
import type { LedgerMetrics } from './metrics.js';
import { accountView, transferView } from './model.js';
import { getAccount, getTransfer, readEvents } from './reads.js';
import { parseAccount, parseDecline, parseTransfer, type TransferRequest } from './transfer-request.js';
import type { Writer } from './writer.js';
import { parseWriterIdentity } from './writer-identity.js';
import type { JobResult } from './write-transaction.js';

export interface LedgerApiDeps {
  readonly pool: Pool;
  readonly writer: Writer;
  readonly waiters: EventWaiters;
  readonly metrics: LedgerMetrics;
  /** undefined when this ledger may write; otherwise why not (503). */
  readonly refuseWrites: () => HttpError | undefined;
  /** True once shutdown began: long-polls answer at once. */
  readonly stopping: () => boolean;
}

const MAX_BATCH_REQUEST = 1000;

function answer(type: string, r: JobResult, metrics: LedgerMetrics): Response {
  switch (r.kind) {
    case 'booked':
      metrics.transfers.inc({ type, result: 'booked' });
      return { status: 201, body: { transfer: transferView(r.transfer) } };
    case 'duplicate':
      metrics.transfers.inc({ type, result: 'duplicate' });
      return { status: 200, body: { transfer: transferView(r.transfer) } };
    case 'conflict':
      metrics.transfers.inc({ type, result: 'conflict' });
      return {
        status: 409,
        body: new HttpError(
          409,
          'IdConflict',
          `transfer ${r.transfer.id} exists with other content; use a new id`,
          {
            field: 'id',
          },
        ).body(),
      };
    case 'fenced':
      metrics.transfers.inc({ type, result: 'fenced' });
      metrics.fenced.inc({ scope: r.scope });
      return {
        status: 409,
        body: new HttpError(
          409,
          'Fenced',
          r.scope === 'ledger'
            ? `this ledger's epoch is older than ${r.fenceEpoch}: a newer ledger writes now`
            : `this site was replaced at epoch ${r.fenceEpoch}: it may no longer book online`,
          { fenceEpoch: r.fenceEpoch, scope: r.scope },
        ).body(),
      };
    case 'rejected':
      metrics.transfers.inc({ type, result: 'rejected' });
      return { status: 422, body: new HttpError(422, r.reason, r.message).body() };
    case 'retry':
      metrics.transfers.inc({ type, result: 'unavailable' });
      return { status: 503, body: new HttpError(503, 'RetryLater', r.message).body() };
    case 'declineRecorded':
      return { status: r.duplicate ? 200 : 201, body: { seq: r.seq } };
  }
}

function unavailable(err: unknown): Response {
  return {
    status: 503,
    body: new HttpError(
      503,
      'LedgerUnavailable',
      `the database did not commit (${(err as Error).message?.slice(0, 120) ?? 'error'}); retry with the same id`,
    ).body(),
  };
}

function intParam(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw invalidField(name, 'range', `${name} must be an integer from ${min} to ${max}`);
  return Number(raw);
}

export function ledgerRoutes(deps: LedgerApiDeps): Router<Handler> {
  const { pool, writer, waiters, metrics } = deps;
  const mustWrite = () => {
    const refusal = deps.refuseWrites();
    if (refusal) throw refusal;
  };
  const book = async (request: TransferRequest, headers: Parameters<typeof parseWriterIdentity>[0]) => {
    const writerId = parseWriterIdentity(headers);
    try {
      return answer(
        request.type,
        await writer.submit({ kind: 'transfer', request, writer: writerId }),
        metrics,
      );
    } catch (err) {
      metrics.transfers.inc({ type: request.type, result: 'unavailable' });
      return unavailable(err);
    }
  };

  return new Router<Handler>()
    .add('POST', '/v1/transfers', async (req) => {
      mustWrite();
      return book(parseTransfer(req.body), req.headers);
    })
    .add('POST', '/v1/transfers/batch', async (req) => {
      mustWrite();
      const body = req.body as { transfers?: unknown } | undefined;
      if (
        !Array.isArray(body?.transfers) ||
        body.transfers.length === 0 ||
        body.transfers.length > MAX_BATCH_REQUEST
      )
        throw invalidField(
          'transfers',
          'array',
          `transfers must be an array of 1 to ${MAX_BATCH_REQUEST} transfers`,
        );
      const requests = body.transfers.map((t, i) => parseTransfer(t, `transfers[${i}]`));
      parseWriterIdentity(req.headers);
      const answers = await Promise.all(requests.map((r) => book(r, req.headers)));
      return {
        status: 200,
        body: { results: answers.map((a) => ({ status: a.status, ...(a.body as object) })) },
      };
    })
    .add('GET', '/v1/transfers/:id', async (req) => {
      const t = await getTransfer(pool, req.params.id as string);
      if (!t)
        throw new HttpError(404, 'TransferNotFound', `no transfer ${String(req.params.id).slice(0, 128)}`);
      return { status: 200, body: { transfer: transferView(t) } };
    })
    .add('POST', '/v1/accounts', async (req) => {
      mustWrite();
      const a = parseAccount(req.body);
      const inserted = await pool.query(
        `INSERT INTO accounts (id, currency, debits_must_not_exceed_credits, credits_must_not_exceed_debits)
         VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
        [a.id, a.currency, a.debitsMustNotExceedCredits, a.creditsMustNotExceedDebits],
      );
      const stored = await getAccount(pool, a.id);
      if (!stored) throw new Error(`account ${a.id} vanished`);
      const same =
        stored.currency === a.currency &&
        stored.debitsMustNotExceedCredits === a.debitsMustNotExceedCredits &&
        stored.creditsMustNotExceedDebits === a.creditsMustNotExceedDebits;
      if (!same)
        throw new HttpError(409, 'IdConflict', `account ${a.id} exists with another currency or flags`, {
          field: 'id',
        });
      return { status: inserted.rowCount === 1 ? 201 : 200, body: { account: accountView(stored) } };
    })
    .add('GET', '/v1/accounts/:id', async (req) => {
      const a = await getAccount(pool, req.params.id as string);
      if (!a)
        throw new HttpError(404, 'AccountNotFound', `no account ${String(req.params.id).slice(0, 128)}`);
      return { status: 200, body: { account: accountView(a) } };
    })
    .add('POST', '/v1/declines', async (req) => {
      mustWrite();
      const decline = parseDecline(req.body);
      const writerId = parseWriterIdentity(req.headers);
      try {
        const r = await writer.submit({ kind: 'decline', decline, writer: writerId });
        if (r.kind === 'declineRecorded' && !r.duplicate) metrics.declines.inc();
        return answer('decline', r, metrics);
      } catch (err) {
        return unavailable(err);
      }
    })
    .add('GET', '/v1/events', async (req) => {
      const after = intParam(req.query, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
      const limit = intParam(req.query, 'limit', 500, 1, 1000);
      const timeoutMs = intParam(req.query, 'timeoutSeconds', 0, 0, 60) * 1000;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const events = await readEvents(pool, after, limit);
        const left = deadline - Date.now();
        if (events.length > 0 || left <= 0 || req.signal.aborted || deps.stopping())
          return {
            status: 200,
            body: { events, next: events.length ? (events.at(-1)?.seq ?? after) : after },
          };
        metrics.feedWaiters.set(waiters.size + 1);
        await waiters.wait(Math.min(left, 5_000), req.signal);
        metrics.feedWaiters.set(waiters.size);
      }
    });
}
