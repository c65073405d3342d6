// Probing one member's apiserver: /readyz with a timeout and a latency measurement, and (now
// and then, when the caller asks) its version and node counts. Failures are classified into
// reasons with messages a person can act on. All I/O goes through ProbeTransport, so the
// classification and timing logic are tested without a cluster.

import type { Distribution, NodeCounts } from '../api/index.js';
import type { Clock } from './clock.js';
import type { ProbeOutcome } from './health.js';
import { ProbeReason, type OutcomeReason } from './reasons.js';

export interface TransportRequest {
  /** Aborted when the probe times out or is cancelled; the transport must give up then. */
  readonly signal: AbortSignal;
  /** Accept header; default application/json. */
  readonly accept?: string;
  /** Give up on bodies larger than this (default: the transport's own limit). */
  readonly maxBodyBytes?: number;
}

export interface TransportResponse {
  readonly status: number;
  readonly body: string;
}

/** How a probe reaches one member's apiserver. */
export interface ProbeTransport {
  /** The apiserver URL without credentials, for messages. */
  readonly server: string;
  /** GET `path` (relative to the server URL, starting with "/"). Rejects on network/TLS errors. */
  get(path: string, request: TransportRequest): Promise<TransportResponse>;
}

/** A probe outcome with what was measured. */
export interface ProbeResult extends ProbeOutcome {
  readonly reason: OutcomeReason;
  /** Time from sending /readyz to its answer or failure; absent when nothing was sent. */
  readonly latencyMilliseconds?: number;
  /** HTTP status of the last answer, when there was one. */
  readonly statusCode?: number;
}

export interface ProbeOptions {
  readonly timeoutMilliseconds: number;
  readonly clock: Clock;
  /** Cancels the probe (e.g. the member was removed). */
  readonly signal?: AbortSignal;
}

export interface Classification {
  readonly reason: ProbeReason;
  readonly message: string;
}

/** K3s when the version says so ("v1.31.4+k3s1"), Kubernetes otherwise, Unknown when empty. */
export function distributionOf(gitVersion: string | undefined | null): Distribution {
  if (!gitVersion) return 'Unknown';
  return gitVersion.includes('+k3s') ? 'K3s' : 'Kubernetes';
}

/**
 * Whether to read /version and the nodes again: when never read, when the health state just
 * changed, or when the last read is `intervalMilliseconds` old (default 30 s).
 */
export function infoRefreshDue(
  lastInfoAt: Date | undefined,
  now: Date,
  healthChanged: boolean,
  intervalMilliseconds = 30_000,
): boolean {
  if (!lastInfoAt || healthChanged) return true;
  return now.getTime() - lastInfoAt.getTime() >= intervalMilliseconds;
}

class ProbeTimeoutSignal extends Error {
  override readonly name = 'ProbeTimeoutSignal';
}

type Attempt<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown; readonly timedOut: boolean };

/**
 * Run `fn` with a signal that aborts after `timeoutMilliseconds` (on the injected clock).
 * Resolves at the timeout even when `fn` ignores its signal.
 */
