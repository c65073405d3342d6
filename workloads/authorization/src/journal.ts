// The site's durable store, on node:sqlite (WAL, synchronous=FULL): the answer to every write by
// Idempotency-Key, the authorization records, and the store-and-forward outbox of transfers the
// ledger has not acknowledged yet. Writes are group-committed by a writer thread
// (journal-worker.ts): everything requested while it commits one batch goes into the next
// transaction (one fsync), and each caller's promise resolves only after its transaction
// committed, so an answer is never sent before its journal entry is durable. Reads run here, on a
// second connection (WAL lets it read while the writer writes) and see only committed data.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { PRAGMAS, SCHEMA, type BatchReply, type BatchRequest } from './journal-worker.js';

export type AuthorizationState = 'authorized' | 'captured' | 'reversed' | 'declined';

export interface AuthorizationRecord {
  readonly id: string;
  readonly status: 'approved' | 'declined';
  readonly mode: 'online' | 'standIn';
  readonly state: AuthorizationState;
  readonly amountMinor: number;
  readonly capturedMinor?: number;
  readonly currency: string;
  readonly card: { readonly token: string; readonly last4: string };
  readonly merchantId: string;
  readonly terminalId: string;
  readonly declineReason?: string;
  readonly createdAt: string;
}

/** A transfer as the ledger's API takes it (docs/ledger.md). */
export interface LedgerTransfer {
  readonly id: string;
  readonly type: 'pending' | 'post' | 'void';
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amountMinor?: number;
  readonly currency: string;
  readonly pendingId?: string;
  readonly timeoutSeconds?: number;
  readonly metadata: Readonly<Record<string, string | number>>;
}

/** hold: a stand-in approval (counts against the offline limits); cancel: void-if-booked. */
export type OutboxKind = 'hold' | 'post' | 'void' | 'cancel';

export interface OutboxEntry {
  readonly seq: number;
  readonly kind: OutboxKind;
  readonly authorizationId: string;
  /** The amount it holds against the offline limits: the hold's amount, 0 for the others. */
  readonly exposureMinor: number;
  readonly currency: string;
  readonly transfer: LedgerTransfer;
}

/** Captures, reversals and cancels waiting in the outbox for the ledger, by kind and currency. */
export interface QueuedResolution {
  readonly kind: Exclude<OutboxKind, 'hold'>;
  readonly currency: string;
  readonly count: number;
  /** A capture's amount; a void's or cancel's is the authorized amount it releases. */
  readonly amountMinor: number;
}

export interface StoredAnswer {
  readonly fingerprint: string;
  readonly status: number;
  /** The JSON body sent the first time. */
  readonly body: string;
}

export type JournalWrite =
  | { readonly kind: 'answer'; readonly key: string; readonly answer: StoredAnswer }
  | { readonly kind: 'authorization'; readonly record: AuthorizationRecord }
  | { readonly kind: 'outbox'; readonly entry: Omit<OutboxEntry, 'seq'> }
  | {
      readonly kind: 'settled';
      readonly seq: number;
      readonly state: 'forwarded' | 'rejected';
      readonly reason?: string;
    }
  /** A write of nothing that matters, so readiness learns the journal still takes writes when idle. */
  | { readonly kind: 'heartbeat' };

export interface JournalOptions {
  readonly dir: string;
  /** Told the size of every committed batch (a metric). */
  readonly onBatch?: (size: number) => void;
}

interface Waiter {
  readonly writes: readonly JournalWrite[];
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** The worker's source: dist/journal-worker.js, or the .ts beside this file when tests run from src. */
function workerFile(): URL {
  const js = new URL('./journal-worker.js', import.meta.url);
  return existsSync(js) ? js : new URL('./journal-worker.ts', import.meta.url);
}

export class Journal {
  private readonly db: DatabaseSync;
  private readonly stmt: Record<string, StatementSync>;
  private readonly worker: Worker;
  private waiting: Waiter[] = [];
  /** The batch the worker is committing now, if any. */
  private committing: Waiter[] | undefined;
  private batchId = 0;
  private lastError: Error | undefined;
  private closed = false;
  private drained: (() => void) | undefined;

