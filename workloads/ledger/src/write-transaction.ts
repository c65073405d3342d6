// One group commit: a whole batch of jobs in one PostgreSQL transaction, on the writer's own
// connection. Order: take the ledger fence FOR UPDATE (this serialises every writer, in this
// process and in any other ledger on the database, so event seqs are assigned in commit order),
// read what the batch names in the same round trip, judge and raise the fences, plan it (plan-batch.ts, pure), insert the
// booked rows in one statement (the triggers re-check every rule), record declines, notify the
// change feed, commit. Round trips are what a batch waits on, so BEGIN rides with the fence
// reads and the batch's reads, the notify with COMMIT, and the insert is prepared once per connection.
// If the database refuses a row the plan booked (it should not), the transaction is rolled back
// and the batch redone with each row under its own savepoint, so the refused row is isolated.
import type { PoolClient, QueryResult } from 'pg';
import { fencesAfterRaise, fencesToRaise, judgeLedger, type WriterIdentity } from './fencing.js';
import type { NewTransfer, Transfer } from './model.js';
import { planBatch, type BatchItem, type Outcome } from './plan-batch.js';
import {
  ACCOUNT_COLUMNS,
  TRANSFER_COLUMNS,
  toAccount,
  toTransfer,
  type AccountRow,
  type TransferRow,
} from './rows.js';
import type { DeclineRequest } from './transfer-request.js';

export const EVENTS_CHANNEL = 'paygrid_ledger_events';

export type Job =
  | ({ readonly kind: 'transfer' } & BatchItem)
  | { readonly kind: 'decline'; readonly decline: DeclineRequest; readonly writer: WriterIdentity };

export type JobResult =
  | { readonly kind: 'booked'; readonly transfer: Transfer }
  | { readonly kind: 'duplicate'; readonly transfer: Transfer }
  | { readonly kind: 'conflict'; readonly transfer: Transfer }
  | { readonly kind: 'fenced'; readonly fenceEpoch: number; readonly scope: 'ledger' | 'authorization' }
  | { readonly kind: 'rejected'; readonly reason: string; readonly message: string }
  | { readonly kind: 'declineRecorded'; readonly seq: number; readonly duplicate: boolean }
  /** An in-batch retry of a transfer the database refused after planning: ask again. */
  | { readonly kind: 'retry'; readonly message: string };

export interface LedgerSelf {
  readonly epoch: number;
  readonly member: string;
}

interface InsertedRow {
  id: string;
  seq: string;
  created_at: Date;
  expires_at: Date | null;
}

const INSERT_TRANSFERS = `
INSERT INTO transfers (id, type, debit_account_id, credit_account_id, amount, currency, pending_id, timeout_seconds,
  expires_at, state, is_expiry, stand_in, epoch, member, fingerprint, metadata)
SELECT id, type, d, c, amount, currency, pending_id, timeout_seconds,
  CASE WHEN timeout_seconds > 0 THEN now() + timeout_seconds * interval '1 second' END,
  state, is_expiry, stand_in, epoch, member, fingerprint, metadata
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::int[],
  $9::text[], $10::boolean[], $11::boolean[], $12::bigint[], $13::text[], $14::text[], $15::jsonb[])
  WITH ORDINALITY AS t(id, type, d, c, amount, currency, pending_id, timeout_seconds, state, is_expiry, stand_in,
    epoch, member, fingerprint, metadata, ord)
ORDER BY ord
RETURNING id, seq, created_at, expires_at`;

function insertParams(rows: readonly NewTransfer[]): unknown[] {
  return [
    rows.map((r) => r.id),
    rows.map((r) => r.type),
    rows.map((r) => r.debitAccountId),
    rows.map((r) => r.creditAccountId),
    rows.map((r) => String(r.amountMinor)),
    rows.map((r) => r.currency),
    rows.map((r) => r.pendingId ?? null),
    rows.map((r) => r.timeoutSeconds),
    rows.map((r) => r.state),
    rows.map((r) => r.isExpiry),
    rows.map((r) => r.standIn),
    rows.map((r) => String(r.epoch)),
    rows.map((r) => r.member),
    rows.map((r) => r.fingerprint),
    rows.map((r) => JSON.stringify(r.metadata)),
  ];
}