export async function withTimeout<T>(
  clock: Clock,
  timeoutMilliseconds: number,
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<Attempt<T>> {
  const controller = new AbortController();
  let timedOut = false;
  let rejectTimeout: (e: unknown) => void = () => undefined;
  const timeout = new Promise<never>((_, reject) => {
    rejectTimeout = reject;
  });
  const timer = clock.setTimeout(
    () => {
      timedOut = true;
      const e = new ProbeTimeoutSignal(`timed out after ${timeoutMilliseconds} ms`);
      controller.abort(e);
      rejectTimeout(e);
    },
    Math.max(0, timeoutMilliseconds),
  );
  const onOuterAbort = () => {
    controller.abort(outer?.reason);
    rejectTimeout(outer?.reason ?? new Error('cancelled'));
  };
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const value = await Promise.race([fn(controller.signal), timeout]);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error, timedOut };
  } finally {
    clock.clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/** Probe /readyz (falling back to /healthz on 404, like client-node) and classify the outcome. */
export async function probeReadyz(transport: ProbeTransport, options: ProbeOptions): Promise<ProbeResult> {
  const { clock } = options;
  const start = clock.now();
  let path = '/readyz';
  let attempt = await withTimeout(clock, options.timeoutMilliseconds, options.signal, (signal) =>
    transport.get(path, { signal, accept: 'text/plain', maxBodyBytes: 64 * 1024 }),
  );
  if (attempt.ok && attempt.value.status === 404) {
    path = '/healthz';
    const left = options.timeoutMilliseconds - (clock.now() - start);
    attempt = await withTimeout(clock, left, options.signal, (signal) =>
      transport.get(path, { signal, accept: 'text/plain', maxBodyBytes: 64 * 1024 }),
    );
  }
  const end = clock.now();
  const measured = { at: new Date(end), latencyMilliseconds: Math.max(0, end - start) };
  if (!attempt.ok) {
    const c = classifyError(attempt.error, {
      server: transport.server,
      path,
      timeoutMilliseconds: options.timeoutMilliseconds,
      timedOut: attempt.timedOut,
    });
    return { ok: false, ...c, ...measured };
  }
  const { status, body } = attempt.value;
  const c = classifyResponse(status, body, { server: transport.server, path });
  if (c) return { ok: false, ...c, ...measured, statusCode: status };
  return {
    ok: true,
    reason: ProbeReason.ProbeSucceeded,
    message: `${transport.server} answered ${path}`,
    ...measured,
    statusCode: status,
  };
}

export interface VersionInfo {
  readonly gitVersion: string;
  readonly distribution: Distribution;
}

export interface InfoProblem extends Classification {
  readonly what: 'version' | 'nodes';
}

export interface MemberInfo {
  readonly at: Date;
  /** Absent when /version could not be read (see problems). */
  readonly version?: VersionInfo;
  /** Absent when nodes could not be listed (see problems). */
  readonly nodes?: Required<NodeCounts>;
  readonly problems: readonly InfoProblem[];
}

const NODE_PAGE_SIZE = 500;
const MAX_NODE_PAGES = 100;

/** Read /version and count nodes (total / Ready), each request with its own timeout. */
export async function fetchMemberInfo(transport: ProbeTransport, options: ProbeOptions): Promise<MemberInfo> {
  const [version, nodes] = await Promise.all([
    readVersion(transport, options),
    countNodes(transport, options),
  ]);
  const problems: InfoProblem[] = [];
  if ('problem' in version) problems.push({ what: 'version', ...version.problem });
  if ('problem' in nodes) problems.push({ what: 'nodes', ...nodes.problem });
  return {
    at: new Date(options.clock.now()),
    ...('value' in version ? { version: version.value } : {}),
    ...('value' in nodes ? { nodes: nodes.value } : {}),
    problems,
  };
}

type Read<T> = { readonly value: T } | { readonly problem: Classification };

async function getJson(
  transport: ProbeTransport,
  path: string,
  options: ProbeOptions,
): Promise<Read<unknown>> {
  const attempt = await withTimeout(clock(options), options.timeoutMilliseconds, options.signal, (signal) =>
    transport.get(path, { signal, accept: 'application/json', maxBodyBytes: 32 * 1024 * 1024 }),
  );
  const ctx = { server: transport.server, path: path.replace(/\?.*$/, '') };
  if (!attempt.ok) {
    return {
      problem: classifyError(attempt.error, {
        ...ctx,
        timeoutMilliseconds: options.timeoutMilliseconds,
        timedOut: attempt.timedOut,
      }),
    };
  }
  const c = classifyResponse(attempt.value.status, attempt.value.body, ctx);
  if (c) return { problem: c };
  try {
    return { value: JSON.parse(attempt.value.body) as unknown };
  } catch {
    return {
      problem: {
        reason: ProbeReason.ProbeError,
        message: `${transport.server}${ctx.path} did not answer with JSON: is the server a Kubernetes apiserver?`,
      },
    };
  }
}

const clock = (o: ProbeOptions) => o.clock;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

async function readVersion(transport: ProbeTransport, options: ProbeOptions): Promise<Read<VersionInfo>> {
  const r = await getJson(transport, '/version', options);
  if ('problem' in r) return r;
  const gitVersion = isRecord(r.value) && typeof r.value.gitVersion === 'string' ? r.value.gitVersion : '';
  return { value: { gitVersion, distribution: distributionOf(gitVersion) } };
}

async function countNodes(
  transport: ProbeTransport,
  options: ProbeOptions,
): Promise<Read<Required<NodeCounts>>> {
  let total = 0;
  let ready = 0;
  let cont = '';
  for (let page = 0; page < MAX_NODE_PAGES; page++) {
    const query = `limit=${NODE_PAGE_SIZE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
    const r = await getJson(transport, `/api/v1/nodes?${query}`, options);
    if ('problem' in r) return r;
    const list = isRecord(r.value) ? r.value : {};
    const items = Array.isArray(list.items) ? list.items : [];
    for (const node of items) {
      total++;
      if (nodeIsReady(node)) ready++;
    }
    const metadata = isRecord(list.metadata) ? list.metadata : {};
    cont = typeof metadata.continue === 'string' ? metadata.continue : '';
    if (!cont) return { value: { total, ready } };
  }
  return { value: { total, ready } };
}

function nodeIsReady(node: unknown): boolean {
  if (!isRecord(node) || !isRecord(node.status) || !Array.isArray(node.status.conditions)) return false;
  return node.status.conditions.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True');
}

// ---------------------------------------------------------------------------------------------
// Classification

export interface ResponseContext {
  readonly server: string;
  readonly path: string;
}

/** Classify an HTTP answer; undefined for 2xx. */
export function classifyResponse(
  status: number,
  body: string,
  ctx: ResponseContext,
): Classification | undefined {
  if (status >= 200 && status < 300) return undefined;
  const { server, path } = ctx;
  if (status === 401) {
    return {
      reason: ProbeReason.Unauthorized,
      message:
        `${server} rejected the kubeconfig's credentials (401 Unauthorized): has the token or client ` +
        `certificate expired or been revoked? Update the kubeconfig Secret`,
    };
  }
  if (status === 403) {
    const grant = path.startsWith('/api/v1/nodes')
      ? 'grant it list on nodes'
      : 'grant it get on nonResourceURLs /readyz, /healthz and /version (the system:public-info-viewer ClusterRole has them)';
    return {
      reason: ProbeReason.Forbidden,
      message: `${server} refused ${path} to the kubeconfig's user (403 Forbidden): ${grant}`,
    };
  }
  const failing = failingChecks(body);
  let detail: string;
  if (failing.length > 0) {
    detail = `failing checks: ${failing.join(', ')}`;
  } else if (status === 404) {
    detail = 'not found: is the server a Kubernetes apiserver, and the server URL in the kubeconfig right?';
  } else if (status === 429) {
    detail = 'the apiserver is throttling requests';
  } else if (status >= 500) {
    const first = firstLine(body);
    detail = `${first ? `${first}; ` : ''}is the apiserver starting, overloaded, or behind a failing proxy?`;
  } else {
    detail = firstLine(body) || 'unexpected answer';
  }
  return { reason: ProbeReason.NotReady, message: `${server}${path} answered ${status}: ${detail}` };
}

