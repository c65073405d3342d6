// CLI: the money reconciliation of a fleet run (see README.md beside this file). Exit 0 when every
// approval is booked exactly once and the books balance; 1 with the list of violations; 2 on a
// usage error.
//   node e2e/dist/terminal/reconcile-main.js --database "$LEDGER_URL" --results /tmp/fleet.jsonl \
//     [--results more.jsonl] [--journal /var/lib/paygrid/journal ...] [--json]
import { parseFlags, UsageError } from './cli-args.js';
import { readJournalBacklog, readLedger } from './ledger-snapshot.js';
import { formatReport, reconcile } from './reconcile.js';
import { readResultFile } from './results.js';

const USAGE =
  'usage: reconcile-main --database <postgres url> --results <file> [--results <file> ...] [--journal <dir> ...] [--json 1]';

async function main(): Promise<number> {
  const f = parseFlags(process.argv.slice(2), [
    { name: 'database', kind: 'string', required: true },
    { name: 'results', kind: 'string', repeatable: true, required: true },
    { name: 'journal', kind: 'string', repeatable: true },
    { name: 'json', kind: 'string' },
  ]);
  const records = (f.results as string[]).flatMap((file) => readResultFile(file));
  const journals = ((f.journal as string[] | undefined) ?? []).map((dir) => readJournalBacklog(dir));
  const ledger = await readLedger(String(f.database));
  const report = reconcile({ records, ...ledger, journals });
  process.stdout.write(
    (f.json !== undefined ? JSON.stringify(report, null, 2) : formatReport(report)) + '\n',
  );
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`reconcile: ${err.message}\n${err instanceof UsageError ? USAGE + '\n' : ''}`);
    process.exit(2);
  },
);
