import { ManualClock } from './clock.js';
import {
  classifyError,
  classifyResponse,
  distributionOf,
  fetchMemberInfo,
  infoRefreshDue,
  probeReadyz,
  sanitize,
  withTimeout,
  type ProbeTransport,
  type TransportRequest,
  type TransportResponse,
} from './probe.js';

const SERVER = 'https://127.0.0.1:32001';

type Handler = (path: string, req: TransportRequest) => Promise<TransportResponse> | TransportResponse;

function transport(handler: Handler): ProbeTransport & { calls: string[] } {
  const calls: string[] = [];
  return {
    server: SERVER,
    calls,
    get: async (path, req) => {
      calls.push(path);
      return handler(path, req);
    },
  };
}

/** A request that only ends when aborted (like a silent, partitioned site). */
function hang(req: TransportRequest): Promise<TransportResponse> {
  return new Promise((_, reject) => {
    req.signal.addEventListener('abort', () => {
      const e = new Error('The operation was aborted');
      e.name = 'AbortError';
      reject(e);
    });
  });
}

const nodeErr = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });

const ctx = { server: SERVER, path: '/readyz', timeoutMilliseconds: 1000, timedOut: false };

describe('distributionOf', () => {
  it.each([
    ['v1.31.4+k3s1', 'K3s'],
    ['v1.30.2+k3s2', 'K3s'],
    ['v1.32.0', 'Kubernetes'],
    ['v1.29.3-eks-adc7111', 'Kubernetes'],
    ['', 'Unknown'],
    [undefined, 'Unknown'],
    [null, 'Unknown'],
  ])('%s -> %s', (v, d) => {
    expect(distributionOf(v)).toBe(d);
  });
});

describe('infoRefreshDue', () => {
  const t = (s: number) => new Date(Date.UTC(2025, 0, 1) + s * 1000);
  it('is due when never read, on a health change, and every 30 s', () => {
    expect(infoRefreshDue(undefined, t(0), false)).toBe(true);
    expect(infoRefreshDue(t(0), t(29.999), false)).toBe(false);
    expect(infoRefreshDue(t(0), t(1), true)).toBe(true);
    expect(infoRefreshDue(t(0), t(30), false)).toBe(true);
    expect(infoRefreshDue(t(0), t(10), false, 10_000)).toBe(true);
  });
});

