// The HTTP side every service shares, on node:http (no framework: the authorization hot path is a
// few microseconds of routing and JSON). Routes are the service's; /livez, /healthz, /readyz and
// /metrics are added here. Bodies are JSON, at most maxBodyBytes; a malformed body is a 400 naming
// `body`; an unexpected exception is a 500 that says nothing of the request (it is logged, scrubbed).
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Registry } from 'prom-client';
import type { Health } from './health.js';
import { HttpError } from './http-errors.js';
import type { Logger } from './logger.js';
import { Router } from './router.js';

/** What the server answers itself, before the service's Router (documented in each openapi.yaml). */
export const SERVER_ENDPOINTS: readonly string[] = [
  'GET /livez',
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
];

export interface Request {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when the request had none. */
  readonly body: unknown;
  /** Aborted when the client goes away before the answer. */
  readonly signal: AbortSignal;
}

export interface Response {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (req: Request) => Promise<Response> | Response;

export interface HttpServerOptions {
  readonly routes: Router<Handler>;
  readonly health: Health;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Default 64 KiB. */
  readonly maxBodyBytes?: number;
}

const JSON_TYPE = 'application/json';

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : JSON_TYPE,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit, keep reading (and dropping) so the client gets the 413, not a reset.
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit)
        reject(
          new HttpError(413, 'BodyTooLarge', `the request body is larger than ${limit} bytes`, {
            field: 'body',
          }),
        );
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function parseJson(raw: Buffer, headers: IncomingHttpHeaders): unknown {
  if (raw.length === 0) return undefined;
  const type = headers['content-type'];
  if (type !== undefined && !type.toLowerCase().startsWith(JSON_TYPE))
    throw new HttpError(
      415,
      'UnsupportedMediaType',
      `send the body as ${JSON_TYPE}, not ${type.slice(0, 60)}`,
      {
        field: 'content-type',
      },
    );
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'MalformedJSON', 'the request body is not valid JSON', {
      field: 'body',
      rule: 'json',
    });
  }
}

export function createHttpServer(options: HttpServerOptions): Server {
  const { routes, health, registry, logger } = options;
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    if (health.isStopping) res.setHeader('connection', 'close');
    try {
      if (method === 'GET' && (path === '/livez' || path === '/healthz'))
        return send(res, 200, { live: true });
      if (method === 'GET' && path === '/readyz') {
        const report = health.readiness();
        return send(res, report.ready ? 200 : 503, report);
      }
      if (method === 'GET' && path === '/metrics') {
        return send(res, 200, await registry.metrics(), { 'content-type': registry.contentType });
      }
      const match = routes.match(method, path);
      if (match === 'notFound')
        throw new HttpError(404, 'NotFound', `no route ${method} ${path.slice(0, 200)}`);
      if (match === 'methodNotAllowed')
        throw new HttpError(405, 'MethodNotAllowed', `${method} is not allowed on ${path.slice(0, 200)}`);
      const raw = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, maxBody);
      const controller = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) controller.abort();
      });
      const answer = await match.handler({
        method,
        path,
        params: match.params,
        query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
        headers: req.headers,
        body: parseJson(raw, req.headers),
        signal: controller.signal,
      });
      send(res, answer.status, answer.body, answer.headers);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) return send(res, err.status, err.body());
      logger.error({ err, method, path }, 'request failed');
      send(res, 500, {
        error: {
          reason: 'InternalError',
          message: 'the service failed to answer; retry with the same Idempotency-Key',
        },
      });
    }
  }

  return server;
}

/** Listens on port (0 = any) and host; resolves with the bound port. */
export function listen(server: Server, port: number, host = '0.0.0.0'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** How often a closing server closes the keep-alive connections that went idle. */
const IDLE_SWEEP_MS = 50;

/**
 * Stops accepting, closes idle keep-alive connections, waits for in-flight requests. A request in
 * flight at close has a keep-alive connection that goes idle only after its answer, and
 * server.close() never closes it then: it would stay open for keepAliveTimeout (65 s), past the
 * shutdown's grace period. So idle connections are closed again until the last one is gone.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export { Router };
