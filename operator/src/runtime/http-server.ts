/**
 * The operator's HTTP side: /healthz (liveness), /readyz (readiness) and /metrics, in
 * controller-runtime's style, plus whatever routers callers mount (routes API, webhooks).
 *
 * Checks are named; `GET /readyz?verbose` prints `[+]informers ok` / `[-]informers failed: …`,
 * `GET /readyz/<name>` runs one check, `?exclude=<name>` skips one. Failing → HTTP 500.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Express, type Request, type Response, type Router } from 'express';
import type { Registry } from 'prom-client';
import { type Logger, silentLogger } from './logger.js';

/** Passes by returning (true or nothing); fails by returning false or throwing. */
export type Check = () => boolean | void | Promise<boolean | void>;

/** A named set of checks (one for /healthz, one for /readyz). */
export class Checks {
  private readonly checks = new Map<string, Check>();

  add(name: string, check: Check): this {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
      throw new Error(`check name "${name}" must be lower-case kebab-case`);
    if (this.checks.has(name)) throw new Error(`check "${name}" is already registered`);
    this.checks.set(name, check);
    return this;
  }

  remove(name: string): void {
    this.checks.delete(name);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  has(name: string): boolean {
    return this.checks.has(name);
  }

  /** Runs the checks (all, or only `only`), skipping `exclude`. */
  async run(
    opts: { only?: string; exclude?: readonly string[] } = {},
  ): Promise<{ name: string; ok: boolean; error?: string }[]> {
    const out: { name: string; ok: boolean; error?: string }[] = [];
    for (const [name, check] of this.checks) {
      if (opts.only !== undefined && name !== opts.only) continue;
      if (opts.exclude?.includes(name)) continue;
      try {
        const result = await check();
        out.push(result === false ? { name, ok: false } : { name, ok: true });
      } catch (err) {
        out.push({ name, ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return out;
  }
}

/** A check that passes once every informer has synced. */
export function syncedCheck(sources: () => Iterable<{ hasSynced(): boolean; name?: string }>): Check {
  return () => {
    const pending: string[] = [];
    for (const s of sources()) if (!s.hasSynced()) pending.push(s.name ?? '?');
    if (pending.length > 0) throw new Error(`not synced: ${pending.join(', ')}`);
    return true;
  };
}

export interface HttpAppOptions {
  /** Liveness checks; a `ping` check is always present. */
  healthz?: Checks;
  /** Readiness checks. */
  readyz?: Checks;
  /** Serve `/metrics` from this registry. */
  registry?: Registry;
  /** More routers, mounted in order, e.g. `{ path: '/api/v1', router }`. */
  routers?: { path: string; router: Router | express.RequestHandler }[];
  logger?: Logger;
}

/** Builds the express app. Mount more with `app.use` before listening, or pass `routers`. */
export function createHttpApp(opts: HttpAppOptions = {}): Express {
  const log = opts.logger ?? silentLogger();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const healthz = opts.healthz ?? new Checks();
  if (!healthz.has('ping')) healthz.add('ping', () => true);
  mountChecks(app, '/healthz', healthz);
  mountChecks(app, '/livez', healthz);
  if (opts.readyz) mountChecks(app, '/readyz', opts.readyz);

  if (opts.registry) {
    const registry = opts.registry;
    app.get('/metrics', async (_req: Request, res: Response) => {
      try {
        const body = await registry.metrics();
        res.set('Content-Type', registry.contentType).send(body);
      } catch (err) {
        log.error({ err }, 'collecting metrics failed');
        res.status(500).type('text/plain').send('collecting metrics failed\n');
      }
    });
  }

  for (const { path, router } of opts.routers ?? []) app.use(path, router);
  return app;
}

function mountChecks(app: Express, base: string, checks: Checks): void {
  const kind = base.slice(1);
  const handler = async (req: Request, res: Response, only?: string): Promise<void> => {
    if (only !== undefined && !checks.has(only)) {
      res.status(404).type('text/plain').send(`no such check: ${only}\n`);
      return;
    }
    const exclude = toList(req.query.exclude);
    const verbose = req.query.verbose !== undefined;
    const results = await checks.run({ exclude, ...(only !== undefined ? { only } : {}) });
    const failed = results.some((r) => !r.ok);
    res.status(failed ? 500 : 200).type('text/plain');
    res.set('Cache-Control', 'no-store');
    res.set('X-Content-Type-Options', 'nosniff');
    if (!failed && !verbose) {
      res.send('ok');
      return;
    }
    const lines = results.map((r) =>
      r.ok
        ? `[+]${r.name} ok`
        : `[-]${r.name} failed: ${verbose ? (r.error ?? 'check failed') : 'reason withheld'}`,
    );
    for (const name of exclude) lines.push(`[+]${name} excluded: ok`);
    lines.push(failed ? `${kind} check failed` : `${kind} check passed`);
    res.send(`${lines.join('\n')}\n`);
  };
  app.get(base, (req, res) => handler(req, res));
  app.get(`${base}/:name`, (req, res) => handler(req, res, String(req.params.name)));
}

function toList(v: unknown): string[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap((x) => toList(x));
  return String(v)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export interface HttpServerHandle {
  readonly server: Server;
  /** The bound address (useful with port 0). */
  readonly port: number;
  readonly host: string;
  /** Stops accepting, lets in-flight requests finish, then cuts what is left after `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
}

/** Listens on `host:port` (host '' or undefined = all interfaces). */
export function listen(
  app: Express,
  bind: { host?: string; port: number },
  logger?: Logger,
): Promise<HttpServerHandle> {
  const log = logger ?? silentLogger();
  return new Promise((resolve, reject) => {
    const host = bind.host ? bind.host.replace(/^\[(.*)\]$/, '$1') : undefined;
    const server = host !== undefined ? app.listen(bind.port, host) : app.listen(bind.port);
    server.keepAliveTimeout = 5_000;

    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      server.on('error', (err) => log.error({ err }, 'http server error'));
      const addr = server.address() as AddressInfo;
      log.info({ address: addr.address, port: addr.port }, 'http server listening');
      let closing: Promise<void> | undefined;
      resolve({
        server,
        port: addr.port,
        host: addr.address,
        close(timeoutMs = 5_000) {
          closing ??= new Promise<void>((done) => {
            const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
            timer.unref();
            // Keep-alive connections that go idle once their last response is sent are closed
            // too, instead of holding close() until the keep-alive timeout.
            const sweeper = setInterval(() => server.closeIdleConnections(), 25);
            sweeper.unref();
            server.close(() => {
              clearTimeout(timer);
              clearInterval(sweeper);
              done();
            });
            server.closeIdleConnections();
          });
          return closing;
        },
      });
    });
  });
}