function completed(row: NewTransfer, inserted: InsertedRow): Transfer {
  return {
    ...row,
    seq: Number(inserted.seq),
    createdAt: inserted.created_at.toISOString(),
    ...(inserted.expires_at ? { expiresAt: inserted.expires_at.toISOString() } : {}),
  };
}

/** The reason a trigger gave (its HINT), for a refused row. */
function refusal(err: unknown): { reason: string; message: string } {
  const e = err as { hint?: string; message?: string; code?: string; constraint?: string };
  if (e.hint) return { reason: e.hint, message: e.message ?? e.hint };
  if (e.code === '23514' && /within/.test(e.constraint ?? ''))
    return { reason: 'InsufficientFunds', message: 'the transfer would take a flagged account negative' };
  throw err;
}

/**
 * BEGIN and the fences in one round trip (simple protocol: no parameters, so no input in it).
 * Custom plans for the prepared statements: after five executions PostgreSQL may keep a generic
 * plan chosen while `transfers` was small, a sequential scan for `id = ANY($1)`, and every batch
 * then reads the whole growing table (the bench fell 3088 → 1080/s over three runs, one seq scan
 * per commit). Planning these small statements each batch costs far less than that.
 */
const BEGIN_AND_READ_FENCES = `BEGIN;
SET LOCAL plan_cache_mode = force_custom_plan;
SELECT epoch FROM fences WHERE scope = 'ledger' AND member = '*' FOR UPDATE;
SELECT member, epoch FROM fences WHERE scope = 'authorization'`;

/** A text[] literal, each element quoted by node-postgres (a request's id cannot break out of it). */
function textArray(client: PoolClient, values: readonly string[]): string {
  if (values.length === 0) return "'{}'::text[]";
  return `ARRAY[${values.map((v) => client.escapeLiteral(v)).join(',')}]::text[]`;
}

/**
 * The first round trip: BEGIN, the fences, and what the batch's transfers name — the transfers
 * (duplicates, pendings) and their accounts, locked in id order as the transfer trigger locks
 * each pair (no deadlock with another ledger or a direct SQL insert), NO KEY UPDATE like the
 * trigger's UPDATEs (it does not wait for the KEY SHARE locks of other inserts' foreign-key
 * checks). A batch waits on its round trips, more so when the cores are shared (each one wakes
 * the backend and then this process): these reads were two more. The ids go in as quoted
 * literals because the simple protocol that carries several statements takes no parameters.
 */
function openingQuery(
  client: PoolClient,
  transferJobs: readonly Extract<Job, { kind: 'transfer' }>[],
): string {
  if (transferJobs.length === 0) return BEGIN_AND_READ_FENCES;
  const ids = [
    ...new Set(
      transferJobs.flatMap((j) => [j.request.id, ...(j.request.pendingId ? [j.request.pendingId] : [])]),
    ),
  ];
  const accountIds = [
    ...new Set(transferJobs.flatMap((j) => [j.request.debitAccountId, j.request.creditAccountId])),
  ];
  return `${BEGIN_AND_READ_FENCES};
SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = ANY(${textArray(client, ids)});
SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ANY(${textArray(client, accountIds)}) ORDER BY id FOR NO KEY UPDATE`;
}

const transferJobsOf = (jobs: readonly Job[]) =>
  jobs.filter((j): j is Extract<Job, { kind: 'transfer' }> => j.kind === 'transfer');

/** The planner, a parameter so a test can give the database a wrong plan to refuse. */
export type Planner = typeof planBatch;

type Mode = 'oneStatement' | 'rowByRow';
/** The database refused a row of the one-statement insert: redo the batch row by row. */
const REFUSED = Symbol('refused');

export async function commitBatch(
  client: PoolClient,
  jobs: readonly Job[],
  self: LedgerSelf,
  plan: Planner = planBatch,
): Promise<JobResult[]> {
  const results = await attempt(client, jobs, self, plan, 'oneStatement');
  if (results !== REFUSED) return results;
  return (await attempt(client, jobs, self, plan, 'rowByRow')) as JobResult[];
}

