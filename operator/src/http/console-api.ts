/**
 * The console's side of the read-only API, and the page itself:
 *
 *   GET /api/v1/console          → ConsoleSnapshot (console/snapshot.ts), from the hub caches
 *   GET /api/v1/console/stream   → text/event-stream: `event: snapshot` with the whole document at
 *                                  once, then again after any gateway or site changes (bursts
 *                                  coalesced into one push), `: ping` comments to keep it open
 *   GET /api/v1/console/drill?site=NAME[&kind=EdgeSite|CloudCluster]
 *                                → { ok, text }: what `kubectl paygrid drill NAME` prints, from the
 *                                  same pure function (cli/commands.ts drillReport)
 *   GET /ui/                     → the page (built by operator/scripts/build-console.mjs)
 *
 * One informer handler set serves every open stream, and one document is built per push for all
 * of them: a thousand open pages cost one serialisation, not a thousand. Another, always on, keeps
 * the failover timeline's records after the status lets go of them (console/history.ts), so the
 * story is whole even when no page was open while it happened.
 */
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response } from 'express';
import type { CloudCluster, EdgeSite, PaymentGateway } from '../api/index.js';
import { drillReport } from '../cli/commands.js';
import { DEFAULT_KEPT_PER_GATEWAY, mergeTimeline } from '../console/history.js';
import { consoleSnapshot, gatewayDocument } from '../console/snapshot.js';
import { gatewayTimeline, type SiteLookup, type TimelineEntry } from '../console/view.js';
import { type Clock, realClock, type TimerHandle } from '../runtime/clock.js';
import type { EventHandler } from '../runtime/informer.js';
import { BadParameter, type InformerLike } from './routes-api.js';

export interface ConsoleApiDeps {
  gateways: InformerLike<PaymentGateway>;
  edgeSites: InformerLike<EdgeSite>;
  cloudClusters: InformerLike<CloudCluster>;
  clock?: Clock;
  /** Where the built page is (default operator/dist/console-ui next to this module's dist). */
  staticDir?: string;
  /** Changes within this many ms go out in one push (default 200). */
  coalesceMs?: number;
  /** Most streams open at once; more → 503 (default 1000). */
  maxStreams?: number;
  /** A ping comment this often keeps idle proxies from closing the stream (default 25 s). */
  pingMs?: number;
  /**
   * A stream whose client leaves more than this unread is ended (default 16 MiB, about ten
   * snapshots of 1,000 gateways); its browser reconnects and starts from a fresh snapshot.
   */
  maxBufferedBytes?: number;
  /** Ended failovers kept per gateway for the timeline (default 5). */
  keptPerGateway?: number;
}

export interface ConsoleRouter extends express.Router {
  activeStreams(): number;
  /** Ends every stream (for shutdown). */
  close(): void;
}

export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../console-ui/', import.meta.url));

const SITE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Validates the drill query; throws BadParameter naming the parameter. */
export function parseDrillQuery(query: Record<string, unknown>): {
  name: string;
  kind?: 'EdgeSite' | 'CloudCluster';
} {
  const site = query.site;
  if (typeof site !== 'string' || site.length === 0)
    throw new BadParameter('site', 'site is required, once: the name of an EdgeSite or CloudCluster');
  if (site.length > 253 || !SITE_NAME.test(site))
    throw new BadParameter('site', 'site must be a DNS subdomain (lowercase letters, digits, - and .)');
  const kind = query.kind;
  if (kind === undefined) return { name: site };
  if (kind !== 'EdgeSite' && kind !== 'CloudCluster')
    throw new BadParameter('kind', 'kind must be EdgeSite or CloudCluster');
  return { name: site, kind };
}

