// CLI: runs a terminal fleet against a gateway's routes (see README.md beside this file).
//   node e2e/dist/terminal/fleet-main.js --routes http://127.0.0.1:8082 --gateway payments/checkout \
//     --terminals 4 --rate 5 --payments 100 --duration 30 --results /tmp/fleet.jsonl
import { parseFlags, UsageError } from './cli-args.js';
import { Fleet, FleetOptionError } from './fleet.js';

const USAGE =
  'usage: fleet-main --routes <url> --gateway <namespace/name> --results <file> [--terminals 4] [--rate 5]\n' +
  '  [--payments 100] [--duration <seconds> 60] [--seed 1] [--run-id <id>] [--capture 0.5] [--reverse 0.2]\n' +
  '  [--timeout-ms 2000] [--write-deadline-ms 30000] [--currency EUR] [--amount-min 100] [--amount-max 5000] [--allow-network <cidr> ...]';

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2), [
    { name: 'routes', kind: 'string', required: true },
    { name: 'gateway', kind: 'string', required: true },
    { name: 'results', kind: 'string', required: true },
    { name: 'terminals', kind: 'number' },
    { name: 'rate', kind: 'number' },
    { name: 'payments', kind: 'number' },
    { name: 'duration', kind: 'number' },
    { name: 'seed', kind: 'number' },
    { name: 'run-id', kind: 'string' },
    { name: 'capture', kind: 'number' },
    { name: 'reverse', kind: 'number' },
    { name: 'timeout-ms', kind: 'number' },
    { name: 'write-deadline-ms', kind: 'number' },
    { name: 'currency', kind: 'string' },
    { name: 'amount-min', kind: 'number' },
    { name: 'amount-max', kind: 'number' },
    { name: 'allow-network', kind: 'string', repeatable: true },
  ]);
  const [namespace, name, extra] = String(f.gateway).split('/');
  if (!namespace || !name || extra !== undefined) throw new UsageError('--gateway must be namespace/name');
  const num = (k: string) => (f[k] === undefined ? undefined : Number(f[k]));
  const fleet = new Fleet({
    routesUrl: String(f.routes),
    namespace,
    name,
    resultFile: String(f.results),
    terminals: num('terminals') ?? 4,
    ratePerSecond: num('rate') ?? 5,
    maxPayments: num('payments') ?? 100,
    durationMs: Math.round((num('duration') ?? 60) * 1000),
    seed: num('seed') ?? 1,
    ...(f['run-id'] !== undefined ? { runId: String(f['run-id']) } : {}),
    ...(num('capture') !== undefined ? { captureShare: num('capture') } : {}),
    ...(num('reverse') !== undefined ? { reverseShare: num('reverse') } : {}),
    ...(num('timeout-ms') !== undefined ? { requestTimeoutMs: num('timeout-ms') } : {}),
    ...(num('write-deadline-ms') !== undefined ? { writeDeadlineMs: num('write-deadline-ms') } : {}),
    ...(f.currency !== undefined ? { currency: String(f.currency) } : {}),
    ...(num('amount-min') !== undefined ? { amountMinMinor: num('amount-min') } : {}),
    ...(num('amount-max') !== undefined ? { amountMaxMinor: num('amount-max') } : {}),
    ...(f['allow-network'] !== undefined ? { allowNetworks: f['allow-network'] as string[] } : {}),
  });
  const stop = () => void fleet.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await fleet.run();
  process.stdout.write(JSON.stringify(fleet.stats, null, 2) + '\n');
}

main().catch((err: Error) => {
  const usage = err instanceof UsageError || err instanceof FleetOptionError;
  process.stderr.write(`fleet: ${err.message}\n${usage ? USAGE + '\n' : ''}`);
  process.exit(2);
});
