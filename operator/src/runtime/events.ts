/**
 * An events.k8s.io/v1 Event recorder, after client-go's tools/events:
 * - `reason` and `action` are CamelCase, `type` is Normal or Warning;
 * - identical events (same regarding, related, type, reason, action, note) within a 10 minute
 *   window are aggregated into one Event whose `series.count` and `series.lastObservedTime`
 *   are patched (debounced), instead of creating new Events;
 * - new Events are rate limited per regarding object (a token bucket, burst 25);
 * - recording never throws and never blocks the caller; failures are logged;
 * - notes are scrubbed of anything that looks like a credential or a card number.
 */
import {
  EventsV1Api,
  type KubeConfig,
  PatchStrategy,
  V1MicroTime,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { type Clock, type TimerHandle, realClock } from './clock.js';
import { describeError, statusCode } from './errors.js';
import type { Logger } from './logger.js';
import { makeApiClient } from './api-client.js';

export type EventType = 'Normal' | 'Warning';

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** Anything with Kubernetes object metadata, or a reference. */
export type Regarding =
  | ObjectReference
  | {
      apiVersion?: string;
      kind?: string;
      metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
    };

/** The Event as written (a subset of events.k8s.io/v1 Event). */
export interface EventRecord {
  metadata: { name: string; namespace: string };
  eventTime: Date;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  type: EventType;
  note: string;
  regarding: ObjectReference;
  related?: ObjectReference;
  series?: { count: number; lastObservedTime: Date };
}

/** Writes Events. `KubeEventSink` is the real one; tests use their own. */
export interface EventSink {
  create(event: EventRecord): Promise<void>;
  /** Updates the series of an existing Event. */
  patchSeries(
    namespace: string,
    name: string,
    series: { count: number; lastObservedTime: Date },
  ): Promise<void>;
}

export const REPORTING_CONTROLLER = 'paygrid.io/operator';
const CAMEL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const MAX_NOTE_BYTES = 1024;

/** Whether `s` is a valid CamelCase reason/action (starts upper-case, letters and digits, ≤128). */
export function isCamelCase(s: string): boolean {
  return s.length > 0 && s.length <= 128 && CAMEL_CASE.test(s);
}

/**
 * Masks credentials and card numbers in a free-text note and truncates it to the API limit
 * (1 KiB): `password=…`, `token: …`, `Bearer …`, and 13–19 digit runs (a PAN keeps its last 4).
 */
export function sanitizeNote(note: string): string {
  let out = note
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [REDACTED]')
    .replace(
      /\b([A-Za-z_-]*(?:token|password|passwd|secret|apikey|api_key|authorization|kubeconfig)[A-Za-z_-]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;]+)/gi,
      '$1$2[REDACTED]',
    )
    .replace(/\b\d(?:[ -]?\d){12,18}\b/g, (m) => {
      const digits = m.replace(/\D/g, '');
      return `****${digits.slice(-4)}`;
    });
  if (Buffer.byteLength(out, 'utf8') > MAX_NOTE_BYTES) {
    let cut = out.slice(0, MAX_NOTE_BYTES);
    while (Buffer.byteLength(cut, 'utf8') > MAX_NOTE_BYTES - 3) cut = cut.slice(0, -1);
    out = `${cut}...`;
  }
  return out;
}

/** The reference to put in `regarding`/`related`. */
export function toReference(obj: Regarding): ObjectReference {
  if ('metadata' in obj && obj.metadata) {
    const m = obj.metadata;
    const ref: ObjectReference = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: m.name,
      namespace: m.namespace,
    };
    if (m.uid) ref.uid = m.uid;
    if (m.resourceVersion) ref.resourceVersion = m.resourceVersion;
    return stripUndefined(ref);
  }
  return stripUndefined({ ...(obj as ObjectReference) });
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