/** The names of failed checks in a /readyz?verbose style body ("[-]etcd failed: reason withheld"). */
function failingChecks(body: string): string[] {
  const names: string[] = [];
  for (const line of body.split('\n')) {
    const m = /^\[-\]([^\s]+)/.exec(line.trim());
    if (m) names.push(m[1]!);
  }
  return names.slice(0, 10);
}

function firstLine(body: string): string {
  const line = body.split('\n').find((l) => l.trim() !== '') ?? '';
  return sanitize(line.trim(), 200);
}

export interface ErrorContext extends ResponseContext {
  readonly timeoutMilliseconds: number;
  /** True when our own timeout aborted the request. */
  readonly timedOut: boolean;
}

interface ErrorFacts {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly hostname?: string;
  readonly reason?: string;
}

/** The error, its causes and (for AggregateError) its parts, breadth first. */
function errorChain(err: unknown): ErrorFacts[] {
  const out: ErrorFacts[] = [];
  const queue: unknown[] = [err];
  const seen = new Set<unknown>();
  while (queue.length > 0 && out.length < 20) {
    const e = queue.shift();
    if (!isRecord(e) || seen.has(e)) continue;
    seen.add(e);
    const str = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : undefined);
    const facts: { -readonly [K in keyof ErrorFacts]: ErrorFacts[K] } = {};
    for (const k of ['name', 'code', 'message', 'hostname', 'reason'] as const) {
      const v = str(k);
      if (v !== undefined) facts[k] = v;
    }
    out.push(facts);
    if ('cause' in e) queue.push(e.cause);
    if (Array.isArray(e.errors)) queue.push(...(e.errors as unknown[]));
  }
  return out;
}

const TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);
const OTHER_CERT_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'ESERVFAIL']);
const NO_ROUTE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const CONNECT_TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const RESPONSE_TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function isTlsFact(f: ErrorFacts): boolean {
  const code = f.code ?? '';
  if (TRUST_CODES.has(code) || OTHER_CERT_CODES.has(code)) return true;
  if (/^ERR_(SSL|TLS|OSSL)_/.test(code)) return true;
  if (code === 'EPROTO' && /SSL|TLS/i.test(f.message ?? '')) return true;
  return false;
}

