import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  dropConnections,
  makeApiClient,
  makeObjectApi,
  observeClientRequests,
  type ClientRequest,
} from './api-client.js';

function kubeConfigFor(server: string, namespace = 'default'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u', namespace }],
    currentContext: 'ctx',
  });
  return kc;
}

describe('observed API clients', () => {
  let server: Server;
  let base = '';
  let connections = 0;
  const seen: IncomingMessage[] = [];
  const reported: ClientRequest[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req);
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/v1') {
        // Discovery, which the object API reads to know that ConfigMaps are namespaced.
        res.end(
          JSON.stringify({
            kind: 'APIResourceList',
            groupVersion: 'v1',
            resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['get'] }],
          }),
        );
      } else if (req.url?.startsWith('/api/v1/namespaces/present')) {
        res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'present' } }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound' }));
      }
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    observeClientRequests((r) => reported.push(r));
  });
  afterAll(async () => {
    observeClientRequests(undefined);
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    connections = 0;
    seen.length = 0;
    reported.length = 0;
  });

  test('every request is reported with method, host and status, and still authenticated', async () => {
    const core = makeApiClient(kubeConfigFor(base), CoreV1Api);
    const ns = await core.readNamespace({ name: 'present' });
    expect(ns.metadata?.name).toBe('present');
    await expect(core.deleteNamespace({ name: 'absent' })).rejects.toMatchObject({ code: 404 });
    const host = new URL(base).host;
    expect(reported).toEqual([
      { method: 'GET', host, code: '200' },
      { method: 'DELETE', host, code: '404' },
    ]);
    expect(seen[0]!.headers.authorization).toBe('Bearer secret-token');
    expect(seen[0]!.headers['user-agent']).toBe('paygrid-operator');
  });

  test('requests of one kubeconfig share one connection pool (client-node alone opens a new one per request)', async () => {
    const kc = kubeConfigFor(base);
    const core = makeApiClient(kc, CoreV1Api);
    const other = makeApiClient(kc, CoreV1Api);
    for (let i = 0; i < 5; i++) await core.readNamespace({ name: 'present' });
    await other.readNamespace({ name: 'present' });
    expect(seen).toHaveLength(6);
    // undici may open a second socket while the first is still finishing a response; never one per request.
    expect(connections).toBeLessThanOrEqual(2);
    // A kubeconfig of its own gets a pool of its own.
    const before = connections;
    await makeApiClient(kubeConfigFor(base), CoreV1Api).readNamespace({ name: 'present' });
    expect(connections).toBe(before + 1);
  });

  test('dropConnections closes the pooled sockets; the next request of that kubeconfig opens a fresh one', async () => {
    const kc = kubeConfigFor(base);
    const core = makeApiClient(kc, CoreV1Api);
    const sockets: Socket[] = [];
    const onConnection = (socket: Socket) => sockets.push(socket);
    server.on('connection', onConnection);
    try {
      await core.readNamespace({ name: 'present' });
      const pooled = [...sockets];
      expect(pooled.length).toBeGreaterThan(0);
      const closed = Promise.all(pooled.map((sock) => (sock.closed ? undefined : once(sock, 'close'))));
      dropConnections(kc);
      await closed;
      const before = connections;
      await core.readNamespace({ name: 'present' });
      expect(connections).toBeGreaterThan(before);
    } finally {
      server.off('connection', onConnection);
    }
  });

  test('a request that gets no answer is reported as <error> and still fails', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const core = makeApiClient(kubeConfigFor(`http://127.0.0.1:${port}`), CoreV1Api);
    await expect(core.readNamespace({ name: 'present' })).rejects.toThrow();
    expect(reported).toEqual([{ method: 'GET', host: `127.0.0.1:${port}`, code: '<error>' }]);
  });

  test("the object API puts namespace-less objects into the context's namespace, as client-node's does", async () => {
    const objects = makeObjectApi(kubeConfigFor(base, 'payments'));
    await expect(
      objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
    ).rejects.toMatchObject({ code: 404 });
    expect(seen.map((r) => r.url)).toEqual(['/api/v1', '/api/v1/namespaces/payments/configmaps/x']);
  });
});