interface SeriesEntry {
  name: string;
  namespace: string;
  count: number;
  lastObserved: number;
  /** Resolves true once the Event exists. */
  created: Promise<boolean>;
  patchTimer?: TimerHandle;
  lastPatchAt: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

export interface EventRecorderOptions {
  sink: EventSink;
  logger: Logger;
  /** `reportingInstance`: the pod name (default env POD_NAME, else the host name). */
  reportingInstance?: string;
  reportingController?: string;
  clock?: Clock;
  /** Identical events within this window are aggregated (default 10 min). */
  aggregationWindowMs?: number;
  /** Minimum time between two series patches of one Event (default 30 s; the first repeat is immediate). */
  seriesPatchIntervalMs?: number;
  /** New Events per regarding object: burst (default 25) and refill per second (default 1/300). */
  burst?: number;
  qps?: number;
  /** Namespace for Events about cluster-scoped objects (default "default", like client-go). */
  clusterScopedNamespace?: string;
  /** Maximum number of aggregation entries kept (default 4096). */
  maxEntries?: number;
}

export class EventRecorder {
  private readonly sink: EventSink;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly reportingController: string;
  private readonly reportingInstance: string;
  private readonly windowMs: number;
  private readonly patchIntervalMs: number;
  private readonly burst: number;
  private readonly qps: number;
  private readonly clusterNs: string;
  private readonly maxEntries: number;
  private readonly series = new Map<string, SeriesEntry>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly inflight = new Set<Promise<unknown>>();
  private seq = 0;

  constructor(opts: EventRecorderOptions) {
    this.sink = opts.sink;
    this.log = opts.logger;
    this.clock = opts.clock ?? realClock;
    this.reportingController = opts.reportingController ?? REPORTING_CONTROLLER;
    this.reportingInstance = (opts.reportingInstance ?? process.env.POD_NAME ?? hostname()).slice(0, 128);
    this.windowMs = opts.aggregationWindowMs ?? 10 * 60_000;
    this.patchIntervalMs = opts.seriesPatchIntervalMs ?? 30_000;
    this.burst = opts.burst ?? 25;
    this.qps = opts.qps ?? 1 / 300;
    this.clusterNs = opts.clusterScopedNamespace ?? 'default';
    this.maxEntries = opts.maxEntries ?? 4096;
  }

  normal(regarding: Regarding, reason: string, action: string, note: string, related?: Regarding): void {
    this.event(regarding, 'Normal', reason, action, note, related);
  }

  warning(regarding: Regarding, reason: string, action: string, note: string, related?: Regarding): void {
    this.event(regarding, 'Warning', reason, action, note, related);
  }

  /** Records an Event. Never throws; the write happens in the background. */
  event(
    regarding: Regarding,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    related?: Regarding,
  ): void {
    try {
      this.record(regarding, type, reason, action, note, related);
    } catch (err) {
      this.log.error({ err, reason }, 'failed to record event');
    }
  }

