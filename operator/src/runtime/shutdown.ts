/**
 * Graceful shutdown on SIGTERM/SIGINT: hooks run phase by phase (hooks of one phase together),
 * in the order stop queues → wait for in-flight work → release the leader Lease → close HTTP,
 * each phase bounded by what is left of an overall timeout. Exit code 0 when every hook finished
 * in time, 1 otherwise. A second signal exits at once.
 */
import { type Clock, realClock } from './clock.js';
import { type Logger, silentLogger } from './logger.js';

/** Phase order; lower runs first. Use the constants or any number in between. */
export const ShutdownPhase = {
  StopQueues: 10,
  WaitInFlight: 20,
  ReleaseLease: 30,
  CloseHttp: 40,
  Final: 50,
} as const;

export interface ShutdownHook {
  name: string;
  phase: number;
  run: () => void | Promise<void>;
  /** Upper bound for this hook (it also never exceeds the overall deadline). */
  timeoutMs?: number;
}

/** The parts of `process` used (injectable for tests). */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface GracefulShutdownOptions {
  logger?: Logger;
  /** Overall budget (default 30 s, like Kubernetes' terminationGracePeriodSeconds). */
  timeoutMs?: number;
  /** Called with the exit code at the end (default `process.exit`). */
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
  signalSource?: SignalSource;
  clock?: Clock;
}

export class GracefulShutdown {
  private readonly hooks: ShutdownHook[] = [];
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly exit: (code: number) => void;
  private readonly signals: NodeJS.Signals[];
  private readonly source: SignalSource;
  private readonly clock: Clock;
  private readonly controller = new AbortController();
  private running?: Promise<number>;
  private installed = false;

  constructor(opts: GracefulShutdownOptions = {}) {
    this.log = opts.logger ?? silentLogger();
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.exit = opts.exit ?? ((code) => process.exit(code));
    this.signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
    this.source = opts.signalSource ?? process;
    this.clock = opts.clock ?? realClock;
  }

  /** Aborted as soon as shutdown begins. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  isShuttingDown(): boolean {
    return this.running !== undefined;
  }

  /** Registers a hook; returns a function that unregisters it. */
  register(hook: ShutdownHook): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /** Listens for the signals. */
  install(): this {
    if (this.installed) return this;
    this.installed = true;
    for (const s of this.signals) this.source.on(s, this.onSignal);
    return this;
  }

  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    for (const s of this.signals) this.source.off(s, this.onSignal);
  }

  /** Runs the hooks once (later calls return the same promise), then calls `exit`. */
  shutdown(reason: string): Promise<number> {
    this.running ??= this.runHooks(reason).then((code) => {
      this.uninstall();
      this.exit(code);
      return code;
    });
    return this.running;
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.running) {
      this.log.warn({ signal }, 'second signal during shutdown; exiting now');
      this.exit(1);
      return;
    }
    void this.shutdown(signal);
  };

  private async runHooks(reason: string): Promise<number> {
    this.controller.abort();
    const deadline = this.clock.now() + this.timeoutMs;
    this.log.info({ reason, timeoutMs: this.timeoutMs }, 'shutting down');
    const phases = [...new Set(this.hooks.map((h) => h.phase))].sort((a, b) => a - b);
    let ok = true;
    for (const phase of phases) {
      const hooks = this.hooks.filter((h) => h.phase === phase);
      const results = await Promise.all(hooks.map((h) => this.runHook(h, deadline)));
      if (results.includes(false)) ok = false;
    }
    if (ok) this.log.info('shutdown complete');
    else this.log.error('shutdown finished with errors or timeouts');
    return ok ? 0 : 1;
  }

  private async runHook(hook: ShutdownHook, deadline: number): Promise<boolean> {
    const remaining = deadline - this.clock.now();
    const budget = Math.max(0, Math.min(remaining, hook.timeoutMs ?? Infinity));
    if (budget <= 0) {
      this.log.error({ hook: hook.name }, 'shutdown hook skipped: out of time');
      return false;
    }
    const started = this.clock.now();
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = this.clock.setTimeout(() => resolve('timeout'), budget);
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(hook.run), timeout]);
      if (outcome === 'timeout') {
        this.log.error({ hook: hook.name, timeoutMs: budget }, 'shutdown hook timed out');
        return false;
      }
      this.log.debug({ hook: hook.name, ms: this.clock.now() - started }, 'shutdown hook done');
      return true;
    } catch (err) {
      this.log.error({ err, hook: hook.name }, 'shutdown hook failed');
      return false;
    } finally {
      this.clock.clearTimeout(timer);
    }
  }
}
