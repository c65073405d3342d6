/**
 * An informer: a local cache of one kind of object in one cluster, kept current by list + watch,
 * and event handlers called on every change (client-go's reflector + indexer, in small).
 *
 * - Lists, then watches from the list's resourceVersion with `allowWatchBookmarks` and a
 *   randomised `timeoutSeconds` (5–10 min, like client-go), following resourceVersions.
 * - `410 Gone` (HTTP status or an ERROR event with code 410) means the resourceVersion is too old:
 *   it relists; objects gone in the meantime are reported as deleted.
 * - Other errors back off (exponential, capped, jittered) and re-watch; list errors back off and
 *   relist. A watch closed by the server is re-opened at once.
 * - A watch with no event nor bookmark for `stallTimeoutMs` is abandoned and re-opened: a watch
 *   never stops silently.
 * - Every `resyncPeriodMs` all cached objects are re-delivered as updates (old === new).
 *
 * The I/O is a `ListWatchSource`: `KubeListWatchSource` talks to an apiserver; tests script their
 * own.
 */
import {
  ApiException,
  HttpMethod,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  KubernetesObjectApi,
  type ResponseContext,
  Watch,
} from '@kubernetes/client-node';
import { type Clock, type TimerHandle, realClock } from './clock.js';
import { describeError, parseStatusBody } from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import { makeApiClient } from './api-client.js';

/**
 * A quiet watch hears from the apiserver only through bookmarks, which its watch cache sends
 * about once a minute (and a second or two late under load). A stall timeout at or below that
 * restarts healthy watches every minute, so it must be well above it.
 */
export const APISERVER_BOOKMARK_INTERVAL_MS = 60_000;
/** The default stall timeout: two bookmarks missed in a row. */
export const DEFAULT_STALL_TIMEOUT_MS = 2 * APISERVER_BOOKMARK_INTERVAL_MS;

/** The parts of a Kubernetes object the informer relies on. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    [k: string]: unknown;
  };
}

export interface ListOptions {
  /** Only objects in this namespace (default: all namespaces / cluster-scoped). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListResult<T> {
  items: T[];
  /** The list's resourceVersion, to watch from. */
  resourceVersion: string;
}

