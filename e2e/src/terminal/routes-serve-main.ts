// CLI: serves the operator's real routes API on loopback for one gateway with routes given on the
// command line, for running a fleet by hand without a hub (see README.md beside this file).
//   node e2e/dist/terminal/routes-serve-main.js --gateway payments/checkout --epoch 3 \
//     --route edge-a=http://127.0.0.1:8080 --route edge-b=http://127.0.0.1:8081
// Prints the URL it listens on; restart it with other routes to change them.
import { parseFlags, UsageError } from './cli-args.js';
import { isLoopbackUrl } from './decisions.js';
import { RoutesSource } from './routes-source.js';

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2), [
    { name: 'gateway', kind: 'string', required: true },
    { name: 'epoch', kind: 'number' },
    { name: 'route', kind: 'string', repeatable: true, required: true },
  ]);
  const [namespace, name, extra] = String(f.gateway).split('/');
  if (!namespace || !name || extra !== undefined) throw new UsageError('--gateway must be namespace/name');
  const routes = (f.route as string[]).map((r) => {
    const [member, endpoint] = [r.slice(0, r.indexOf('=')), r.slice(r.indexOf('=') + 1)];
    if (!member || !isLoopbackUrl(endpoint))
      throw new UsageError(`--route ${r} must be member=<loopback URL>`);
    return { member, endpoint };
  });
  const epoch = Number(f.epoch ?? 1);
  if (!Number.isSafeInteger(epoch) || epoch < 0)
    throw new UsageError('--epoch must be a non-negative integer');
  const source = new RoutesSource(namespace, name);
  source.publish(epoch, routes);
  const url = await source.listen();
  process.stdout.write(`${url}\n`);
  const stop = () => void source.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`routes-serve: ${err.message}\n`);
  process.exit(2);
});
