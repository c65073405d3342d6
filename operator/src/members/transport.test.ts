// The real transport against real local servers (loopback only), and the classifier on the
// real error objects node:https, fetch (undici) and client-node produce.

import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { ManualClock, systemClock } from './clock.js';
import { parseKubeconfig } from './kubeconfig.js';
import { classifyError, fetchMemberInfo, probeReadyz } from './probe.js';
import { b64, TEST_CA_CERT, TEST_SERVER_CERT, TEST_SERVER_KEY } from './testdata/certs.js';
import { kubeConfigTransport } from './transport.js';

const TOKEN = 'test-token-1234';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface Started {
  server: http.Server;
  port: number;
  seen: http.IncomingMessage[];
}

const servers: http.Server[] = [];

async function listen(server: http.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function start(kind: 'http' | 'https', handler: Handler): Promise<Started> {
  const seen: http.IncomingMessage[] = [];
  const wrapped: Handler = (req, res) => {
    seen.push(req);
    handler(req, res);
  };
  const server =
    kind === 'http'
      ? http.createServer(wrapped)
      : https.createServer({ cert: TEST_SERVER_CERT, key: TEST_SERVER_KEY }, wrapped);
  return { server, port: await listen(server), seen };
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

function kubeConfig(server: string, cluster: Record<string, unknown> = {}): KubeConfig {
  const r = parseKubeconfig(
    stringify({
      clusters: [{ name: 'c', cluster: { server, ...cluster } }],
      users: [{ name: 'u', user: { token: TOKEN } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  if (!r.ok) throw new Error(r.message);
  return r.kubeConfig;
}

const fakeApiserver: Handler = (req, res) => {
  if (req.url === '/readyz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  } else if (req.url === '/version') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ gitVersion: 'v1.31.4+k3s1' }));
  } else if (req.url?.startsWith('/api/v1/nodes')) {
    const ready = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ metadata: {}, items: [ready] }));
  } else {
    res.writeHead(404).end();
  }
};

const opts = { timeoutMilliseconds: 5000, clock: systemClock };

describe('kubeConfigTransport against local servers', () => {
  it('probes over http (insecure-skip-tls-verify) with the member credentials, and reads info', async () => {
    const { port, seen } = await start('http', fakeApiserver);
    const t = kubeConfigTransport(
      kubeConfig(`http://127.0.0.1:${port}`, { 'insecure-skip-tls-verify': true }),
    );
    expect(t.server).toBe(`http://127.0.0.1:${port}`);
    const r = await probeReadyz(t, opts);
    expect(r).toMatchObject({ ok: true, reason: 'ProbeSucceeded', statusCode: 200 });
    expect(r.latencyMilliseconds).toBeGreaterThanOrEqual(0);
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]?.headers.accept).toBe('text/plain');
    expect(seen[0]?.headers['user-agent']).toContain('paygrid-operator');

    const info = await fetchMemberInfo(t, opts);
    expect(info).toMatchObject({
      version: { gitVersion: 'v1.31.4+k3s1', distribution: 'K3s' },
      nodes: { total: 1, ready: 1 },
      problems: [],
    });
    expect(seen.map((s) => s.url)).toContain('/api/v1/nodes?limit=500');
  });

  it('probes over https trusting certificate-authority-data', async () => {
    const { port } = await start('https', fakeApiserver);
    const kc = kubeConfig(`https://127.0.0.1:${port}`, { 'certificate-authority-data': b64(TEST_CA_CERT) });
    await expect(probeReadyz(kubeConfigTransport(kc), opts)).resolves.toMatchObject({ ok: true });
  });

  it('401 from the server is Unauthorized', async () => {
    const { port } = await start('http', (_req, res) => res.writeHead(401).end('Unauthorized'));
    const t = kubeConfigTransport(
      kubeConfig(`http://127.0.0.1:${port}`, { 'insecure-skip-tls-verify': true }),
    );
    await expect(probeReadyz(t, opts)).resolves.toMatchObject({
      ok: false,
      reason: 'Unauthorized',
      statusCode: 401,
    });
  });

  it('a refused connection is Unreachable with an actionable message', async () => {
    const port = await closedPort();
    const server = `https://127.0.0.1:${port}`;
    const r = await probeReadyz(kubeConfigTransport(kubeConfig(server)), opts);
    expect(r).toMatchObject({
      ok: false,
      reason: 'Unreachable',
      message: `connection refused by ${server}: is the cluster running and the address in the kubeconfig right?`,
    });
  });

  it('an unknown CA is a TLSError', async () => {
    const { port } = await start('https', fakeApiserver);
    const r = await probeReadyz(kubeConfigTransport(kubeConfig(`https://127.0.0.1:${port}`)), opts);
    expect(r.reason).toBe('TLSError');
    expect(r.message).toContain('not signed by a CA the kubeconfig trusts (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
  });

  it('a certificate for another name is a TLSError naming the mismatch', async () => {
    const { port } = await start('https', fakeApiserver);
    const kc = kubeConfig(`https://127.0.0.1:${port}`, {
      'certificate-authority-data': b64(TEST_CA_CERT),
      'tls-server-name': 'edge-a.example',
    });
    const r = await probeReadyz(kubeConfigTransport(kc), opts);
    expect(r.reason).toBe('TLSError');
    expect(r.message).toContain('is not valid for');
    expect(r.message).toContain('edge-a.example');
  });

  it('https to a plain-http port is a TLSError saying it is not TLS', async () => {
    const { port } = await start('http', fakeApiserver);
    const r = await probeReadyz(kubeConfigTransport(kubeConfig(`https://127.0.0.1:${port}`)), opts);
    expect(r.reason).toBe('TLSError');
    expect(r.message).toContain('did not answer with TLS');
  });

  it('a silent server times out on the injected clock and the request is torn down', async () => {
    const clock = new ManualClock();
    let arrived: () => void = () => undefined;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    let closed: () => void = () => undefined;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const { port } = await start('http', (req) => {
      req.socket.on('close', () => closed());
      arrived();
    });
    const t = kubeConfigTransport(
      kubeConfig(`http://127.0.0.1:${port}`, { 'insecure-skip-tls-verify': true }),
    );
    const pending = probeReadyz(t, { timeoutMilliseconds: 1000, clock });
    await requestArrived;
    await clock.advanceAsync(1000);
    await expect(pending).resolves.toMatchObject({
      ok: false,
      reason: 'ProbeTimeout',
      latencyMilliseconds: 1000,
    });
    await connectionClosed;
  });

  it('refuses bodies over the limit', async () => {
    const { port } = await start('http', (_req, res) => res.writeHead(200).end('x'.repeat(100_000)));
    const t = kubeConfigTransport(
      kubeConfig(`http://127.0.0.1:${port}`, { 'insecure-skip-tls-verify': true }),
    );
    const r = await probeReadyz(t, opts);
    expect(r).toMatchObject({ ok: false, reason: 'ProbeError' });
    expect(r.message).toContain('ResponseTooLargeError');
  });
});

describe('classifyError on errors from fetch and client-node', () => {
  const ctx = (server: string) => ({ server, path: '/readyz', timeoutMilliseconds: 1000, timedOut: false });

  async function caught(p: Promise<unknown>): Promise<unknown> {
    try {
      await p;
    } catch (e) {
      return e;
    }
    throw new Error('expected a rejection');
  }

  it('fetch: connection refused', async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const err = await caught(fetch(`${server}/readyz`));
    expect(classifyError(err, ctx(server)).reason).toBe('Unreachable');
  });

  it('fetch: untrusted certificate', async () => {
    const { port } = await start('https', fakeApiserver);
    const server = `https://127.0.0.1:${port}`;
    const err = await caught(fetch(`${server}/readyz`));
    expect(classifyError(err, ctx(server)).reason).toBe('TLSError');
  });

  it('client-node CoreV1Api: connection refused', async () => {
    const server = `https://127.0.0.1:${await closedPort()}`;
    const api = kubeConfig(server).makeApiClient(CoreV1Api);
    const err = await caught(api.listNode());
    expect(classifyError(err, ctx(server))).toMatchObject({ reason: 'Unreachable' });
  });

  it('client-node CoreV1Api: untrusted certificate', async () => {
    const { port } = await start('https', fakeApiserver);
    const server = `https://127.0.0.1:${port}`;
    const err = await caught(kubeConfig(server).makeApiClient(CoreV1Api).listNode());
    expect(classifyError(err, ctx(server)).reason).toBe('TLSError');
  });
});
