// Follows one gateway's routes on the operator's routes API as a terminal does: one GET, then
// long-polls with the ETag it holds (`If-None-Match`, `watch=true`), answered at once on a change
// and with 304 when the poll times out. Errors (the operator restarting) are retried after a pause.
import type { RoutesDocument } from '@paygrid/operator/routes-api';

export interface RoutesFollowerOptions {
  /** Base URL of the routes API, e.g. http://127.0.0.1:8082. */
  readonly baseUrl: string;
  readonly namespace: string;
  readonly name: string;
  /** Long-poll timeout asked of the server (1..300). */
  readonly watchTimeoutSeconds?: number;
  /** Pause after a failed poll. */
  readonly retryMs?: number;
}

export class RoutesFollower {
  private doc: RoutesDocument | undefined;
  private etag: string | undefined;
  private version = 0;
  private readonly abort = new AbortController();
  private waiters: (() => void)[] = [];
  private loop: Promise<void> | undefined;
  private lastError: string | undefined;

  constructor(private readonly o: RoutesFollowerOptions) {}

  /** The routes last seen (undefined before the first answer). */
  get current(): RoutesDocument | undefined {
    return this.doc;
  }

  /** Grows by one on every change seen; a terminal resets its failed endpoints when it moves. */
  get changes(): number {
    return this.version;
  }

  get error(): string | undefined {
    return this.lastError;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wakeAll();
    await this.loop;
  }

  /** Resolves on the next change after `seen`, or when stopped, or after `ms`. */
  async changedSince(seen: number, ms: number): Promise<void> {
    if (this.version !== seen || this.abort.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private url(): string {
    const path = `/api/v1/namespaces/${encodeURIComponent(this.o.namespace)}/paymentgateways/${encodeURIComponent(this.o.name)}/routes`;
    const watch = this.etag ? `?watch=true&timeoutSeconds=${this.o.watchTimeoutSeconds ?? 30}` : '';
    return this.o.baseUrl.replace(/\/$/, '') + path + watch;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const res = await fetch(this.url(), {
          headers: this.etag ? { 'if-none-match': this.etag } : {},
          signal,
        });
        if (res.status === 200) {
          this.doc = (await res.json()) as RoutesDocument;
          this.etag = res.headers.get('etag') ?? undefined;
          this.version++;
          this.lastError = undefined;
          this.wakeAll();
          continue;
        }
        await res.body?.cancel();
        if (res.status === 304) continue;
        this.lastError = `routes API answered ${res.status}`;
      } catch (err) {
        if (signal.aborted) return;
        this.lastError = `routes API: ${(err as Error).message}`;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.retryMs ?? 200);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }
}