describe('probeReadyz', () => {
  it('succeeds on 200 and measures latency on the injected clock', async () => {
    const clock = new ManualClock();
    const t = transport(() => {
      clock.advance(37);
      return { status: 200, body: 'ok' };
    });
    const r = await probeReadyz(t, { timeoutMilliseconds: 1000, clock });
    expect(r).toEqual({
      ok: true,
      reason: 'ProbeSucceeded',
      message: `${SERVER} answered /readyz`,
      at: new Date(clock.now()),
      latencyMilliseconds: 37,
      statusCode: 200,
    });
    expect(t.calls).toEqual(['/readyz']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('asks for text and caps the body', async () => {
    let seen: TransportRequest | undefined;
    const t = transport((_p, req) => {
      seen = req;
      return { status: 200, body: 'ok' };
    });
    await probeReadyz(t, { timeoutMilliseconds: 1000, clock: new ManualClock() });
    expect(seen?.accept).toBe('text/plain');
    expect(seen?.maxBodyBytes).toBe(64 * 1024);
  });

  it('times out at probe.timeoutSeconds, aborting the request', async () => {
    const clock = new ManualClock();
    let signal: AbortSignal | undefined;
    const t = transport((_p, req) => {
      signal = req.signal;
      return hang(req);
    });
    const pending = probeReadyz(t, { timeoutMilliseconds: 1000, clock });
    await clock.advanceAsync(999);
    expect(signal?.aborted).toBe(false);
    await clock.advanceAsync(1);
    const r = await pending;
    expect(signal?.aborted).toBe(true);
    expect(r).toMatchObject({ ok: false, reason: 'ProbeTimeout', latencyMilliseconds: 1000 });
    expect(r.message).toBe(
      `${SERVER} did not answer /readyz within 1000 ms: is the site up, or the network between the operator and it partitioned? (probe.timeoutSeconds sets the limit)`,
    );
  });

  it('times out even when the transport ignores the abort signal', async () => {
    const clock = new ManualClock();
    const t = transport(() => new Promise<TransportResponse>(() => undefined));
    const pending = probeReadyz(t, { timeoutMilliseconds: 500, clock });
    await clock.advanceAsync(500);
    await expect(pending).resolves.toMatchObject({ reason: 'ProbeTimeout', latencyMilliseconds: 500 });
  });

  it('falls back to /healthz on 404, within the same time budget', async () => {
    const clock = new ManualClock();
    const t = transport((path, req) => {
      if (path === '/readyz') {
        clock.advance(300);
        return { status: 404, body: '' };
      }
      return hang(req);
    });
    const pending = probeReadyz(t, { timeoutMilliseconds: 1000, clock });
    await clock.advanceAsync(700);
    const r = await pending;
    expect(t.calls).toEqual(['/readyz', '/healthz']);
    expect(r).toMatchObject({ reason: 'ProbeTimeout', latencyMilliseconds: 1000 });
    expect(r.message).toContain('did not answer /healthz within 1000 ms');

    const old = transport((path) => ({ status: path === '/readyz' ? 404 : 200, body: 'ok' }));
    await expect(probeReadyz(old, { timeoutMilliseconds: 1000, clock })).resolves.toMatchObject({
      ok: true,
      message: `${SERVER} answered /healthz`,
    });
  });

  it.each([
    [401, '', 'Unauthorized'],
    [403, '', 'Forbidden'],
    [500, '[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed', 'NotReady'],
    [503, 'upstream connect error', 'NotReady'],
  ])('classifies HTTP %d as %s and keeps the status code', async (status, body, reason) => {
    const r = await probeReadyz(
      transport(() => ({ status, body })),
      { timeoutMilliseconds: 1000, clock: new ManualClock() },
    );
    expect(r).toMatchObject({ ok: false, reason, statusCode: status });
  });

  it('classifies transport errors', async () => {
    const t = transport(() => {
      throw nodeErr('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:32001');
    });
    const r = await probeReadyz(t, { timeoutMilliseconds: 1000, clock: new ManualClock() });
    expect(r).toMatchObject({ ok: false, reason: 'Unreachable', latencyMilliseconds: 0 });
    expect(r.statusCode).toBeUndefined();
  });

  it('is cancelled by the caller signal without counting as a timeout', async () => {
    const clock = new ManualClock();
    const outer = new AbortController();
    const pending = probeReadyz(
      transport((_p, req) => hang(req)),
      { timeoutMilliseconds: 1000, clock, signal: outer.signal },
    );
    outer.abort();
    const r = await pending;
    expect(r).toMatchObject({
      ok: false,
      reason: 'ProbeError',
      message: `the probe of ${SERVER} was cancelled`,
    });
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('withTimeout', () => {
  it('clears its timer when the work finishes first', async () => {
    const clock = new ManualClock();
    await expect(withTimeout(clock, 1000, undefined, async () => 42)).resolves.toEqual({
      ok: true,
      value: 42,
    });
    expect(clock.pendingTimers).toBe(0);
  });
  it('does not start work for an already-cancelled caller', async () => {
    const clock = new ManualClock();
    const outer = new AbortController();
    outer.abort();
    const r = await withTimeout(clock, 1000, outer.signal, (signal) =>
      signal.aborted ? Promise.reject(new Error('aborted')) : Promise.resolve(1),
    );
    expect(r.ok).toBe(false);
  });
});

describe('classifyResponse', () => {
  const r = (status: number, body = '', path = '/readyz') =>
    classifyResponse(status, body, { server: SERVER, path });

  it('is undefined for 2xx', () => {
    expect(r(200)).toBeUndefined();
    expect(r(204)).toBeUndefined();
  });

  it('401 says the credentials were rejected and what to do', () => {
    expect(r(401)).toEqual({
      reason: 'Unauthorized',
      message: `${SERVER} rejected the kubeconfig's credentials (401 Unauthorized): has the token or client certificate expired or been revoked? Update the kubeconfig Secret`,
    });
  });

  it('403 says what to grant, depending on the path', () => {
    expect(r(403)?.message).toContain('system:public-info-viewer');
    expect(r(403, '', '/api/v1/nodes')?.message).toBe(
      `${SERVER} refused /api/v1/nodes to the kubeconfig's user (403 Forbidden): grant it list on nodes`,
    );
  });

  it('names failing readyz checks', () => {
    expect(r(500, '[+]ping ok\n[-]etcd failed: reason withheld\n[-]poststarthook/rbac failed\n')).toEqual({
      reason: 'NotReady',
      message: `${SERVER}/readyz answered 500: failing checks: etcd, poststarthook/rbac`,
    });
  });

  it.each([
    [404, '', 'not found: is the server a Kubernetes apiserver'],
    [429, 'Too many requests', 'throttling'],
    [502, '<html>Bad Gateway</html>\n', '<html>Bad Gateway</html>; is the apiserver starting'],
    [418, "I'm a teapot", "I'm a teapot"],
    [400, '', 'unexpected answer'],
  ])('%d -> NotReady with %s', (status, body, expected) => {
    const c = r(status, body);
    expect(c?.reason).toBe('NotReady');
    expect(c?.message).toContain(expected);
  });

  it('does not echo credentials a proxy might reflect', () => {
    const c = r(502, 'Authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.payload.sig');
    expect(c?.message).not.toContain('eyJhbGci');
  });
});

describe('classifyError (error shapes as Node, undici and client-node produce them)', () => {
  it('our timeout wins over whatever error the abort produced', () => {
    const abort = Object.assign(new Error('The operation was aborted'), {
      name: 'AbortError',
      code: 'ABORT_ERR',
    });
    expect(classifyError(abort, { ...ctx, timedOut: true }).reason).toBe('ProbeTimeout');
    expect(classifyError(abort, ctx)).toEqual({
      reason: 'ProbeError',
      message: `the probe of ${SERVER} was cancelled`,
    });
  });

  it('undici header/body timeouts are probe timeouts', () => {
    const e = new TypeError('fetch failed', {
      cause: nodeErr('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'),
    });
    expect(classifyError(e, ctx).reason).toBe('ProbeTimeout');
  });

  it('connection refused, directly and inside fetch / AggregateError', () => {
    const direct = nodeErr('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:32001', { syscall: 'connect' });
    const agg = Object.assign(
      new AggregateError([nodeErr('ECONNREFUSED', 'connect ECONNREFUSED ::1:32001'), direct], ''),
      { code: 'ECONNREFUSED' },
    );
    const viaFetch = new TypeError('fetch failed', { cause: new AggregateError([direct], '') });
    for (const e of [direct, agg, viaFetch]) {
      expect(classifyError(e, ctx)).toEqual({
        reason: 'Unreachable',
        message: `connection refused by ${SERVER}: is the cluster running and the address in the kubeconfig right?`,
      });
    }
  });

  it('DNS failures name the host', () => {
    const e = nodeErr('ENOTFOUND', 'getaddrinfo ENOTFOUND edge-a.example', {
      errno: -3008,
      syscall: 'getaddrinfo',
      hostname: 'edge-a.example',
    });
    expect(classifyError(e, { ...ctx, server: 'https://edge-a.example:6443' })).toEqual({
      reason: 'Unreachable',
      message:
        "cannot resolve edge-a.example (no such host, ENOTFOUND): is the host name in the kubeconfig right and resolvable from the operator's cluster?",
    });
    const again = new TypeError('fetch failed', { cause: nodeErr('EAI_AGAIN', 'getaddrinfo EAI_AGAIN x') });
    expect(classifyError(again, ctx).message).toContain('the DNS lookup failed temporarily, EAI_AGAIN');
  });

  it.each(['EHOSTUNREACH', 'ENETUNREACH'])('%s is no route to host', (code) => {
    const c = classifyError(nodeErr(code, `connect ${code} 10.9.9.9:6443`), ctx);
    expect(c).toEqual({
      reason: 'Unreachable',
      message: `no route to 127.0.0.1:32001 (${code}): is the site's network up, and the address in the kubeconfig right?`,
    });
  });

  it('resets and hang-ups', () => {
    expect(classifyError(nodeErr('ECONNRESET', 'read ECONNRESET'), ctx).message).toContain(
      'was closed before an answer (ECONNRESET)',
    );
    expect(classifyError(new Error('socket hang up'), ctx)).toMatchObject({ reason: 'Unreachable' });
    const undici = new TypeError('fetch failed', { cause: nodeErr('UND_ERR_SOCKET', 'other side closed') });
    expect(classifyError(undici, ctx).reason).toBe('Unreachable');
  });

  it('connect timeouts from the OS or undici are Unreachable', () => {
    const undici = new TypeError('fetch failed', {
      cause: nodeErr('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'),
    });
    expect(classifyError(undici, ctx).message).toContain('timed out (UND_ERR_CONNECT_TIMEOUT)');
    expect(classifyError(nodeErr('ETIMEDOUT', 'connect ETIMEDOUT'), ctx).reason).toBe('Unreachable');
  });

  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'not signed by a CA the kubeconfig trusts'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'set certificate-authority-data'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'not signed by a CA'],
    ['CERT_HAS_EXPIRED', 'has expired'],
    ['CERT_NOT_YET_VALID', 'clock wrong'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'did not answer with TLS'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'rejected the handshake'],
    ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'client-certificate-data'],
    ['ERR_OSSL_PEM_NO_START_LINE', 'could not be used'],
    ['ERR_SSL_SOMETHING_NEW', 'TLS handshake with'],
  ])('%s is a TLSError (%s)', (code, expected) => {
    const c = classifyError(new TypeError('fetch failed', { cause: nodeErr(code, 'tls problem') }), ctx);
    expect(c.reason).toBe('TLSError');
    expect(c.message).toContain(expected);
    expect(c.message).toContain(code);
  });

  it('altname mismatches quote the certificate names, not secrets', () => {
    const e = nodeErr('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames", {
      reason: "Host: edge-a.example. is not in the cert's altnames: DNS:localhost",
      host: 'edge-a.example',
    });
    expect(classifyError(e, { ...ctx, server: 'https://edge-a.example:6443' })).toEqual({
      reason: 'TLSError',
      message:
        "TLS: the certificate of https://edge-a.example:6443 is not valid for edge-a.example:6443 (Host: edge-a.example. is not in the cert's altnames: DNS:localhost): use an address the certificate lists, or set tls-server-name in the kubeconfig",
    });
  });

  it('EPROTO with an SSL message is TLS', () => {
    const e = nodeErr(
      'EPROTO',
      'write EPROTO 40B8:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
    );
    expect(classifyError(e, ctx).message).toContain('did not answer with TLS (EPROTO)');
  });

  it('client-node refusing plain http is explained', () => {
    const e = new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false');
    expect(classifyError(e, ctx).message).toContain('insecure-skip-tls-verify: true');
  });

  it('anything else is a ProbeError naming the error, with credentials blanked', () => {
    const e = new TypeError('fetch failed', {
      cause: nodeErr('EWEIRD', 'exec plugin said: token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH'),
    });
    const c = classifyError(e, ctx);
    expect(c.reason).toBe('ProbeError');
    expect(c.message).toBe(`probing ${SERVER}/readyz failed (Error EWEIRD): exec plugin said: [redacted]`);
    expect(classifyError('boom', ctx).message).toBe(`probing ${SERVER}/readyz failed (error)`);
  });

  it('survives cyclic causes', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    const b: Error & { cause?: unknown } = new Error('b', { cause: a });
    a.cause = b;
    expect(classifyError(a, ctx).reason).toBe('ProbeError');
  });
});

describe('sanitize', () => {
  it('blanks bearer tokens and long opaque strings, collapses whitespace and caps length', () => {
    expect(sanitize('Authorization: Bearer abc.def\n\n next', 100)).toBe(
      'Authorization: Bearer [redacted] next',
    );
    expect(sanitize('x'.repeat(300), 10)).toBe('[redacted]');
    expect(sanitize('a b c d e f g h', 6)).toBe('a b c…');
  });
});

describe('fetchMemberInfo', () => {
  const node = (ready: boolean | undefined) => ({
    status: { conditions: ready === undefined ? [] : [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });

  it('reads the version and counts ready nodes across pages', async () => {
    const clock = new ManualClock();
    const t = transport((path) => {
      if (path === '/version') return { status: 200, body: JSON.stringify({ gitVersion: 'v1.31.4+k3s1' }) };
      if (path === '/api/v1/nodes?limit=500') {
        return {
          status: 200,
          body: JSON.stringify({ metadata: { continue: 'tok/1=' }, items: [node(true), node(false)] }),
        };
      }
      if (path === '/api/v1/nodes?limit=500&continue=tok%2F1%3D') {
        return {
          status: 200,
          body: JSON.stringify({ metadata: {}, items: [node(true), node(undefined), {}] }),
        };
      }
      return { status: 404, body: '' };
    });
    const info = await fetchMemberInfo(t, { timeoutMilliseconds: 1000, clock });
    expect(info).toEqual({
      at: new Date(clock.now()),
      version: { gitVersion: 'v1.31.4+k3s1', distribution: 'K3s' },
      nodes: { total: 5, ready: 2 },
      problems: [],
    });
  });

  it('reports what it could not read and keeps the rest', async () => {
    const t = transport((path) =>
      path === '/version'
        ? { status: 200, body: '{"gitVersion":"v1.32.1"}' }
        : { status: 403, body: 'forbidden' },
    );
    const info = await fetchMemberInfo(t, { timeoutMilliseconds: 1000, clock: new ManualClock() });
    expect(info.version).toEqual({ gitVersion: 'v1.32.1', distribution: 'Kubernetes' });
    expect(info.nodes).toBeUndefined();
    expect(info.problems).toEqual([
      {
        what: 'nodes',
        reason: 'Forbidden',
        message: `${SERVER} refused /api/v1/nodes to the kubeconfig's user (403 Forbidden): grant it list on nodes`,
      },
    ]);
  });

  it('non-JSON and missing gitVersion', async () => {
    const t = transport((path) =>
      path === '/version' ? { status: 200, body: '{}' } : { status: 200, body: '<html>' },
    );
    const info = await fetchMemberInfo(t, { timeoutMilliseconds: 1000, clock: new ManualClock() });
    expect(info.version).toEqual({ gitVersion: '', distribution: 'Unknown' });
    expect(info.problems[0]).toMatchObject({ what: 'nodes', reason: 'ProbeError' });
    expect(info.problems[0]!.message).toContain('did not answer with JSON');
  });

  it('each request has its own timeout', async () => {
    const clock = new ManualClock();
    const t = transport((path, req) =>
      path === '/version' ? { status: 200, body: '{"gitVersion":"v1.32.1"}' } : hang(req),
    );
    const pending = fetchMemberInfo(t, { timeoutMilliseconds: 2000, clock });
    await clock.advanceAsync(2000);
    const info = await pending;
    expect(info.version?.gitVersion).toBe('v1.32.1');
    expect(info.problems).toEqual([expect.objectContaining({ what: 'nodes', reason: 'ProbeTimeout' })]);
  });
});
