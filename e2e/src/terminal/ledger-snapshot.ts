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

const TRANSFERS = `SELECT coalesce(json_agg(json_build_object(
  'id', id, 'type', type, 'amountMinor', amount, 'currency', currency, 'pendingId', pending_id,
  'state', state, 'standIn', stand_in, 'isExpiry', is_expiry, 'debitAccountId', debit_account_id,
  'creditAccountId', credit_account_id, 'terminalId', metadata->>'terminalId',
  'createdAtMs', floor(extract(epoch FROM created_at) * 1000)::bigint) ORDER BY seq), '[]')
FROM transfers`;

const ACCOUNTS = `SELECT coalesce(json_agg(json_build_object(
  'id', id, 'debitsPendingMinor', debits_pending, 'debitsPostedMinor', debits_posted,
  'creditsPendingMinor', credits_pending, 'creditsPostedMinor', credits_posted) ORDER BY id), '[]')
FROM accounts`;

/** Transfers and accounts in one repeatable-read snapshot, so a live ledger reads consistent. */
export async function readLedger(
  databaseUrl: string,
): Promise<{ transfers: LedgerTransferRow[]; accounts: AccountRow[] }> {
  const { stdout } = await run(
    'psql',
    [
      databaseUrl,
      '-v',
      'ON_ERROR_STOP=1',
      '-qAt',
      '-c',
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      '-c',
      TRANSFERS,
      '-c',
      ACCOUNTS,
      '-c',
      'COMMIT',
    ],
    { maxBuffer: 1024 * 1024 * 1024 },
  );
  // One JSON value per query, one line each (json_build_object escapes newlines in strings).
  const [t, a] = stdout.split('\n').filter((l) => l !== '');
  if (t === undefined || a === undefined) throw new Error('psql answered less than two result rows');
  const transfers = JSON.parse(t) as LedgerTransferRow[];
  const accounts = JSON.parse(a) as AccountRow[];
  for (const x of transfers)
    if (!Number.isSafeInteger(x.amountMinor))
      throw new Error(`transfer ${x.id}: amount is not a safe integer`);
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
