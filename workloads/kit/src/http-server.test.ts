// The shared HTTP layer over a real socket: routing, JSON errors that name the field, body limits,
// health endpoints, and no request detail in a 500.
import { Agent, request, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { Health } from './health.js';
import { HttpError, invalidField } from './http-errors.js';
import { closeServer, createHttpServer, listen, type Handler } from './http-server.js';
import { createLogger } from './logger.js';
import { createRegistry } from './metrics.js';
import { Router } from './router.js';

describe('createHttpServer', () => {
  let server: Server;
  let base: string;
  const health = new Health();
  let ready: string | undefined = 'journal not open';
  health.addCheck('journal', () => ready);
  const lines: string[] = [];
  const logger = createLogger({
    service: 'test',
    destination: new Writable({
      write(c: Buffer, _e, done) {
        lines.push(c.toString());
        done();
      },
    }),
  });

  beforeAll(async () => {
    const routes = new Router<Handler>()
      .add('POST', '/v1/things', (req) => {
        const body = req.body as { amountMinor?: unknown } | undefined;
        if (!Number.isSafeInteger(body?.amountMinor))
          throw invalidField(
            'amountMinor',
            'integer',
            'amountMinor must be an integer number of minor units',
          );
        return { status: 201, body: { ok: true, key: req.headers['idempotency-key'] } };
      })
      .add('GET', '/v1/things/:id', (req) => ({
        status: 200,
        body: { id: req.params.id, q: req.query.get('q') },
      }))
      .add('GET', '/v1/boom', () => {
        throw new Error('card 4111111111111111 exploded');
      })
      .add('GET', '/v1/conflict', () => {
        throw new HttpError(409, 'IdempotencyKeyReused', 'the key was used with another body');
      });
    server = createHttpServer({
      routes,
      health,
      registry: createRegistry('test'),
      logger,
      maxBodyBytes: 1024,
    });
    base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  });
  afterAll(() => closeServer(server));

  const post = (path: string, body: string, type = 'application/json') =>
    fetch(base + path, { method: 'POST', body, headers: { 'content-type': type, 'idempotency-key': 'k-1' } });

  it('routes with params and query', async () => {
    const res = await fetch(`${base}/v1/things/a%2Fb?q=x`);
    expect(await res.json()).toEqual({ id: 'a/b', q: 'x' });
    const created = await post('/v1/things', '{"amountMinor":100}');
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ ok: true, key: 'k-1' });
  });

  it('answers a 400 that names the field and the rule', async () => {
    const res = await post('/v1/things', '{"amountMinor":1.5}');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        reason: 'FieldValueInvalid',
        field: 'amountMinor',
        rule: 'integer',
        message: expect.any(String),
      },
    });
  });

  it.each([
    ['malformed JSON', '{"amountMinor":', 'application/json', 400, 'MalformedJSON'],
    [
      'a body over the limit',
      JSON.stringify({ pad: 'x'.repeat(2000) }),
      'application/json',
      413,
      'BodyTooLarge',
    ],
    ['another media type', 'amountMinor=1', 'application/x-www-form-urlencoded', 415, 'UnsupportedMediaType'],
  ])('refuses %s', async (_what, body, type, status, reason) => {
    const res = await post('/v1/things', body, type);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { reason: string } }).error.reason).toBe(reason);
  });

  it('404 and 405 in the same JSON shape', async () => {
    expect((await fetch(`${base}/v1/nothing`)).status).toBe(404);
    const res = await fetch(`${base}/v1/things/1`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(((await res.json()) as { error: { reason: string } }).error.reason).toBe('MethodNotAllowed');
  });

  it('maps HttpError to its status, and hides an unexpected error behind a 500', async () => {
    expect((await fetch(`${base}/v1/conflict`)).status).toBe(409);
    const res = await fetch(`${base}/v1/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('4111');
    expect(text).toContain('InternalError');
    await new Promise((r) => setImmediate(r));
    expect(lines.join('')).not.toContain('4111111111111111');
  });

  it('serves liveness always, readiness from the checks, and metrics', async () => {
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      ready: false,
      failing: [{ check: 'journal', reason: 'journal not open' }],
    });
    ready = undefined;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    health.markStopping();
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('process_cpu_seconds_total{service="test"}');
  });
});

describe('closeServer', () => {
  it('returns soon after the last in-flight answer, though its client keeps connections alive', async () => {
    const server = createHttpServer({
      routes: new Router<Handler>().add('POST', '/v1/slow', async () => {
        await new Promise((r) => setTimeout(r, 300));
        return { status: 200, body: { ok: true } };
      }),
      health: new Health(),
      registry: createRegistry('test'),
      logger: createLogger({
        service: 'test',
        destination: new Writable({ write: (_c, _e, done) => done() }),
      }),
    });
    const port = await listen(server, 0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true });
    const answered = new Promise<number>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/v1/slow', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    await new Promise((r) => setTimeout(r, 100)); // the request is in flight
    const started = Date.now();
    await closeServer(server);
    const took = Date.now() - started;
    expect(await answered).toBe(200);
    agent.destroy();
    // The answer takes ~200 ms more; the keep-alive timeout is 65 s.
    expect(took).toBeLessThan(5_000);
  });
});
