// Graceful shutdown on SIGTERM / SIGINT. Node as PID 1 in a container gets no default signal
// action, so this handler is what makes `kubectl delete pod` stop the service in time: readiness
// fails at once, then the steps run in order (stop accepting, finish in-flight work, flush
// journals, close pools), then the process exits 0. Past the grace period it exits 1.
import type { Health } from './health.js';
import type { Logger } from './logger.js';

export interface ShutdownOptions {
  readonly logger: Logger;
  readonly health: Health;
  /** Run in order; each may be async. */
  readonly steps: readonly (readonly [name: string, step: () => unknown])[];
  /** Default 25 s (the pod's terminationGracePeriodSeconds is 30). */
  readonly graceMs?: number;
  /** Default process.exit; tests pass their own. */
  readonly exit?: (code: number) => void;
}

export function handleShutdown(options: ShutdownOptions): { shutdown: (signal: string) => Promise<void> } {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started: Promise<void> | undefined;
  const shutdown = (signal: string): Promise<void> => {
    if (started) return started;
    started = (async () => {
      const { logger, health } = options;
      logger.info({ signal }, 'shutting down');
      health.markStopping();
      let current = '';
      const timer = setTimeout(() => {
        // Name the step that hung: that is where a shutdown bug is.
        logger.error(
          { graceMs: options.graceMs ?? 25_000, step: current },
          'shutdown took longer than the grace period; exiting',
        );
        exit(1);
      }, options.graceMs ?? 25_000);
      timer.unref();
      let code = 0;
      for (const [name, step] of options.steps) {
        current = name;
        try {
          await step();
        } catch (err) {
          code = 1;
          logger.error({ err, step: name }, 'shutdown step failed');
        }
      }
      clearTimeout(timer);
      logger.info({ code }, 'stopped');
      logger.flush?.();
      exit(code);
    })();
    return started;
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return { shutdown };
}
