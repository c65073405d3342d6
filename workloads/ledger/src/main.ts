// The ledger service: settings, the contract (role and epoch, live), PostgreSQL (migrations, the
// single writer, reads), the change feed's LISTEN, the expiry sweeper, HTTP, and shutdown.
import pg from 'pg';
import {
  closeServer,
  ContractWatcher,
  createHttpServer,
  createLogger,
  createRegistry,
  handleShutdown,
  Health,
  HttpError,
  listen,
  servesTraffic,
} from '@paygrid/workload-kit';
import { EventWaiters } from './event-waiters.js';
import { expiryVoid, findExpired } from './expiry.js';
import { ledgerRoutes } from './http-api.js';
import { createLedgerMetrics } from './metrics.js';
import { migrate } from './migrate.js';
import { readSettings } from './settings.js';
import { EVENTS_CHANNEL } from './write-transaction.js';
import { Writer } from './writer.js';

const logger = createLogger({ service: 'ledger' });

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const health = new Health();
  const registry = createRegistry('ledger');
  const metrics = createLedgerMetrics(registry);
  const contract = new ContractWatcher({ dir: settings.contractDir });
  contract.on('change', (next, prev) => {
    metrics.epoch.set(next.epoch);
    logger.info(
      { role: next.role, epoch: next.epoch, previousEpoch: prev?.epoch, previousRole: prev?.role },
      'contract loaded',
    );
  });
  contract.on('invalid', (err) =>
    logger.error({ err: err.message }, 'contract invalid; keeping the last good one'),
  );
  await contract.start();

  const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: settings.poolSize });
  pool.on('error', (err) => logger.warn({ err: err.message }, 'idle database connection failed'));
  let migrated = false;
  let dbUp = false;
  health
    .addCheck('contract', () =>
      contract.current ? undefined : `no contract: ${contract.error?.message ?? 'not read yet'}`,
    )
    .addCheck('database', () => (dbUp ? undefined : 'the database does not answer'))
    .addCheck('migrations', () => (migrated ? undefined : 'migrations not applied yet'));

  const waiters = new EventWaiters();
  let stopping = false;
  const writer = new Writer({
    pool,
    logger,
    metrics,
    maxBatch: settings.maxBatch,
    self: () => ({ epoch: contract.current?.epoch ?? 0, member: contract.current?.member ?? 'unknown' }),
    onCommit: () => waiters.wake(),
  });
  const refuseWrites = (): HttpError | undefined => {
    const c = contract.current;
    if (!c) return new HttpError(503, 'NotPrimary', 'this ledger has no contract yet (/etc/paygrid)');
    if (!servesTraffic(c.role))
      return new HttpError(
        503,
        'NotPrimary',
        `this ledger is ${c.role}: it serves reads; write to the primary`,
        { role: c.role },
      );
    if (!migrated) return new HttpError(503, 'NotReady', 'migrations are not applied yet');
    return undefined;
  };
  const server = createHttpServer({
    routes: ledgerRoutes({ pool, writer, waiters, metrics, refuseWrites, stopping: () => stopping }),
    health,
    registry,
    logger,
  });

  // Migrations, then LISTEN for commits of other ledger processes; both retried until the database answers.
  let listener: pg.Client | undefined;
  const connectListener = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: settings.databaseUrl });
    client.on('notification', () => waiters.wake());
    client.on('error', () => {
      if (listener === client) listener = undefined;
      if (!stopping) setTimeout(() => void connectListener().catch(() => undefined), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    listener = client;
  };
  const prepare = async (): Promise<void> => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        const applied = await migrate(pool);
        migrated = true;
        dbUp = true;
        logger.info({ applied }, 'migrations applied');
        await connectListener();
        return;
      } catch (err) {
        dbUp = false;
        logger.warn({ err: (err as Error).message, attempt }, 'database not ready; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * attempt)));
      }
    }
  };
  void prepare();
  const dbProbe = setInterval(() => {
    if (!migrated) return;
    pool.query('SELECT 1').then(
      () => (dbUp = true),
      () => (dbUp = false),
    );
  }, 2000);
  dbProbe.unref();

  const sweep = setInterval(() => {
    const c = contract.current;
    if (!migrated || !c || !servesTraffic(c.role)) return;
    void findExpired(pool, 500)
      .then((expired) =>
        Promise.all(
          expired.map((p) =>
            writer.submit({
              kind: 'transfer',
              request: expiryVoid(p),
              writer: { epoch: c.epoch, member: c.member },
              isExpiry: true,
            }),
          ),
        ),
      )
      .catch((err: Error) => logger.warn({ err: err.message }, 'expiry sweep failed'));
  }, settings.expiryIntervalMs);
  sweep.unref();

  const port = await listen(server, settings.port);
  logger.info({ port }, 'ledger listening');

  handleShutdown({
    logger,
    health,
    steps: [
      [
        'timers',
        () => {
          stopping = true;
          clearInterval(sweep);
          clearInterval(dbProbe);
          contract.stop();
          waiters.wake();
        },
      ],
      ['http', () => closeServer(server)],
      ['writer', () => writer.close()],
      ['listener', () => listener?.end()],
      ['pool', () => pool.end()],
    ],
  });
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'ledger failed to start');
  logger.flush();
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
