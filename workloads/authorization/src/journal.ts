// The site's durable store, on node:sqlite (WAL, synchronous=FULL): the answer to every write by
// Idempotency-Key, the authorization records, and the store-and-forward outbox of transfers the
// ledger has not acknowledged yet. Writes are group-committed: every write requested in one turn
// of the event loop goes into one transaction (one fsync), and each caller's promise resolves only
// after that transaction committed, so an answer is never sent before its journal entry is durable.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

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
  | { readonly kind: 'settled'; readonly seq: number; readonly state: 'forwarded' | 'rejected'; readonly reason?: string };

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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS answers (
  key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS authorizations (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  transfer_id TEXT NOT NULL UNIQUE,
  authorization_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('hold', 'post', 'void', 'cancel')),
  exposure_minor INTEGER NOT NULL CHECK (exposure_minor >= 0),
  currency TEXT NOT NULL,
  transfer TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'forwarded', 'rejected')),
  reason TEXT,
  settled_at INTEGER);
CREATE INDEX IF NOT EXISTS outbox_queued ON outbox (seq) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS outbox_authorization ON outbox (authorization_id);
`;

export class Journal {
  private readonly db: DatabaseSync;
  private readonly stmt: Record<string, StatementSync>;
  private waiting: Waiter[] = [];
  private scheduled = false;
  private lastError: Error | undefined;
  private closed = false;

  constructor(private readonly options: JournalOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.db = new DatabaseSync(join(options.dir, 'journal.db'));
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    this.db.exec(SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.stmt = {
      insertAnswer: p(
        'INSERT INTO answers (key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
      ),
      upsertAuthorization: p(
        'INSERT INTO authorizations (id, body, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body',
      ),
      insertOutbox: p(
        `INSERT INTO outbox (transfer_id, authorization_id, kind, exposure_minor, currency, transfer)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (transfer_id) DO NOTHING`,
      ),
      settle: p("UPDATE outbox SET state = ?, reason = ?, settled_at = ? WHERE seq = ? AND state = 'queued'"),
      answer: p('SELECT fingerprint, status, body FROM answers WHERE key = ?'),
      authorization: p('SELECT body FROM authorizations WHERE id = ?'),
      outboxState: p('SELECT state FROM outbox WHERE authorization_id = ? AND kind = ? ORDER BY seq LIMIT 1'),
      queued: p(
        "SELECT seq, kind, authorization_id, exposure_minor, currency, transfer FROM outbox WHERE state = 'queued' ORDER BY seq LIMIT ?",
      ),
      exposure: p(
        "SELECT currency, COUNT(*) AS n, COALESCE(SUM(exposure_minor), 0) AS amount FROM outbox WHERE state = 'queued' AND kind = 'hold' GROUP BY currency",
      ),
    };
  }

  /** Why the journal cannot take writes, or undefined when its last commit succeeded. */
  get fault(): string | undefined {
    if (this.closed) return 'the journal is closed';
    return this.lastError ? `the last journal commit failed: ${this.lastError.message}` : undefined;
  }

  /** Resolves once the writes are committed (durable), together with whatever else came this turn. */
  write(writes: readonly JournalWrite[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the journal is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ writes, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is waiting now (also called by close). */
  flush(): void {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    const now = Date.now();
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const waiter of batch) for (const w of waiter.writes) this.apply(w, now);
      this.db.exec('COMMIT');
    } catch (err) {
      try {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
      } catch {
        // the rollback failing leaves nothing more to undo
      }
      this.lastError = err instanceof Error ? err : new Error(String(err));
      for (const waiter of batch) waiter.reject(this.lastError);
      return;
    }
    this.lastError = undefined;
    this.options.onBatch?.(batch.length);
    for (const waiter of batch) waiter.resolve();
  }

  private apply(w: JournalWrite, now: number): void {
    switch (w.kind) {
      case 'answer':
        this.stmt.insertAnswer!.run(w.key, w.answer.fingerprint, w.answer.status, w.answer.body, now);
        return;
      case 'authorization':
        this.stmt.upsertAuthorization!.run(w.record.id, JSON.stringify(w.record), now);
        return;
      case 'outbox': {
        const e = w.entry;
        this.stmt.insertOutbox!.run(
          e.transfer.id,
          e.authorizationId,
          e.kind,
          e.exposureMinor,
          e.currency,
          JSON.stringify(e.transfer),
        );
        return;
      }
      case 'settled':
        this.stmt.settle!.run(w.state, w.reason ?? null, now, w.seq);
        return;
    }
  }

  answer(key: string): StoredAnswer | undefined {
    const row = this.stmt.answer!.get(key) as { fingerprint: string; status: number; body: string } | undefined;
    return row ? { fingerprint: row.fingerprint, status: row.status, body: row.body } : undefined;
  }

  authorization(id: string): AuthorizationRecord | undefined {
    const row = this.stmt.authorization!.get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as AuthorizationRecord) : undefined;
  }

  /** Where the outbox entry of this kind for an authorization stands; undefined: it never had one. */
  outboxState(authorizationId: string, kind: OutboxKind): 'queued' | 'forwarded' | 'rejected' | undefined {
    const row = this.stmt.outboxState!.get(authorizationId, kind) as { state: 'queued' | 'forwarded' | 'rejected' } | undefined;
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

  /** Commits what is waiting, then closes the database. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }
}