export function consoleRouter(deps: ConsoleApiDeps): ConsoleRouter {
  const clock = deps.clock ?? realClock;
  const coalesceMs = deps.coalesceMs ?? 200;
  const maxStreams = deps.maxStreams ?? 1000;
  const pingMs = deps.pingMs ?? 25_000;
  const maxBuffered = deps.maxBufferedBytes ?? 16 * 1024 * 1024;
  const streams = new Set<Response>();
  let pending: TimerHandle | undefined;
  let pinger: TimerHandle | undefined;
  let unsubscribe: (() => void)[] = [];

  // The timeline's memory, per gateway "namespace/name": fed by every gateway update, whether or
  // not a page is open. Only gateways with a failover cost anything: the rest have no entry.
  const keptPerGateway = deps.keptPerGateway ?? DEFAULT_KEPT_PER_GATEWAY;
  const kept = new Map<string, TimelineEntry[]>();
  const siteHealth: SiteLookup = (kind, name) => {
    const m = kind === 'EdgeSite' ? deps.edgeSites.get(name) : deps.cloudClusters.get(name);
    return m && { health: m.status?.health ?? 'Unknown', healthSince: m.status?.healthSince ?? null };
  };
  const remember = (gw: PaymentGateway): void => {
    const doc = gatewayDocument(gw);
    const key = `${doc.namespace}/${doc.name}`;
    const before = kept.get(key) ?? [];
    const live = gatewayTimeline(doc, siteHealth);
    if (before.length === 0 && live.length === 0) return;
    kept.set(key, mergeTimeline(before, live, keptPerGateway));
  };
  const forget = (gw: PaymentGateway): void => {
    kept.delete(`${gw.metadata?.namespace ?? ''}/${gw.metadata?.name ?? ''}`);
  };
  // A site's Unreachable time may reach the caches after the gateway's Lost placement: take it then.
  const siteChanged = (m: EdgeSite | CloudCluster): void => {
    for (const [key, entries] of kept) {
      const gw = entries.some((e) => e.live && e.from === m.metadata?.name) && deps.gateways.get(key);
      if (gw) remember(gw);
    }
  };
  const remembering = [
    deps.gateways.addEventHandler({
      onAdd: remember,
      onUpdate: (_old, gw) => remember(gw),
      onDelete: forget,
    }),
    deps.edgeSites.addEventHandler({ onUpdate: (_old, m) => siteChanged(m) }),
    deps.cloudClusters.addEventHandler({ onUpdate: (_old, m) => siteChanged(m) }),
  ];

  const snapshotJson = (): string =>
    JSON.stringify(
      consoleSnapshot(
        deps.gateways.list(),
        deps.edgeSites.list(),
        deps.cloudClusters.list(),
        new Date(clock.now()).toISOString(),
        (key) => kept.get(key),
      ),
    );
  const push = (): void => {
    pending = undefined;
    const frame = `event: snapshot\ndata: ${snapshotJson()}\n\n`;
    for (const res of [...streams]) {
      // A stalled client must not make the operator hold every snapshot it has not read.
      if (res.writableLength > maxBuffered) {
        closeStream(res);
        res.destroy();
      } else res.write(frame);
    }
  };
  const changed = (): void => {
    pending ??= clock.setTimeout(push, coalesceMs);
  };
  const ping = (): void => {
    for (const res of streams) res.write(': ping\n\n');
    pinger = clock.setTimeout(ping, pingMs);
  };
  function listen<T>(inf: InformerLike<T>): () => void {
    const h: EventHandler<T> = { onAdd: changed, onUpdate: changed, onDelete: changed };
    return inf.addEventHandler(h);
  }
  const open = (res: Response): void => {
    streams.add(res);
    if (streams.size === 1) {
      // Subscribing replays the caches as adds: those coalesce into one push, after the first frame.
      unsubscribe = [listen(deps.gateways), listen(deps.edgeSites), listen(deps.cloudClusters)];
      pinger = clock.setTimeout(ping, pingMs);
    }
  };
  const closeStream = (res: Response): void => {
    if (!streams.delete(res) || streams.size > 0) return;
    for (const u of unsubscribe) u();
    unsubscribe = [];
    if (pending) clock.clearTimeout(pending);
    if (pinger) clock.clearTimeout(pinger);
    pending = pinger = undefined;
  };
  const synced = (): boolean =>
    [deps.gateways, deps.edgeSites, deps.cloudClusters].every((i) => !i.hasSynced || i.hasSynced());
  const notSynced = (res: Response): void => {
    res.set('Retry-After', '1');
    sendError(res, 503, 'ServiceUnavailable', 'the operator has not loaded the gateways and sites yet');
  };

  const router = express.Router() as ConsoleRouter;
  router.activeStreams = () => streams.size;
  router.close = () => {
    for (const u of remembering) u();
    for (const res of [...streams]) {
      closeStream(res);
      res.end();
    }
  };

  router.get('/api/v1/console', (_req: Request, res: Response) => {
    headers(res);
    if (!synced()) return notSynced(res);
    res.type('application/json').send(snapshotJson());
  });

  router.get('/api/v1/console/stream', (req: Request, res: Response) => {
    headers(res);
    if (!synced()) return notSynced(res);
    if (streams.size >= maxStreams) {
      res.set('Retry-After', '5');
      return sendError(res, 503, 'ServiceUnavailable', 'too many console streams; retry shortly');
    }
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
      // Tells the browser how long to wait before reconnecting after a cut.
    });
    res.flushHeaders();
    res.write(`retry: 2000\nevent: snapshot\ndata: ${snapshotJson()}\n\n`);
    open(res);
    req.on('close', () => closeStream(res));
  });

  router.get('/api/v1/console/drill', (req: Request, res: Response) => {
    headers(res);
    let site: ReturnType<typeof parseDrillQuery>;
    try {
      site = parseDrillQuery(req.query as Record<string, unknown>);
    } catch (err) {
      if (err instanceof BadParameter) return sendError(res, 400, 'BadRequest', err.message);
      throw err;
    }
    if (!synced()) return notSynced(res);
    const report = drillReport(
      {
        gateways: deps.gateways.list(),
        edgeSites: deps.edgeSites.list(),
        cloudClusters: deps.cloudClusters.list(),
      },
      site,
      new Date(clock.now()).toISOString(),
    );
    res.status(report.ok ? 200 : 404).json(report);
  });

  for (const path of ['/api/v1/console', '/api/v1/console/stream', '/api/v1/console/drill']) {
    router.all(path, (_req: Request, res: Response) => {
      headers(res);
      res.set('Allow', 'GET, HEAD');
      sendError(res, 405, 'MethodNotAllowed', 'this API is read-only: use GET');
    });
  }

  // Relative asset URLs in the page need the trailing slash (routing ignores it, so check the path).
  router.get('/ui', (req, res, next) => (req.path === '/ui' ? res.redirect(301, '/ui/') : next()));
  router.use(
    '/ui/',
    (_req, res, next) => {
      // The page loads only its own script and style and talks only to this origin.
      res.set(
        'Content-Security-Policy',
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
      res.set('X-Content-Type-Options', 'nosniff');
      res.set('Referrer-Policy', 'no-referrer');
      next();
    },
    express.static(deps.staticDir ?? DEFAULT_STATIC_DIR, { index: 'index.html', fallthrough: true }),
  );
  return router;
}

function headers(res: Response): void {
  res.set('Cache-Control', 'no-store');
  res.set('X-Content-Type-Options', 'nosniff');
}

function sendError(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ error, message });
}
