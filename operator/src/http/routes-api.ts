/**
 * The read-only HTTP API for card terminals and load balancers, served from the hub caches (never
 * from the apiserver on the request path):
 *
 *   GET /api/v1/namespaces/{ns}/paymentgateways/{name}/routes
 *       → { gateway: {namespace, name}, epoch, routes: [{member, endpoint, priority}],
 *           generation, observedGeneration }
 *       `ETag` is a hash of (epoch, routes): `If-None-Match` with it → 304. Long-poll with
 *       `?watch=true&timeoutSeconds=N` (1..300, default 30): when the client's ETag (from
 *       `If-None-Match`, or the `etag` query parameter) is the current one, the request is held
 *       until the routes change (answered at once, 200) or the timeout ends (304); with another
 *       ETag, or none, it is answered at once. A gateway deleted while a request waits → 404.
 *   GET /api/v1/sites
 *       → { sites: [{kind, name, region, zone, health, healthSince, ready, reachable, reason,
 *           cordoned, placements, endpoint, kubernetesVersion, lastProbeTime,
 *           lastProbeLatencyMilliseconds}] }, EdgeSites then CloudClusters, by name; with an ETag.
 *
 * Every answer is JSON (errors: `{error, message}`), with `Cache-Control: no-store`. Nothing from
 * Secrets, and no condition messages (they may name internal hosts), ever leaves through here.
 * Mount the router at the root: its paths start with /api/v1.
 */
import { createHash } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import {
  findCondition,
  MemberConditionType,
  type CloudCluster,
  type EdgeSite,
  type PaymentGateway,
} from '../api/index.js';
import { type Clock, realClock, type TimerHandle } from '../runtime/clock.js';
import type { EventHandler } from '../runtime/informer.js';

/** What the router needs of an informer (runtime/informer.ts's Informer has it). */
export interface InformerLike<T> {
  /** The cached object with key "namespace/name" (or "name" when cluster-scoped). */
  get(key: string): T | undefined;
  list(): T[];
  /** Returns a function that removes the handler. */
  addEventHandler(handler: EventHandler<T>): () => void;
  /** When present and false, the API answers 503 instead of a wrong 404. */
  hasSynced?(): boolean;
}

export interface RoutesApiDeps {
  gateways: InformerLike<PaymentGateway>;
  edgeSites: InformerLike<EdgeSite>;
  cloudClusters: InformerLike<CloudCluster>;
  /** Timers of the long-poll (default the wall clock). */
  clock?: Clock;
  /** Most long-polls held at once; more → 503 with Retry-After (default 10000). */
  maxWatches?: number;
}

export interface RoutesRouter extends express.Router {
  /** Long-polls held now (for tests and metrics). */
  activeWatches(): number;
  /** Answers every held long-poll with 304 and stops listening to the informer (for shutdown). */
  close(): void;
}

export const DEFAULT_WATCH_TIMEOUT_SECONDS = 30;
export const MAX_WATCH_TIMEOUT_SECONDS = 300;
export const DEFAULT_MAX_WATCHES = 10_000;

/** The routes document of one gateway. */
export interface RoutesDocument {
  gateway: { namespace: string; name: string };
  epoch: number;
  routes: { member: string; endpoint: string; priority: number }[];
  generation: number | null;
  observedGeneration: number | null;
}

/** One member in GET /api/v1/sites. */
export interface SiteDocument {
  kind: 'EdgeSite' | 'CloudCluster';
  name: string;
  region: string;
  zone: string | null;
  health: string;
  healthSince: string | null;
  /** The Ready condition is True. */
  ready: boolean;
  /** The Reachable condition is True. */
  reachable: boolean;
  /** Reason of the Ready condition (CamelCase), when there is one. */
  reason: string | null;
  cordoned: boolean;
  placements: number;
  endpoint: string | null;
  kubernetesVersion: string | null;
  lastProbeTime: string | null;
  lastProbeLatencyMilliseconds: number | null;
}

export function routesDocument(gw: PaymentGateway): RoutesDocument {
  return {
    gateway: { namespace: gw.metadata?.namespace ?? '', name: gw.metadata?.name ?? '' },
    epoch: gw.status?.epoch ?? 0,
    routes: (gw.status?.routes ?? []).map((r) => ({
      member: r.member,
      endpoint: r.endpoint,
      priority: r.priority,
    })),
    generation: gw.metadata?.generation ?? null,
    observedGeneration: gw.status?.observedGeneration ?? null,
  };
}

/** Strong ETag of a gateway's routes: a hash of the epoch and the routes, in order. */
export function routesETag(gw: PaymentGateway): string {
  const doc = routesDocument(gw);
  return etagOf([doc.epoch, doc.routes.map((r) => [r.member, r.endpoint, r.priority])]);
}