  constructor(private readonly options: JournalOptions) {
    mkdirSync(options.dir, { recursive: true });
    const file = join(options.dir, 'journal.db');
    this.db = new DatabaseSync(file);
    this.db.exec(PRAGMAS);
    this.db.exec(SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.stmt = {
      answer: p('SELECT fingerprint, status, body FROM answers WHERE key = ?'),
      authorization: p('SELECT body FROM authorizations WHERE id = ?'),
      holdState: p("SELECT state FROM outbox WHERE transfer_id = ? AND kind = 'hold'"),
      queued: p(
        "SELECT seq, kind, authorization_id, exposure_minor, currency, transfer FROM outbox WHERE state = 'queued' ORDER BY seq LIMIT ?",
      ),
      exposure: p(
        "SELECT currency, COUNT(*) AS n, COALESCE(SUM(exposure_minor), 0) AS amount FROM outbox WHERE state = 'queued' AND kind = 'hold' GROUP BY currency",
      ),
      // A void carries no amount: it releases its authorization's, which prune keeps while queued.
      resolutions: p(
        `SELECT o.kind, o.currency, COUNT(*) AS n,
           COALESCE(SUM(COALESCE(json_extract(o.transfer, '$.amountMinor'), json_extract(a.body, '$.amountMinor'), 0)), 0) AS amount
         FROM outbox o LEFT JOIN authorizations a ON a.id = o.authorization_id
         WHERE o.state = 'queued' AND o.kind <> 'hold' GROUP BY o.kind, o.currency ORDER BY o.kind, o.currency`,
      ),
    };
    this.worker = new Worker(workerFile(), { workerData: { journalWorkerFile: file } });
    this.worker.unref();
    this.worker.on('message', (reply: BatchReply) => this.committed(reply));
    this.worker.on('error', (err) =>
      this.committed({ id: this.batchId, ok: false, error: `journal writer: ${err.message}` }),
    );
  }

  /** Why the journal cannot take writes, or undefined when its last commit succeeded. */
  get fault(): string | undefined {
    if (this.closed) return 'the journal is closed';
    return this.lastError ? `the last journal commit failed: ${this.lastError.message}` : undefined;
  }

  /** Resolves once the writes are committed (durable), together with whatever else came meanwhile. */
  write(writes: readonly JournalWrite[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the journal is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ writes, resolve, reject });
      // Gather what arrives in this turn of the event loop; the worker may still be committing.
      if (this.waiting.length === 1 && !this.committing) setImmediate(() => this.send());
    });
  }

  private send(): void {
    if (this.committing || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    this.committing = batch;
    const writes: JournalWrite[] = [];
    for (const w of batch) for (const x of w.writes) writes.push(x);
    const request: BatchRequest = { id: ++this.batchId, writes };
    this.worker.ref();
    this.worker.postMessage(request);
  }

  private committed(reply: BatchReply): void {
    const batch = this.committing ?? [];
    this.committing = undefined;
    this.worker.unref();
    if (reply.ok) {
      this.lastError = undefined;
      this.options.onBatch?.(batch.length);
      for (const w of batch) w.resolve();
    } else {
      this.lastError = new Error(reply.error);
      for (const w of batch) w.reject(this.lastError);
    }
    if (this.waiting.length > 0) this.send();
    else if (this.drained) this.drained();
  }

  answer(key: string): StoredAnswer | undefined {
    const row = this.stmt.answer!.get(key) as
      { fingerprint: string; status: number; body: string } | undefined;
    return row ? { fingerprint: row.fingerprint, status: row.status, body: row.body } : undefined;
  }

  authorization(id: string): AuthorizationRecord | undefined {
    const row = this.stmt.authorization!.get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as AuthorizationRecord) : undefined;
  }

  /** Where the stand-in hold of an authorization stands; undefined: it never had one (online). */
  holdState(authorizationId: string): 'queued' | 'forwarded' | 'rejected' | undefined {
    // A hold's transfer id is its authorization's id: the unique index answers this.
    const row = this.stmt.holdState!.get(authorizationId) as
      { state: 'queued' | 'forwarded' | 'rejected' } | undefined;
    return row?.state;
  }

  /** The oldest entries not yet acknowledged by the ledger, in journal order. */
  queued(limit: number): OutboxEntry[] {
    return (
      this.stmt.queued!.all(limit) as {
        seq: number;
        kind: OutboxKind;
        authorization_id: string;
        exposure_minor: number;
        currency: string;
        transfer: string;
      }[]
    ).map((r) => ({
      seq: r.seq,
      kind: r.kind,
      authorizationId: r.authorization_id,
      exposureMinor: r.exposure_minor,
      currency: r.currency,
      transfer: JSON.parse(r.transfer) as LedgerTransfer,
    }));
  }

  /** Unforwarded stand-in approvals by currency: what the offline limits count. */
  exposure(): Map<string, { count: number; amountMinor: number }> {
    const rows = this.stmt.exposure!.all() as { currency: string; n: number; amount: number }[];
    return new Map(rows.map((r) => [r.currency, { count: r.n, amountMinor: r.amount }]));
  }

  /** Queued captures, reversals and cancels (a metric: what replay still owes the ledger besides holds). */
  queuedResolutions(): QueuedResolution[] {
    const rows = this.stmt.resolutions!.all() as {
      kind: QueuedResolution['kind'];
      currency: string;
      n: number;
      amount: number;
    }[];
    return rows.map((r) => ({ kind: r.kind, currency: r.currency, count: r.n, amountMinor: r.amount }));
  }

  /** Forgets answers and records older than the idempotency window (never an unforwarded one). */
  prune(olderThanMs: number): void {
    const before = Date.now() - olderThanMs;
    this.db.prepare('DELETE FROM answers WHERE created_at < ?').run(before);
    this.db
      .prepare(
        "DELETE FROM authorizations WHERE created_at < ? AND id NOT IN (SELECT authorization_id FROM outbox WHERE state = 'queued')",
      )
      .run(before);
    this.db.prepare("DELETE FROM outbox WHERE state <> 'queued' AND settled_at < ?").run(before);
  }

  /** Commits what is waiting, then stops the writer and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.committing || this.waiting.length > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        this.send();
      });
    }
    this.closed = true;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage('close');
    await exited;
    this.db.close();
  }
}