async function attempt(
  client: PoolClient,
  jobs: readonly Job[],
  self: LedgerSelf,
  plan: Planner,
  mode: Mode,
): Promise<JobResult[] | typeof REFUSED> {
  try {
    const opened = (await client.query(
      openingQuery(client, transferJobsOf(jobs)),
    )) as unknown as QueryResult[];
    const done = await inTransaction(client, jobs, self, plan, mode, opened);
    if (done === REFUSED) {
      await client.query('ROLLBACK');
      return REFUSED;
    }
    // maxSeq is an integer the database assigned and the channel a constant: safe as literals.
    await client.query(
      done.maxSeq > 0 ? `SELECT pg_notify('${EVENTS_CHANNEL}', '${done.maxSeq}'); COMMIT` : 'COMMIT',
    );
    return done.results;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function inTransaction(
  client: PoolClient,
  jobs: readonly Job[],
  self: LedgerSelf,
  plan: Planner,
  mode: Mode,
  opened: readonly QueryResult[],
): Promise<{ results: JobResult[]; maxSeq: number } | typeof REFUSED> {
  const ledgerFence = Number((opened[2]?.rows[0] as { epoch: string } | undefined)?.epoch ?? 0);
  const verdict = judgeLedger(self.epoch, ledgerFence);
  if (!verdict.ok)
    return {
      results: jobs.map(() => ({ kind: 'fenced', fenceEpoch: verdict.fenceEpoch, scope: 'ledger' })),
      maxSeq: 0,
    };
  if (self.epoch > ledgerFence)
    await client.query(
      "UPDATE fences SET epoch = $1, updated_at = now() WHERE scope = 'ledger' AND member = '*'",
      [String(self.epoch)],
    );

  const transferJobs = transferJobsOf(jobs);
  const raise = fencesToRaise(transferJobs.map((j) => j.writer));
  if (raise.size > 0)
    await client.query(
      `INSERT INTO fences (scope, member, epoch) SELECT 'authorization', m, e FROM unnest($1::text[], $2::bigint[]) AS t(m, e)
       ON CONFLICT (scope, member) DO UPDATE SET epoch = GREATEST(fences.epoch, EXCLUDED.epoch), updated_at = now()`,
      [[...raise.keys()], [...raise.values()].map(String)],
    );
  // Read under the ledger fence (no other writer can change them), then raised as just written.
  const memberFences = fencesAfterRaise(
    new Map(
      ((opened[3]?.rows ?? []) as { member: string; epoch: string }[]).map((r) => [
        r.member,
        Number(r.epoch),
      ]),
    ),
    raise,
  );

  const results = new Array<JobResult | undefined>(jobs.length);
  let maxSeq = 0;
  if (transferJobs.length > 0) {
    // Read and locked in the opening round trip (openingQuery), under the ledger fence.
    const transfers = (opened[4]?.rows ?? []) as TransferRow[];
    const accounts = (opened[5]?.rows ?? []) as AccountRow[];
    const planned = plan(transferJobs, {
      accounts: new Map(accounts.map((r) => [r.id, toAccount(r)])),
      transfers: new Map(transfers.map((r) => [r.id, toTransfer(r)])),
      memberFences,
      now: Date.now(),
    });
    if (planned.newAccounts.length > 0)
      await client.query(
        'INSERT INTO accounts (id, currency) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (id) DO NOTHING',
        [planned.newAccounts.map((a) => a.id), planned.newAccounts.map((a) => a.currency)],
      );
    const outcomes = [...planned.outcomes];
    const booked = await insertBooked(client, outcomes, mode);
    if (booked === REFUSED) return REFUSED;
    let k = 0;
    for (let i = 0; i < jobs.length; i++) {
      if (jobs[i]?.kind !== 'transfer') continue;
      const outcome = outcomes[k++] as Outcome;
      const result = toResult(outcome, booked);
      if (result.kind === 'booked') maxSeq = Math.max(maxSeq, result.transfer.seq);
      results[i] = result;
    }
  }

  const declineIdx = jobs.flatMap((j, i) => (j.kind === 'decline' ? [i] : []));
  if (declineIdx.length > 0) {
    const declines = declineIdx.map((i) => jobs[i] as Extract<Job, { kind: 'decline' }>);
    const inserted = await client.query<{ id: string; seq: string }>(
      `INSERT INTO declines (id, amount, currency, reason, member, metadata)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::jsonb[])
       ON CONFLICT (id) DO NOTHING RETURNING id, seq`,
      [
        declines.map((d) => d.decline.id),
        declines.map((d) => String(d.decline.amountMinor)),
        declines.map((d) => d.decline.currency),
        declines.map((d) => d.decline.reason),
        declines.map((d) => d.writer.member),
        declines.map((d) => JSON.stringify(d.decline.metadata)),
      ],
    );
    const seqs = new Map(inserted.rows.map((r) => [r.id, Number(r.seq)]));
    declineIdx.forEach((i, n) => {
      const id = declines[n]?.decline.id as string;
      const seq = seqs.get(id);
      if (seq !== undefined) {
        seqs.delete(id); // a second copy in the same batch is a duplicate
        maxSeq = Math.max(maxSeq, seq);
      }
      results[i] = { kind: 'declineRecorded', seq: seq ?? 0, duplicate: seq === undefined };
    });
  }
  return { results: results as JobResult[], maxSeq };
}

const insertStatement = (rows: readonly NewTransfer[]) => ({
  name: 'ledger_insert_transfers',
  text: INSERT_TRANSFERS,
  values: insertParams(rows),
});

/**
 * Inserts the `book` outcomes: in one statement (a refused row refuses them all: REFUSED), or
 * row by row under savepoints, each refused row turned into `rejected`.
 */
async function insertBooked(
  client: PoolClient,
  outcomes: Outcome[],
  mode: Mode,
): Promise<Map<string, Transfer> | typeof REFUSED> {
  const booked = new Map<string, Transfer>();
  const rows = outcomes.flatMap((o) => (o.kind === 'book' ? [o.row] : []));
  if (rows.length === 0) return booked;
  if (mode === 'oneStatement') {
    try {
      const inserted = await client.query<InsertedRow>(insertStatement(rows));
      const byId = new Map(inserted.rows.map((r) => [r.id, r]));
      for (const row of rows) booked.set(row.id, completed(row, byId.get(row.id) as InsertedRow));
      return booked;
    } catch (err) {
      refusal(err); // rethrows what is not a rule the database enforces
      return REFUSED;
    }
  }
  // The plan missed something the database knows (it should not happen; a test gives the
  // database a wrong plan to prove it still holds the line).
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i] as Outcome;
    if (o.kind !== 'book') continue;
    await client.query('SAVEPOINT one_insert');
    try {
      const inserted = await client.query<InsertedRow>(insertStatement([o.row]));
      booked.set(o.row.id, completed(o.row, inserted.rows[0] as InsertedRow));
      await client.query('RELEASE SAVEPOINT one_insert');
    } catch (err) {
      await client.query('ROLLBACK TO SAVEPOINT one_insert');
      outcomes[i] = { kind: 'rejected', ...refusal(err) };
    }
  }
  return booked;
}

function toResult(o: Outcome, booked: ReadonlyMap<string, Transfer>): JobResult {
  switch (o.kind) {
    case 'book':
      return { kind: 'booked', transfer: booked.get(o.row.id) as Transfer };
    case 'duplicate':
    case 'conflict': {
      const of = o.kind === 'duplicate' ? o.of : o.existing;
      const transfer = 'createdAt' in of ? (of as Transfer) : booked.get(of.id);
      if (!transfer)
        return { kind: 'retry', message: `transfer ${of.id} was refused in this batch; send it again` };
      return { kind: o.kind, transfer };
    }
    case 'fenced':
      return { kind: 'fenced', fenceEpoch: o.fenceEpoch, scope: 'authorization' };
    case 'rejected':
      return { kind: 'rejected', reason: o.reason, message: o.message };
  }
}