export function siteDocuments(
  edgeSites: readonly EdgeSite[],
  clouds: readonly CloudCluster[],
): SiteDocument[] {
  const doc = (kind: SiteDocument['kind'], m: EdgeSite | CloudCluster): SiteDocument => {
    const s = m.status;
    const ready = findCondition(s?.conditions, MemberConditionType.Ready);
    const spec = m.spec as Partial<EdgeSite['spec']> & Partial<CloudCluster['spec']>;
    return {
      kind,
      name: m.metadata?.name ?? '',
      region: spec.region ?? '',
      zone: spec.zone ?? null,
      health: s?.health ?? 'Unknown',
      healthSince: s?.healthSince ?? null,
      ready: ready?.status === 'True',
      reachable: findCondition(s?.conditions, MemberConditionType.Reachable)?.status === 'True',
      reason: ready?.reason ?? null,
      cordoned: spec.cordoned ?? false,
      placements: s?.placements ?? 0,
      endpoint: spec.endpoint ?? null,
      kubernetesVersion: s?.kubernetesVersion ?? null,
      lastProbeTime: s?.lastProbeTime ?? null,
      lastProbeLatencyMilliseconds: s?.lastProbeLatencyMilliseconds ?? null,
    };
  };
  const byName = (a: SiteDocument, b: SiteDocument) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [
    ...edgeSites.map((s) => doc('EdgeSite', s)).sort(byName),
    ...clouds.map((c) => doc('CloudCluster', c)).sort(byName),
  ];
}

function etagOf(value: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 27)}"`;
}