/** Classify a request failure (from node:https, fetch/undici, or client-node). */
export function classifyError(err: unknown, ctx: ErrorContext): Classification {
  const { server, path } = ctx;
  const chain = errorChain(err);
  const host = hostOf(server);
  const find = (pred: (f: ErrorFacts) => boolean) => chain.find(pred);
  const withCode = (codes: Set<string>) => find((f) => f.code !== undefined && codes.has(f.code));

  if (ctx.timedOut || withCode(RESPONSE_TIMEOUT_CODES) || find((f) => f.name === 'ProbeTimeoutSignal')) {
    return {
      reason: ProbeReason.ProbeTimeout,
      message:
        `${server} did not answer ${path} within ${ctx.timeoutMilliseconds} ms: is the site up, or the ` +
        `network between the operator and it partitioned? (probe.timeoutSeconds sets the limit)`,
    };
  }

  const tls = find(isTlsFact);
  if (tls) return { reason: ProbeReason.TLSError, message: tlsMessage(tls, server, host) };

  const dns = withCode(DNS_CODES);
  if (dns) {
    const what = dns.code === 'EAI_AGAIN' ? 'the DNS lookup failed temporarily' : 'no such host';
    return {
      reason: ProbeReason.Unreachable,
      message:
        `cannot resolve ${dns.hostname ?? host} (${what}, ${dns.code}): is the host name in the kubeconfig ` +
        `right and resolvable from the operator's cluster?`,
    };
  }
  if (withCode(new Set(['ECONNREFUSED']))) {
    return {
      reason: ProbeReason.Unreachable,
      message: `connection refused by ${server}: is the cluster running and the address in the kubeconfig right?`,
    };
  }
  const noRoute = withCode(NO_ROUTE_CODES);
  if (noRoute) {
    return {
      reason: ProbeReason.Unreachable,
      message:
        `no route to ${host} (${noRoute.code}): is the site's network up, and the address in the kubeconfig ` +
        `right?`,
    };
  }
  const connectTimeout = withCode(CONNECT_TIMEOUT_CODES);
  if (connectTimeout) {
    return {
      reason: ProbeReason.Unreachable,
      message:
        `connecting to ${server} timed out (${connectTimeout.code}): is the site offline, or a firewall ` +
        `dropping the traffic?`,
    };
  }
  const reset =
    withCode(RESET_CODES) ?? find((f) => /socket hang up|other side closed/i.test(f.message ?? ''));
  if (reset) {
    return {
      reason: ProbeReason.Unreachable,
      message:
        `the connection to ${server} was closed before an answer (${reset.code ?? 'socket hang up'}): ` +
        `is the apiserver restarting, or a proxy or firewall cutting connections?`,
    };
  }
  if (find((f) => f.name === 'AbortError' || f.code === 'ABORT_ERR')) {
    return { reason: ProbeReason.ProbeError, message: `the probe of ${server} was cancelled` };
  }
  if (find((f) => /HTTP protocol is not allowed/.test(f.message ?? ''))) {
    return {
      reason: ProbeReason.ProbeError,
      message:
        `${server} is plain http://, which client-node only allows with insecure-skip-tls-verify: true in ` +
        `the kubeconfig; use https://`,
    };
  }
  const first = chain[chain.length - 1] ?? chain[0];
  const label = [first?.name, first?.code].filter(Boolean).join(' ') || 'error';
  const text = first?.message ? `: ${sanitize(first.message, 200)}` : '';
  return { reason: ProbeReason.ProbeError, message: `probing ${server}${path} failed (${label})${text}` };
}

function tlsMessage(f: ErrorFacts, server: string, host: string): string {
  const code = f.code ?? 'EPROTO';
  if (TRUST_CODES.has(code)) {
    return (
      `TLS: the certificate of ${server} is not signed by a CA the kubeconfig trusts (${code}): set ` +
      `certificate-authority-data to the cluster's CA`
    );
  }
  if (code === 'CERT_HAS_EXPIRED') {
    return `TLS: the certificate of ${server} has expired (${code}): renew the apiserver's serving certificate`;
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return `TLS: the certificate of ${server} is not valid yet (${code}): is the operator's or the site's clock wrong?`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    const detail = f.reason ? ` (${sanitize(f.reason, 300)})` : '';
    return (
      `TLS: the certificate of ${server} is not valid for ${host}${detail}: use an address the certificate ` +
      `lists, or set tls-server-name in the kubeconfig`
    );
  }
  const text = `${code} ${f.message ?? ''}`;
  if (/WRONG_VERSION_NUMBER|wrong version number|packet length too long|http request/i.test(text)) {
    return `TLS: ${server} did not answer with TLS (${code}): is that the apiserver's HTTPS port, or does it need http://?`;
  }
  if (/ALERT/i.test(code)) {
    return (
      `TLS: ${server} rejected the handshake (${code}): are client-certificate-data and client-key-data in ` +
      `the kubeconfig signed by the cluster's client CA and not expired?`
    );
  }
  if (code.startsWith('ERR_OSSL_')) {
    return (
      `TLS: the kubeconfig's certificates or key could not be used (${code}): check ` +
      `certificate-authority-data, client-certificate-data and client-key-data`
    );
  }
  return `TLS handshake with ${server} failed (${code})`;
}

function hostOf(server: string): string {
  try {
    return new URL(server).host;
  } catch {
    return server;
  }
}

/** Trim, cap, and blank out anything that looks like a credential. */
export function sanitize(text: string, max: number): string {
  const cleaned = text
    .replace(/(bearer|basic)\s+\S+/gi, '$1 [redacted]')
    .replace(/[A-Za-z0-9+/=_.~-]{40,}/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}