export interface WatchOptions extends ListOptions {
  resourceVersion: string;
  timeoutSeconds: number;
  allowWatchBookmarks: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** A metav1.Status, as carried by ERROR events. */
export interface WatchStatus {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
}

export interface WatchEvent<T> {
  type: WatchEventType | string;
  object: T | WatchStatus;
}

export interface WatchHandle {
  /** Ends the watch; no callbacks are expected afterwards (late ones are ignored). */
  stop(): void;
}

/** The informer's I/O. */
export interface ListWatchSource<T> {
  list(opts: ListOptions): Promise<ListResult<T>>;
  /**
   * Starts a watch. `onEvent` is called per event; `onDone` once when the watch ends: with
   * `null` when the server closed it normally, with an error otherwise (an error with
   * `statusCode`/`code` 410 means Gone).
   */
  watch(
    opts: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    onDone: (err: unknown) => void,
  ): Promise<WatchHandle>;
}

export interface EventHandler<T> {
  onAdd?(obj: T): void;
  /** Also called on resync, with `oldObj === newObj`. */
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export interface InformerOptions<T> {
  source: ListWatchSource<T>;
  /** For logs, e.g. "PaymentGateway@hub". */
  name?: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-deliver every cached object this often (default 0 = never). */
  resyncPeriodMs?: number;
  /** Restart a watch that delivered no event nor bookmark for this long (default 120 s: two bookmarks). */
  stallTimeoutMs?: number;
  /** `timeoutSeconds` of each watch is picked in [min, max] (default 300–600 s). */
  watchTimeoutSeconds?: { min: number; max: number };
  /** Give up a list that takes longer than this (default 60 s). */
  listTimeoutMs?: number;
  /** Retry backoff (default 800 ms doubling to 30 s, with jitter). */
  backoff?: BackoffOptions;
  keyFunc?: (obj: T) => string;
  clock?: Clock;
  /** Random number in [0, 1) for jitter (tests make it deterministic). */
  random?: () => number;
  logger?: Logger;
}

/** Counters, for tests, logs and metrics. */
export interface InformerStats {
  lists: number;
  listErrors: number;
  watches: number;
  watchErrors: number;
  /** Relists because of 410 Gone. */
  gone: number;
  /** Watches abandoned because nothing arrived for the stall timeout. */
  stalls: number;
  resyncs: number;
}

/** client-go's MetaNamespaceKeyFunc: "namespace/name", or "name" when cluster-scoped. */
export function objectKey(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error('object has no metadata.name');
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${name}` : name;
}

/** Splits a key made by `objectKey`. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** Whether an error or Status means 410 Gone (resourceVersion too old / expired). */
export function isGone(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { statusCode?: unknown; code?: unknown; body?: unknown; reason?: unknown };
  if (e.statusCode === 410 || e.code === 410 || e.reason === 'Expired' || e.reason === 'Gone') return true;
  const body = parseStatusBody(e.body);
  return body !== undefined && (body.code === 410 || body.reason === 'Expired' || body.reason === 'Gone');
}

type Outcome =
  | { kind: 'stopped' }
  | { kind: 'closed'; healthy: boolean }
  | { kind: 'gone'; healthy: boolean }
  | { kind: 'stalled' }
  | { kind: 'error'; err: unknown; healthy: boolean };

export class Informer<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly stats: InformerStats = {
    lists: 0,
    listErrors: 0,
    watches: 0,
    watchErrors: 0,
    gone: 0,
    stalls: 0,
    resyncs: 0,
  };

  private readonly source: ListWatchSource<T>;
  private readonly listOpts: ListOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly keyFunc: (obj: T) => string;
  private readonly resyncPeriodMs: number;
  private readonly stallTimeoutMs: number;
  private readonly watchTimeout: { min: number; max: number };
  private readonly listTimeoutMs: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;

  private readonly cache = new Map<string, T>();
  private readonly handlers = new Set<EventHandler<T>>();
  private resourceVersion = '';
  private synced = false;
  private started = false;
  private stopped = false;
  private readonly stopController = new AbortController();
  private stopWatch?: () => void;
  private resyncTimer?: TimerHandle;
  private syncWaiters: ((synced: boolean) => void)[] = [];
  private loop?: Promise<void>;

  constructor(opts: InformerOptions<T>) {
    this.source = opts.source;
    this.name = opts.name ?? 'informer';
    this.listOpts = {};
    if (opts.namespace) this.listOpts.namespace = opts.namespace;
    if (opts.labelSelector) this.listOpts.labelSelector = opts.labelSelector;
    if (opts.fieldSelector) this.listOpts.fieldSelector = opts.fieldSelector;
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.log = (opts.logger ?? silentLogger()).child({ informer: this.name });
    this.keyFunc = opts.keyFunc ?? objectKey;
    this.resyncPeriodMs = opts.resyncPeriodMs ?? 0;
    this.stallTimeoutMs = opts.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.watchTimeout = opts.watchTimeoutSeconds ?? { min: 300, max: 600 };
    this.listTimeoutMs = opts.listTimeoutMs ?? 60_000;
    this.backoffInitialMs = opts.backoff?.initialMs ?? 800;
    this.backoffMaxMs = opts.backoff?.maxMs ?? 30_000;
  }

  /** Starts listing and watching (idempotent). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.loop = this.run().catch((err: unknown) => {
      // run() handles its own errors; reaching here is a bug, so make it loud.
      this.log.error({ err }, 'informer loop crashed');
    });
    this.scheduleResync();
  }

  /** Stops the informer; the cache keeps its last content. Resolves when the loop has exited. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopController.abort();
    this.stopWatch?.();
    this.clock.clearTimeout(this.resyncTimer);
    for (const w of this.syncWaiters.splice(0)) w(false);
    await this.loop;
  }

  /** True once the first list has been stored. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, false if the informer stops (or `signal` aborts) first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = (ok: boolean): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const onAbort = (): void => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== waiter);
        resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(waiter);
    });
  }

  /** All cached objects. They are shared with the cache and with handlers: do not mutate them. */
  list(): T[] {
    return [...this.cache.values()];
  }

  /** The cached object with this key ("namespace/name" or "name"); shared, do not mutate. */
  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  /** The resourceVersion the cache is current to. */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  /**
   * Adds handlers. If the cache is already synced, `onAdd` is called at once for every cached
   * object, so late handlers miss nothing. Returns a function that removes them.
   */
  addEventHandler(handler: EventHandler<T>): () => void {
    this.handlers.add(handler);
    if (this.synced) for (const obj of this.cache.values()) this.call(handler, 'onAdd', obj);
    return () => {
      this.handlers.delete(handler);
    };
  }

  private async run(): Promise<void> {
    let needList = true;
    let failures = 0;
    let goneInARow = 0;
    while (!this.stopped) {
      if (needList) {
        try {
          await this.listAndReplace();
          needList = false;
        } catch (err) {
          if (this.stopped) return;
          this.stats.listErrors++;
          const delay = this.backoff(failures++);
          this.log.warn({ error: describeError(err), retryInMs: Math.round(delay) }, 'list failed; retrying');
          await this.clock.sleep(delay, this.stopController.signal);
          continue;
        }
      }
      const outcome = await this.watchOnce();
      switch (outcome.kind) {
        case 'stopped':
          return;
        case 'gone':
          this.stats.gone++;
          needList = true;
          if (outcome.healthy) {
            failures = 0;
            goneInARow = 0;
          }
          this.log.info('watch resourceVersion expired (410 Gone); relisting');
          if (++goneInARow > 1) await this.clock.sleep(this.backoff(failures++), this.stopController.signal);
          continue;
        case 'stalled':
          this.stats.stalls++;
          goneInARow = 0;
          this.log.warn(
            { stallTimeoutMs: this.stallTimeoutMs },
            'watch stalled (no event nor bookmark); restarting',
          );
          continue;
        case 'closed':
          goneInARow = 0;
          if (outcome.healthy) {
            failures = 0;
          } else {
            await this.clock.sleep(this.backoff(failures++), this.stopController.signal);
          }
          continue;
        case 'error': {
          this.stats.watchErrors++;
          goneInARow = 0;
          if (outcome.healthy) failures = 0;
          const delay = this.backoff(failures++);
          this.log.warn(
            { error: describeError(outcome.err), retryInMs: Math.round(delay) },
            'watch failed; restarting after backoff',
          );
          await this.clock.sleep(delay, this.stopController.signal);
          continue;
        }
      }
    }
  }

  /** Exponential backoff with jitter: a random delay in [d/2, d], d = initial·2^n capped at max. */
  private backoff(n: number): number {
    const d = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** Math.min(n, 30));
    return d / 2 + (this.random() * d) / 2;
  }

  private async listAndReplace(): Promise<void> {
    this.stats.lists++;
    const result = await this.withTimeout(this.source.list({ ...this.listOpts }), this.listTimeoutMs, 'list');
    if (this.stopped) return;
    const fresh = new Map<string, T>();
    for (const item of result.items) {
      try {
        fresh.set(this.keyFunc(item), item);
      } catch (err) {
        this.log.warn({ error: describeError(err) }, 'listed object without a key; ignored');
      }
    }
    const added: T[] = [];
    const updated: [T, T][] = [];
    const deleted: T[] = [];
    for (const [key, obj] of fresh) {
      const old = this.cache.get(key);
      if (!old) added.push(obj);
      else if (rv(old) !== rv(obj) || rv(obj) === undefined) updated.push([old, obj]);
    }
    for (const [key, old] of this.cache) if (!fresh.has(key)) deleted.push(old);
    this.cache.clear();
    for (const [key, obj] of fresh) this.cache.set(key, obj);
    this.resourceVersion = result.resourceVersion;
    const first = !this.synced;
    this.synced = true;
    this.log.debug({ count: fresh.size, resourceVersion: this.resourceVersion }, 'listed');
    for (const obj of added) this.emit('onAdd', obj);
    for (const [old, obj] of updated) this.emit('onUpdate', old, obj);
    for (const obj of deleted) this.emit('onDelete', obj);
    if (first) for (const w of this.syncWaiters.splice(0)) w(true);
  }

  private watchOnce(): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      if (this.stopped) {
        resolve({ kind: 'stopped' });
        return;
      }
      this.stats.watches++;
      const startedAt = this.clock.now();
      let events = 0;
      let finished = false;
      let handle: WatchHandle | undefined;
      let stallTimer: TimerHandle | undefined;
      const healthy = (): boolean => events > 0 || this.clock.now() - startedAt >= 1000;

      const finish = (outcome: Outcome): void => {
        if (finished) return;
        finished = true;
        this.clock.clearTimeout(stallTimer);
        this.stopWatch = undefined;
        try {
          handle?.stop();
        } catch (err) {
          this.log.debug({ error: describeError(err) }, 'stopping watch failed');
        }
        resolve(outcome);
      };
      const armStall = (): void => {
        this.clock.clearTimeout(stallTimer);
        stallTimer = this.clock.setTimeout(() => finish({ kind: 'stalled' }), this.stallTimeoutMs);
      };
      this.stopWatch = () => finish({ kind: 'stopped' });
      armStall();

      const onEvent = (ev: WatchEvent<T>): void => {
        if (finished) return;
        if (ev.type !== 'ERROR') events++;
        armStall();
        try {
          this.applyEvent(ev, finish, healthy);
        } catch (err) {
          this.log.warn({ error: describeError(err), type: ev.type }, 'bad watch event ignored');
        }
      };
      const onDone = (err: unknown): void => {
        if (finished) return;
        if (err === null || err === undefined) finish({ kind: 'closed', healthy: healthy() });
        else if (isGone(err)) finish({ kind: 'gone', healthy: healthy() });
        else finish({ kind: 'error', err, healthy: healthy() });
      };

      const span = Math.max(0, this.watchTimeout.max - this.watchTimeout.min);
      const timeoutSeconds = Math.floor(this.watchTimeout.min + this.random() * (span + 1));
      let started: Promise<WatchHandle>;
      try {
        started = this.source.watch(
          {
            ...this.listOpts,
            resourceVersion: this.resourceVersion,
            timeoutSeconds,
            allowWatchBookmarks: true,
          },
          onEvent,
          onDone,
        );
      } catch (err) {
        started = Promise.reject(err);
      }
      started.then(
        (h) => {
          handle = h;
          if (finished) {
            try {
              h.stop();
            } catch {
              // already finished; nothing to clean up
            }
          }
        },
        (err: unknown) => onDone(err ?? new Error('watch failed to start')),
      );
    });
  }

  private applyEvent(ev: WatchEvent<T>, finish: (o: Outcome) => void, healthy: () => boolean): void {
    switch (ev.type) {
      case 'BOOKMARK': {
        const v = rv(ev.object as KubeObject);
        if (v) this.resourceVersion = v;
        return;
      }
      case 'ERROR': {
        const status = ev.object as WatchStatus;
        if (isGone(status)) finish({ kind: 'gone', healthy: healthy() });
        else finish({ kind: 'error', err: new WatchStatusError(status), healthy: healthy() });
        return;
      }
      case 'ADDED':
      case 'MODIFIED': {
        const obj = ev.object as T;
        const key = this.keyFunc(obj);
        const old = this.cache.get(key);
        this.cache.set(key, obj);
        this.advance(obj);
        if (old) this.emit('onUpdate', old, obj);
        else this.emit('onAdd', obj);
        return;
      }
      case 'DELETED': {
        const obj = ev.object as T;
        const key = this.keyFunc(obj);
        const old = this.cache.get(key);
        this.cache.delete(key);
        this.advance(obj);
        this.emit('onDelete', obj.metadata ? obj : (old ?? obj));
        return;
      }
      default:
        this.log.warn({ type: ev.type }, 'unknown watch event type ignored');
    }
  }

  private advance(obj: KubeObject): void {
    const v = rv(obj);
    if (v) this.resourceVersion = v;
  }

  private scheduleResync(): void {
    if (!(this.resyncPeriodMs > 0) || this.stopped) return;
    this.resyncTimer = this.clock.setTimeout(() => {
      if (this.stopped) return;
      if (this.synced) {
        this.stats.resyncs++;
        for (const obj of [...this.cache.values()]) this.emit('onUpdate', obj, obj);
      }
      this.scheduleResync();
    }, this.resyncPeriodMs);
  }

  private emit(kind: 'onAdd' | 'onDelete', obj: T): void;
  private emit(kind: 'onUpdate', old: T, obj: T): void;
  private emit(kind: keyof EventHandler<T>, a: T, b?: T): void {
    for (const h of this.handlers) this.call(h, kind, a, b);
  }

  private call(h: EventHandler<T>, kind: keyof EventHandler<T>, a: T, b?: T): void {
    try {
      if (kind === 'onUpdate') h.onUpdate?.(a, b ?? a);
      else h[kind]?.(a);
    } catch (err) {
      this.log.error({ err, handler: kind }, 'informer event handler threw');
    }
  }

  private withTimeout<R>(p: Promise<R>, ms: number, what: string): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new Error(`${what} timed out after ${ms}ms`)), ms);
      const onStop = (): void => {
        this.clock.clearTimeout(timer);
        reject(new Error('informer stopped'));
      };
      this.stopController.signal.addEventListener('abort', onStop, { once: true });
      p.then(
        (v) => {
          this.clock.clearTimeout(timer);
          this.stopController.signal.removeEventListener('abort', onStop);
          resolve(v);
        },
        (err: unknown) => {
          this.clock.clearTimeout(timer);
          this.stopController.signal.removeEventListener('abort', onStop);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }
}

/** An ERROR watch event other than 410. */
export class WatchStatusError extends Error {
  readonly code: number | undefined;
  readonly reason: string | undefined;
  constructor(status: WatchStatus) {
    super(`watch error: ${status.code ?? '?'} ${status.reason ?? ''} ${status.message ?? ''}`.trim());
    this.name = 'WatchStatusError';
    this.code = status.code;
    this.reason = status.reason;
  }
}

function rv(obj: KubeObject | undefined): string | undefined {
  return obj?.metadata?.resourceVersion || undefined;
}

/** Which resource a `KubeListWatchSource` lists and watches. */
export interface ResourceType {
  /** "v1", "apps/v1", "paygrid.io/v1alpha1". */
  apiVersion: string;
  kind: string;
}

export interface KubeListWatchSourceOptions {
  /** Page size of lists (default 500). */
  pageSize?: number;
  /**
   * client-node's Watch aborts a connection that is silent for this long (its default 30 s is
   * shorter than the apiserver's bookmark interval of ~1 min). Keep it above the informer's
   * `stallTimeoutMs` so the informer's own stall detection decides (default 150 s).
   */
  inactivityTimeoutMs?: number;
}

const RAW = 'paygrid.io/raw-json';

/**
 * Resolves resource paths with discovery, and lists without client-node's decoding (which
 * turns a list's metadata into an ObjectMeta and drops its `continue` token).
 */
class RawObjectApi extends KubernetesObjectApi {
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const meta: { namespace?: string } = {};
    if (namespace) meta.namespace = namespace;
    return this.specUriPath({ apiVersion, kind, metadata: meta }, 'list');
  }

  async listPage<T extends KubeObject>(
    path: string,
    query: Record<string, string>,
  ): Promise<KubernetesListObject<T>> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, HttpMethod.GET);
    ctx.setHeaderParam('Accept', 'application/json');
    for (const [k, v] of Object.entries(query)) ctx.setQueryParam(k, v);
    return this.requestPromise(ctx, RAW) as Promise<KubernetesListObject<T>>;
  }

  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
    type?: string,
  ): Promise<T> {
    if (type !== RAW) return super.processResponse<T>(response, type);
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      return JSON.parse(await response.body.text()) as T;
    }
    throw new ApiException(
      response.httpStatusCode,
      'Unsuccessful HTTP Request',
      await response.getBodyAsAny(),
      response.headers,
    );
  }
}

/** A `ListWatchSource` over an apiserver, with client-node's KubernetesObjectApi and Watch. */
export class KubeListWatchSource<T extends KubeObject = KubeObject> implements ListWatchSource<T> {
  private readonly api: RawObjectApi;
  private readonly pageSize: number;
  private readonly inactivityTimeoutMs: number;

  constructor(
    private readonly kc: KubeConfig,
    readonly resource: ResourceType,
    opts: KubeListWatchSourceOptions = {},
  ) {
    this.api = makeApiClient(kc, RawObjectApi);
    this.pageSize = opts.pageSize ?? 500;
    this.inactivityTimeoutMs = opts.inactivityTimeoutMs ?? 150_000;
  }

  async list(opts: ListOptions): Promise<ListResult<T>> {
    const path = await this.api.collectionPath(this.resource.apiVersion, this.resource.kind, opts.namespace);
    const items: T[] = [];
    let resourceVersion = '';
    let cont: string | undefined;
    do {
      const query: Record<string, string> = { limit: String(this.pageSize) };
      if (opts.labelSelector) query.labelSelector = opts.labelSelector;
      if (opts.fieldSelector) query.fieldSelector = opts.fieldSelector;
      if (cont) query.continue = cont;
      const page = await this.api.listPage<T>(path, query);
      for (const item of page.items ?? []) {
        // Items of built-in lists carry no apiVersion/kind; watch events do. Make them alike.
        item.apiVersion ??= this.resource.apiVersion;
        item.kind ??= this.resource.kind;
        items.push(item);
      }
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      // The page is raw JSON, so the token is `continue` (client-node's classes call it `_continue`).
      const meta = page.metadata as { continue?: string; _continue?: string } | undefined;
      cont = meta?.continue || meta?._continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  async watch(
    opts: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    onDone: (err: unknown) => void,
  ): Promise<WatchHandle> {
    const path = await this.api.collectionPath(this.resource.apiVersion, this.resource.kind, opts.namespace);
    const watch = new Watch(this.kc);
    if ('requestTimeoutMs' in watch) Object.assign(watch, { requestTimeoutMs: this.inactivityTimeoutMs });
    const query: Record<string, string | number | boolean | undefined> = {
      resourceVersion: opts.resourceVersion || undefined,
      allowWatchBookmarks: opts.allowWatchBookmarks,
      timeoutSeconds: opts.timeoutSeconds,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
    };
    const controller = await watch.watch(
      path,
      query,
      (type: string, object: T | WatchStatus) => onEvent({ type, object }),
      (err: unknown) => onDone(err ?? null),
    );
    return { stop: () => controller.abort() };
  }
}
