// The journal's writer thread. SQLite's commit waits for fsync; on the main thread that wait would
// stall every request. Here it stalls only this thread: the main thread keeps taking requests and
// gathers the next batch while this one commits (pipelined group commit). This file runs natively
// (Node strips the types when tests load it from src/), so it imports nothing but node: modules and
// uses only erasable TypeScript.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { JournalWrite } from './journal.js';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS answers (
  key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL
);
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
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS outbox_queued ON outbox (seq) WHERE state = 'queued';
`;

export const PRAGMAS =
  'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -16384;';

export interface BatchRequest {
  readonly id: number;
  readonly writes: readonly JournalWrite[];
}

export type BatchReply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly error: string };

/**
 * Commits after which the writer copies the WAL back into the database, once the batch's answer
 * has been sent. SQLite's own auto-checkpoint (every 1000 pages) runs inside COMMIT, so its
 * several-millisecond stall delayed the batch being answered as well as the next one; here it
 * delays only the next batch. Each checkpoint costs two fsyncs (WAL and database) whatever its
 * size: every 16 commits rather than 4 took the stand-in path from 313–351 to 235–274 µs of CPU
 * per approval in the same bench command (a WAL of a few MB between checkpoints).
 */
export const CHECKPOINT_EVERY_COMMITS = 16;

/** Commits one batch in one transaction (one fsync); all of it or none of it. */
export class BatchWriter {
  private commitsSinceCheckpoint = 0;
  private readonly insertAnswer: StatementSync;
  private readonly upsertAuthorization: StatementSync;
  private readonly insertOutbox: StatementSync;
  private readonly settle: StatementSync;
  private readonly heartbeat: StatementSync;
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec('PRAGMA wal_autocheckpoint = 0');
    this.insertAnswer = db.prepare(
      'INSERT INTO answers (key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
    );
    this.upsertAuthorization = db.prepare(
      'INSERT INTO authorizations (id, body, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body',
    );
    this.insertOutbox = db.prepare(
      `INSERT INTO outbox (transfer_id, authorization_id, kind, exposure_minor, currency, transfer)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (transfer_id) DO NOTHING`,
    );
    this.settle = db.prepare(
      "UPDATE outbox SET state = ?, reason = ?, settled_at = ? WHERE seq = ? AND state = 'queued'",
    );
    this.heartbeat = db.prepare(
      "INSERT INTO meta (k, v) VALUES ('heartbeat', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
    );
  }

  commit(writes: readonly JournalWrite[]): void {
    const now = Date.now();
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const w of writes) this.apply(w, now);
      this.db.exec('COMMIT');
      this.commitsSinceCheckpoint++;
    } catch (err) {
      try {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
      } catch {
        // nothing more to undo
      }
      throw err;
    }
  }

  /**
   * A passive checkpoint when one is due (call it after answering); true when it ran. A failed one
   * is retried after the next commit: the WAL keeps every committed write meanwhile.
   */
  checkpointIfDue(): boolean {
    if (this.commitsSinceCheckpoint < CHECKPOINT_EVERY_COMMITS) return false;
    this.db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    this.commitsSinceCheckpoint = 0;
    return true;
  }

  private apply(w: JournalWrite, now: number): void {
    switch (w.kind) {
      case 'answer':
        this.insertAnswer.run(w.key, w.answer.fingerprint, w.answer.status, w.answer.body, now);
        return;
      case 'authorization':
        this.upsertAuthorization.run(w.record.id, JSON.stringify(w.record), now);
        return;
      case 'outbox': {
        const e = w.entry;
        this.insertOutbox.run(
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
        this.settle.run(w.state, w.reason ?? null, now, w.seq);
        return;
      case 'heartbeat':
        this.heartbeat.run(now);
        return;
    }
  }
}

const data = workerData as { journalWorkerFile?: string } | undefined;
if (!isMainThread && parentPort && data?.journalWorkerFile) {
  const port = parentPort;
  const db = new DatabaseSync(data.journalWorkerFile);
  db.exec(PRAGMAS);
  const writer = new BatchWriter(db);
  port.on('message', (msg: BatchRequest | 'close') => {
    if (msg === 'close') {
      db.close();
      port.close();
      return;
    }
    let reply: BatchReply;
    try {
      writer.commit(msg.writes);
      reply = { id: msg.id, ok: true };
    } catch (err) {
      reply = { id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
    try {
      writer.checkpointIfDue();
    } catch {
      // retried after the next commit
    }
  });
}
