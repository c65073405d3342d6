// The reconciliation's inputs from the real stores, read straight from them (not through the
// services' code): the ledger's transfers and accounts from PostgreSQL with psql (so this package
// needs no database driver), and each authorization site's journal backlog from its SQLite file.
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import type { AccountRow, JournalBacklog, LedgerTransferRow } from './reconcile.js';

const run = promisify(execFile);

async function jsonQuery<T>(databaseUrl: string, sql: string): Promise<T> {
  const { stdout } = await run('psql', [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], {
    maxBuffer: 1024 * 1024 * 1024,
  });
  return JSON.parse(stdout) as T;
}

// Both reads in one repeatable-read snapshot would need one session; two statements are enough
// here because the reconciliation runs once the writers have stopped.
export async function readLedger(
  databaseUrl: string,
): Promise<{ transfers: LedgerTransferRow[]; accounts: AccountRow[] }> {
  const transfers = await jsonQuery<LedgerTransferRow[]>(
    databaseUrl,
    `SELECT coalesce(json_agg(json_build_object(
       'id', id, 'type', type, 'amountMinor', amount, 'currency', currency, 'pendingId', pending_id,
       'state', state, 'standIn', stand_in, 'isExpiry', is_expiry, 'debitAccountId', debit_account_id,
       'creditAccountId', credit_account_id, 'terminalId', metadata->>'terminalId') ORDER BY seq), '[]')
     FROM transfers`,
  );
  const accounts = await jsonQuery<AccountRow[]>(
    databaseUrl,
    `SELECT coalesce(json_agg(json_build_object(
       'id', id, 'debitsPendingMinor', debits_pending, 'debitsPostedMinor', debits_posted,
       'creditsPendingMinor', credits_pending, 'creditsPostedMinor', credits_posted) ORDER BY id), '[]')
     FROM accounts`,
  );
  for (const t of transfers)
    if (!Number.isSafeInteger(t.amountMinor))
      throw new Error(`transfer ${t.id}: amount is not a safe integer`);
  return { transfers, accounts };
}

/** The outbox of one site's journal (`dir` is its PAYGRID_JOURNAL_DIR, or the journal.db itself). */
export function readJournalBacklog(path: string, source = path): JournalBacklog {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'journal.db') : path;
  if (!existsSync(file)) throw new Error(`journal ${file} does not exist`);
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const rows = db.prepare('SELECT state, count(*) AS n FROM outbox GROUP BY state').all() as {
      state: string;
      n: number;
    }[];
    const n = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
    return { source, queued: n('queued'), rejected: n('rejected') };
  } finally {
    db.close();
  }
}
