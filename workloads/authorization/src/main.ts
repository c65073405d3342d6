// The authorization service's process: reads its settings, the contract (live), the tokenization
// key and the journal, serves the API, replays the journal, and stops gracefully on SIGTERM
// (stop accepting, finish in-flight requests, commit the journal's last batch, close sqlite).
// Whatever is missing at start (key, journal, contract) is retried and shown on /readyz, so a
// Secret mounted late does not crash-loop the pod.
import {
  closeServer,
  ContractWatcher,
  createHttpServer,
  createLogger,
  createRegistry,
  Health,
  handleShutdown,
  listen,
  type Contract,
} from '@paygrid/workload-kit';
import { Authorizer } from './authorizer.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { DeclineReporter } from './decline-reporter.js';
import { authorizationRoutes } from './http-api.js';
import { Journal } from './journal.js';
import { LedgerClient, type LedgerTarget } from './ledger-client.js';
import { createMetrics } from './metrics.js';
import { OfflineExposureBook } from './offline-exposure.js';
import { Replayer } from './replayer.js';
import { readSettings } from './settings.js';
import { Tokenizer } from './tokenizer.js';

const logger = createLogger({ service: 'authorization' });
// Within handleShutdown's 25 s and the pod's 30 s terminationGracePeriodSeconds.
const SHUTDOWN_REPLAY_MS = 15_000;