  /** Sends pending series updates now and waits for every write in flight. */
  async flush(): Promise<void> {
    for (const entry of this.series.values()) {
      if (entry.patchTimer !== undefined) {
        this.clock.clearTimeout(entry.patchTimer);
        entry.patchTimer = undefined;
        this.track(this.sendPatch(entry));
      }
    }
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private record(
    regardingIn: Regarding,
    type: EventType,
    reason: string,
    action: string,
    noteIn: string,
    relatedIn?: Regarding,
  ): void {
    if (type !== 'Normal' && type !== 'Warning') {
      this.log.error({ type, reason }, 'event dropped: type must be Normal or Warning');
      return;
    }
    if (!isCamelCase(reason)) {
      this.log.error({ reason }, 'event dropped: reason must be CamelCase (e.g. FailedOver)');
      return;
    }
    if (!isCamelCase(action)) {
      this.log.error({ action, reason }, 'event dropped: action must be CamelCase (e.g. Reconcile)');
      return;
    }
    const regarding = toReference(regardingIn);
    if (!regarding.name) {
      this.log.error({ reason }, 'event dropped: regarding object has no name');
      return;
    }
    const related = relatedIn ? toReference(relatedIn) : undefined;
    const note = sanitizeNote(noteIn);
    const now = this.clock.now();
    const key = JSON.stringify([regarding, related ?? null, type, reason, action, note]);

    const existing = this.series.get(key);
    if (existing && now - existing.lastObserved <= this.windowMs) {
      existing.count++;
      existing.lastObserved = now;
      this.schedulePatch(existing);
      return;
    }
    if (existing) this.dropEntry(key, existing);

    const objectKey = `${regarding.uid ?? ''}/${regarding.kind ?? ''}/${regarding.namespace ?? ''}/${regarding.name}`;
    if (!this.takeToken(objectKey, now)) {
      this.log.debug({ reason, regarding }, 'event dropped: rate limited');
      return;
    }

    const namespace = regarding.namespace || this.clusterNs;
    const name = `${regarding.name}.${eventSuffix(now, ++this.seq)}`;
    const event: EventRecord = {
      metadata: { name, namespace },
      eventTime: new Date(now),
      reportingController: this.reportingController,
      reportingInstance: this.reportingInstance,
      action,
      reason,
      type,
      note,
      regarding,
    };
    if (related) event.related = related;

    const created = Promise.resolve()
      .then(() => this.sink.create(event))
      .then(
        () => true,
        (err: unknown) => {
          this.log.warn({ error: describeError(err), reason, regarding }, 'failed to create event');
          if (this.series.get(key) === entry) this.dropEntry(key, entry);
          return false;
        },
      );
    const entry: SeriesEntry = {
      name,
      namespace,
      count: 1,
      lastObserved: now,
      created,
      lastPatchAt: -Infinity,
    };
    this.series.set(key, entry);
    this.track(created);
    this.evict(now);
  }

  private schedulePatch(entry: SeriesEntry): void {
    if (entry.patchTimer !== undefined) return;
    const now = this.clock.now();
    const delay = entry.lastPatchAt + this.patchIntervalMs - now;
    if (delay <= 0) {
      entry.lastPatchAt = now;
      this.track(this.sendPatch(entry));
      return;
    }
    entry.patchTimer = this.clock.setTimeout(() => {
      entry.patchTimer = undefined;
      this.track(this.sendPatch(entry));
    }, delay);
  }

  private async sendPatch(entry: SeriesEntry): Promise<void> {
    if (!(await entry.created)) return;
    entry.lastPatchAt = Math.max(entry.lastPatchAt, this.clock.now());
    try {
      await this.sink.patchSeries(entry.namespace, entry.name, {
        count: entry.count,
        lastObservedTime: new Date(entry.lastObserved),
      });
    } catch (err) {
      this.log.warn({ error: describeError(err), event: entry.name }, 'failed to update event series');
      if (statusCode(err) === 404) {
        for (const [k, e] of this.series) if (e === entry) this.dropEntry(k, e);
      }
    }
  }

  private takeToken(key: string, now: number): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, last: now };
      this.buckets.set(key, b);
      if (this.buckets.size > this.maxEntries) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.last) / 1000) * this.qps);
    b.last = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private evict(now: number): void {
    for (const [k, e] of this.series) {
      if (now - e.lastObserved > this.windowMs) this.dropEntry(k, e);
    }
    for (const [k, e] of this.series) {
      if (this.series.size <= this.maxEntries) break;
      this.dropEntry(k, e);
    }
  }

  private dropEntry(key: string, entry: SeriesEntry): void {
    if (entry.patchTimer !== undefined) {
      // Send the final count before forgetting the series.
      this.clock.clearTimeout(entry.patchTimer);
      entry.patchTimer = undefined;
      this.track(this.sendPatch(entry));
    }
    this.series.delete(key);
  }

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }
}

function eventSuffix(nowMs: number, seq: number): string {
  // client-go uses the time in nanoseconds, in hex; the sequence keeps names unique within a ms.
  return (BigInt(nowMs) * 1_000_000n + BigInt(seq % 1_000_000)).toString(16);
}

/** Writes Events with client-node's EventsV1Api. */
export class KubeEventSink implements EventSink {
  private readonly api: EventsV1Api;

  constructor(kc: KubeConfig) {
    this.api = makeApiClient(kc, EventsV1Api);
  }

  async create(event: EventRecord): Promise<void> {
    await this.api.createNamespacedEvent({
      namespace: event.metadata.namespace,
      body: {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: event.metadata.name, namespace: event.metadata.namespace },
        eventTime: new V1MicroTime(event.eventTime.getTime()),
        reportingController: event.reportingController,
        reportingInstance: event.reportingInstance,
        action: event.action,
        reason: event.reason,
        type: event.type,
        note: event.note,
        regarding: event.regarding,
        ...(event.related ? { related: event.related } : {}),
      },
    });
  }

  async patchSeries(
    namespace: string,
    name: string,
    series: { count: number; lastObservedTime: Date },
  ): Promise<void> {
    await this.api.patchNamespacedEvent(
      {
        namespace,
        name,
        body: {
          series: {
            count: series.count,
            lastObservedTime: new V1MicroTime(series.lastObservedTime.getTime()).toISOString(),
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
}