/** The entity tags of an If-None-Match header (weak ones compare by their opaque part), or '*'. */
export function parseIfNoneMatch(header: string | undefined): string[] | '*' {
  if (header === undefined) return [];
  if (header.trim() === '*') return '*';
  const tags: string[] = [];
  for (const m of header.matchAll(/(?:W\/)?("[^"]*")/g)) if (m[1] !== undefined) tags.push(m[1]);
  return tags;
}

/** Whether the client's tags (If-None-Match, or the etag parameter) include the current ETag. */
function matches(clientTags: string[] | '*', etag: string): boolean {
  return clientTags === '*' || clientTags.includes(etag);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export class BadParameter extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadParameter';
  }
}

export interface RoutesQuery {
  watch: boolean;
  timeoutSeconds: number;
  /** Tags from the `etag` parameter or If-None-Match ('*' matches any). */
  clientTags: string[] | '*';
}

/** Validates path and query of a routes request; throws BadParameter naming the parameter. */
export function parseRoutesRequest(
  params: { namespace: string; name: string },
  query: Record<string, unknown>,
  ifNoneMatch: string | undefined,
): RoutesQuery {
  if (params.namespace.length > 63 || !DNS_LABEL.test(params.namespace)) {
    throw new BadParameter('namespace', 'namespace must be a DNS label (lowercase letters, digits and -)');
  }
  if (params.name.length > 253 || !DNS_SUBDOMAIN.test(params.name)) {
    throw new BadParameter('name', 'name must be a DNS subdomain (lowercase letters, digits, - and .)');
  }
  const single = (key: string): string | undefined => {
    const v = query[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new BadParameter(key, `${key} must be given at most once`);
    return v;
  };
  const watchText = single('watch');
  let watch = false;
  if (watchText !== undefined) {
    if (watchText === 'true' || watchText === '1' || watchText === '') watch = true;
    else if (watchText === 'false' || watchText === '0') watch = false;
    else throw new BadParameter('watch', 'watch must be true or false');
  }
  const timeoutText = single('timeoutSeconds');
  let timeoutSeconds = DEFAULT_WATCH_TIMEOUT_SECONDS;
  if (timeoutText !== undefined) {
    const n = /^\d{1,4}$/.test(timeoutText) ? Number(timeoutText) : NaN;
    if (!(n >= 1 && n <= MAX_WATCH_TIMEOUT_SECONDS)) {
      throw new BadParameter(
        'timeoutSeconds',
        `timeoutSeconds must be an integer between 1 and ${MAX_WATCH_TIMEOUT_SECONDS}`,
      );
    }
    timeoutSeconds = n;
  }
  const etagText = single('etag');
  let clientTags: string[] | '*';
  if (etagText !== undefined) {
    if (etagText.length === 0 || etagText.length > 200 || /[\s,]/.test(etagText)) {
      throw new BadParameter('etag', 'etag must be one entity tag, as returned in the ETag header');
    }
    const bare = etagText.replace(/^W\//, '');
    clientTags = [bare.startsWith('"') ? bare : `"${bare}"`];
  } else {
    clientTags = parseIfNoneMatch(ifNoneMatch);
  }
  return { watch, timeoutSeconds, clientTags };
}

interface Waiter {
  /** The ETag the client holds. */
  readonly etag: string;
  /** Called once, when the gateway changed (with it) or was deleted (undefined). */
  wake(gw: PaymentGateway | undefined): void;
}

export function routesRouter(deps: RoutesApiDeps): RoutesRouter {
  const clock = deps.clock ?? realClock;
  const maxWatches = deps.maxWatches ?? DEFAULT_MAX_WATCHES;
  const waiters = new Map<string, Set<Waiter>>();
  const ending = new Set<() => void>();
  let count = 0;
  let unsubscribe: (() => void) | undefined;

  const keyOf = (gw: PaymentGateway): string => `${gw.metadata?.namespace ?? ''}/${gw.metadata?.name ?? ''}`;
  const changed = (gw: PaymentGateway): void => {
    const set = waiters.get(keyOf(gw));
    if (set === undefined) return;
    const etag = routesETag(gw);
    for (const w of [...set]) if (w.etag !== etag) w.wake(gw);
  };
  const handler: EventHandler<PaymentGateway> = {
    onAdd: changed,
    onUpdate: (_old, gw) => changed(gw),
    onDelete: (gw) => {
      for (const w of [...(waiters.get(keyOf(gw)) ?? [])]) w.wake(undefined);
    },
  };
  // One informer handler while any long-poll waits, none otherwise: a handler per request would
  // replay the whole cache to each one.
  const add = (key: string, w: Waiter): void => {
    let set = waiters.get(key);
    if (set === undefined) waiters.set(key, (set = new Set()));
    set.add(w);
    count++;
    unsubscribe ??= deps.gateways.addEventHandler(handler);
  };
  const remove = (key: string, w: Waiter): void => {
    const set = waiters.get(key);
    if (!set?.delete(w)) return;
    count--;
    if (set.size === 0) waiters.delete(key);
    if (count === 0 && unsubscribe) {
      unsubscribe();
      unsubscribe = undefined;
    }
  };

  const router = express.Router() as RoutesRouter;
  router.activeWatches = () => count;
  router.close = () => {
    for (const end of [...ending]) end();
  };

  const routesPath = '/api/v1/namespaces/:namespace/paymentgateways/:name/routes';
  router.get(routesPath, (req: Request, res: Response) => {
    commonHeaders(res);
    const namespace = String(req.params.namespace);
    const name = String(req.params.name);
    let q: RoutesQuery;
    try {
      q = parseRoutesRequest(
        { namespace, name },
        req.query as Record<string, unknown>,
        req.get('if-none-match'),
      );
    } catch (err) {
      if (err instanceof BadParameter) return sendError(res, 400, 'BadRequest', err.message);
      throw err;
    }
    if (deps.gateways.hasSynced && !deps.gateways.hasSynced()) {
      res.set('Retry-After', '1');
      return sendError(res, 503, 'ServiceUnavailable', 'the operator has not loaded the gateways yet');
    }
    const key = `${namespace}/${name}`;
    const notFound = () => sendError(res, 404, 'NotFound', `PaymentGateway ${namespace}/${name} not found`);
    const gw = deps.gateways.get(key);
    if (gw === undefined) return notFound();
    const etag = routesETag(gw);
    const send = (g: PaymentGateway): void => {
      res.set('ETag', routesETag(g)).status(200).json(routesDocument(g));
    };
    if (!matches(q.clientTags, etag)) return send(gw);
    if (!q.watch) {
      res.set('ETag', etag).status(304).end();
      return;
    }
    if (count >= maxWatches) {
      res.set('Retry-After', '1');
      return sendError(res, 503, 'ServiceUnavailable', 'too many watches; retry shortly');
    }
    // Hold the request until the routes change, the timeout ends, or the client goes away.
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      clock.clearTimeout(timer);
      remove(key, waiter);
      ending.delete(end);
      res.off('close', finish);
      return true;
    };
    const end = (): void => {
      if (finish()) res.set('ETag', etag).status(304).end();
    };
    const waiter: Waiter = {
      etag,
      wake: (g) => {
        if (!finish()) return;
        if (g === undefined) notFound();
        else send(g);
      },
    };
    const timer: TimerHandle = clock.setTimeout(end, q.timeoutSeconds * 1000);
    add(key, waiter);
    ending.add(end);
    res.on('close', finish);
    // The cache may have moved between the read above and subscribing.
    const now = deps.gateways.get(key);
    if (now === undefined) waiter.wake(undefined);
    else if (routesETag(now) !== etag) waiter.wake(now);
  });

  router.get('/api/v1/sites', (req: Request, res: Response) => {
    commonHeaders(res);
    const synced = [deps.edgeSites, deps.cloudClusters].every((i) => !i.hasSynced || i.hasSynced());
    if (!synced) {
      res.set('Retry-After', '1');
      return sendError(res, 503, 'ServiceUnavailable', 'the operator has not loaded the sites yet');
    }
    const sites = siteDocuments(deps.edgeSites.list(), deps.cloudClusters.list());
    const etag = etagOf(sites);
    res.set('ETag', etag);
    if (matches(parseIfNoneMatch(req.get('if-none-match')), etag)) {
      res.status(304).end();
      return;
    }
    res.status(200).json({ sites });
  });

  for (const path of [routesPath, '/api/v1/sites']) {
    router.all(path, (_req: Request, res: Response) => {
      commonHeaders(res);
      res.set('Allow', 'GET, HEAD');
      sendError(res, 405, 'MethodNotAllowed', 'this API is read-only: use GET');
    });
  }
  return router;
}

function commonHeaders(res: Response): void {
  res.set('Cache-Control', 'no-store');
  res.set('X-Content-Type-Options', 'nosniff');
}

function sendError(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ error, message });
}