function ledgerTarget(contract: Contract | undefined): LedgerTarget {
  if (!contract) return { baseUrl: undefined, headers: {} };
  return {
    baseUrl: contract.ledgerEndpoint,
    headers: {
      'paygrid-epoch': String(contract.epoch),
      'paygrid-member': contract.member,
      ...(contract.replacedMember ? { 'paygrid-replaced-member': contract.replacedMember } : {}),
      ...(contract.fencedMembers ? { 'paygrid-fenced-members': contract.fencedMembers.join(',') } : {}),
    },
  };
}

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const registry = createRegistry('authorization');
  let journal: Journal | undefined;
  const metrics = createMetrics(registry, () => journal?.queuedResolutions());
  const health = new Health();

  const watcher = new ContractWatcher({ dir: settings.contractDir });
  watcher.on('change', (next, previous) =>
    logger.info(
      {
        role: next.role,
        epoch: next.epoch,
        previousRole: previous?.role,
        previousEpoch: previous?.epoch,
        ledger: next.ledgerEndpoint,
      },
      'contract loaded',
    ),
  );
  watcher.on('invalid', (err) =>
    logger.warn({ err: err.message }, 'contract unreadable; keeping the last good one'),
  );
  await watcher.start();

  let tokenizer: Tokenizer | undefined;
  let keyFault = 'not read yet';
  const loadKey = () => {
    try {
      tokenizer = Tokenizer.fromFile(settings.tokenizationKeyFile);
      logger.info({ file: settings.tokenizationKeyFile }, 'tokenization key loaded');
    } catch (err) {
      if (keyFault !== (err as Error).message)
        logger.warn({ reason: (err as Error).message }, 'tokenization key not loaded');
      keyFault = (err as Error).message;
    }
  };

  const breaker = new CircuitBreaker({
    failureThreshold: settings.breakerFailures,
    cooldownMs: settings.breakerCooldownMs,
  });
  // Built once per contract (the watcher replaces the object on a change), not per ledger call.
  let targetOf: { contract: Contract | undefined; target: LedgerTarget } | undefined;
  const ledger = new LedgerClient({
    timeoutMs: settings.ledgerTimeoutMs,
    target: () => {
      const contract = watcher.current;
      if (!targetOf || targetOf.contract !== contract)
        targetOf = { contract, target: ledgerTarget(contract) };
      return targetOf.target;
    },
  });
  const exposure = new OfflineExposureBook({ count: metrics.offlineCount, amount: metrics.offlineAmount });
  const declines = new DeclineReporter({ ledger, breaker, metrics });

  let journalFault = 'not opened yet';
  let authorizer: Authorizer | undefined;
  let replayer: Replayer | undefined;
  const openJournal = () => {
    try {
      journal = new Journal({ dir: settings.journalDir, onBatch: (n) => metrics.journalBatch.observe(n) });
    } catch (err) {
      if (journalFault !== (err as Error).message)
        logger.warn({ reason: (err as Error).message, dir: settings.journalDir }, 'journal not open');
      journalFault = `cannot open the journal in ${settings.journalDir}: ${(err as Error).message}`;
      return;
    }
    journal.prune(settings.retentionHours * 3600_000);
    exposure.load(journal.exposure());
    authorizer = new Authorizer({
      journal,
      ledger,
      breaker,
      exposure,
      declines,
      logger,
      contract: () => watcher.current,
      tokenizer: () => tokenizer,
      holdTimeoutSeconds: settings.holdTimeoutSeconds,
    });
    replayer = new Replayer({
      journal,
      ledger,
      breaker,
      exposure,
      metrics,
      logger,
      intervalMs: settings.replayIntervalMs,
      batchSize: settings.replayBatchSize,
      timeoutMs: settings.replayTimeoutMs,
    });
    replayer.start();
    const queued = journal.exposure();
    logger.info({ dir: settings.journalDir, offline: Object.fromEntries(queued) }, 'journal open');
  };
  loadKey();
  openJournal();
  const retry = setInterval(() => {
    if (!tokenizer) loadKey();
    if (!journal) openJournal();
  }, 2000);
  retry.unref();

  // While the breaker is open, a probe (not a customer) finds out when the ledger is back.
  const probe = setInterval(
    () => {
      if (!breaker.probeDue()) return;
      void ledger.call('GET', '/readyz').then((r) => {
        metrics.breakerOpen.set(breaker.state === 'open' ? 1 : 0);
        if (r.kind === 'answered' && r.status === 200) {
          breaker.onSuccess();
          metrics.breakerOpen.set(0);
          logger.info('the ledger answers again: online authorizations resume, the journal replays');
          void replayer?.drain();
        } else breaker.onFailure();
      });
    },
    Math.min(250, settings.breakerCooldownMs),
  );
  probe.unref();
  // With no traffic, a commit failure would go unseen: write a heartbeat so /readyz tells the truth.
  const heartbeat = setInterval(
    () => void journal?.write([{ kind: 'heartbeat' }]).catch(() => undefined),
    5000,
  );
  heartbeat.unref();
  const prune = setInterval(() => journal?.prune(settings.retentionHours * 3600_000), 3600_000);
  prune.unref();

  health
    .addCheck('contract', () =>
      watcher.current
        ? undefined
        : `contract not loaded from ${settings.contractDir}: ${watcher.error?.message ?? 'not read yet'}`,
    )
    .addCheck('tokenizationKey', () => (tokenizer ? undefined : keyFault))
    .addCheck('journal', () => (journal ? journal.fault : journalFault))
    .addCheck('serving', () => {
      const state = authorizer?.serving();
      return state === undefined || state.serving ? undefined : `${state.reason}: ${state.message}`;
    });

  declines.start();
  const server = createHttpServer({
    routes: authorizationRoutes(() => authorizer, metrics),
    health,
    registry,
    logger,
  });
  const port = await listen(server, settings.port);
  logger.info({ port }, 'authorization listening');

  handleShutdown({
    logger,
    health,
    steps: [
      ['http', () => closeServer(server)],
      // A drained pod's journal goes with it: replay what is queued first, within the grace.
      [
        'replayer',
        async () => {
          const left = await replayer?.finish(SHUTDOWN_REPLAY_MS);
          if (left) logger.error({ queued: left }, 'journal replay: entries still queued at exit');
        },
      ],
      ['declines', () => declines.sendSome().finally(() => declines.stop())],
      ['journal', () => journal?.close()],
      ['ledger', () => ledger.close()],
      ['contract', () => watcher.stop()],
    ],
  });
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'authorization failed to start');
  logger.flush?.();
  process.exitCode = 1;
});
