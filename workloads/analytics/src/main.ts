// The analytics service: settings, the contract (live), PostgreSQL (migrations under a lock, the
// aggregates), the change-feed follower, HTTP, and shutdown. Ready = contract loaded, database
// reachable, migrations applied; following the feed is not part of readiness (a ledger outage
// shows in paygrid_analytics_feed_up, and the aggregates stay readable).
import pg from 'pg';
import {
  closeServer,
  ContractWatcher,
  createHttpServer,
  createLogger,
  createRegistry,
  handleShutdown,
  Health,
  listen,
} from '@paygrid/workload-kit';
import { Follower } from './follower.js';
import { analyticsRoutes } from './http-api.js';
import { createAnalyticsMetrics } from './metrics.js';
import { migrate } from './migrate.js';
import { ledgerBaseUrl, readSettings } from './settings.js';
import { Totals } from './totals.js';

const logger = createLogger({ service: 'analytics' });

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const health = new Health();
  const registry = createRegistry('analytics');
  const totals = new Totals();
  const metrics = createAnalyticsMetrics(registry, totals);

  const contract = new ContractWatcher({ dir: settings.contractDir });
  contract.on('change', (next, prev) =>
    logger.info(
      {
        gateway: next.gateway,
        role: next.role,
        ledgerEndpoint: next.ledgerEndpoint,
        previousRole: prev?.role,
      },
      'contract loaded',
    ),
  );
  contract.on('invalid', (err) =>
    logger.error({ err: err.message }, 'contract invalid; keeping the last good one'),
  );
  await contract.start();

  const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: settings.poolSize });
  pool.on('error', (err) => logger.warn({ err: err.message }, 'idle database connection failed'));
  let migrated = false;
  let dbUp = false;
  health
    .addCheck('contract', () => {
      const c = contract.current;
      if (!c) return `no contract: ${contract.error?.message ?? 'not read yet'}`;
      return c.component === 'analytics'
        ? undefined
        : `the contract is for component ${c.component}, not analytics`;
    })
    .addCheck('database', () => (dbUp ? undefined : 'the database does not answer'))
    .addCheck('migrations', () => (migrated ? undefined : 'migrations not applied yet'));

  const follower = new Follower({
    pool,
    logger,
    metrics,
    totals,
    ledgerUrl: () => ledgerBaseUrl(contract.current, settings),
    batch: settings.feedBatch,
    waitSeconds: settings.feedWaitSeconds,
  });
  const server = createHttpServer({
    routes: analyticsRoutes({ pool, follower: () => follower.state }),
    health,
    registry,
    logger,
  });

  let stopping = false;
  let following = false;
  const prepare = async (): Promise<void> => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        const applied = await migrate(pool);
        migrated = true;
        dbUp = true;
        logger.info({ applied }, 'migrations applied');
        await follower.start();
        following = true;
        logger.info({ cursor: follower.state.cursor }, 'following the ledger change feed');
        return;
      } catch (err) {
        dbUp = false;
        logger.warn({ err: (err as Error).message, attempt }, 'database not ready; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * attempt)));
      }
    }
  };
  const prepared = prepare();
  const dbProbe = setInterval(() => {
    if (!migrated) return;
    pool.query('SELECT 1').then(
      () => (dbUp = true),
      () => (dbUp = false),
    );
  }, 2000);
  dbProbe.unref();

  const port = await listen(server, settings.port);
  logger.info({ port }, 'analytics listening');

  handleShutdown({
    logger,
    health,
    steps: [
      [
        'timers',
        () => {
          stopping = true;
          clearInterval(dbProbe);
          contract.stop();
        },
      ],
      ['http', () => closeServer(server)],
      [
        'follower',
        async () => {
          await prepared;
          if (following) await follower.stop();
        },
      ],
      ['pool', () => pool.end()],
    ],
  });
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'analytics failed to start');
  logger.flush();
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
