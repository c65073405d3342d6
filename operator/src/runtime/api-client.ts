/**
 * Every API client the operator builds, built as client-node's KubeConfig.makeApiClient builds
 * it, with the one thing that lacks: each request is reported to the process's request observer,
 * which the manager turns into client-go's rest_client_requests_total{code,host,method}. That
 * counter is how "zero writes at rest" is measured (make bench-scale) and alerted on.
 */
import { createHash } from 'node:crypto';
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import {
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  KubernetesObjectApi,
  Observable,
  ServerConfiguration,
  type Configuration,
  type HttpLibrary,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

export interface ClientRequest {
  method: string;
  /** host:port of the apiserver, as client-go labels it. */
  host: string;
  /** HTTP status, or "<error>" when no response came back (client-go's label for it). */
  code: string;
}

export type RequestObserver = (r: ClientRequest) => void;

let observer: RequestObserver | undefined;

/** Sets the process-wide observer (one per process, like client-go's metrics registration). */
export function observeClientRequests(o: RequestObserver | undefined): void {
  observer = o;
}

const USER_AGENT = 'paygrid-operator';

/** An HttpLibrary that reports each request's outcome, then passes the response through. */
export class ObservedHttpLibrary implements HttpLibrary {
  constructor(private readonly inner: HttpLibrary = new IsomorphicFetchHttpLibrary()) {}

  send(request: RequestContext): Observable<ResponseContext> {
    const method = request.getHttpMethod().toString();
    const host = hostOf(request.getUrl());
    const report = (code: string) => observer?.({ method, host, code });
    return new Observable(
      this.inner
        .send(request)
        .toPromise()
        .then(
          (resp) => {
            report(String(resp.httpStatusCode));
            return resp;
          },
          (err: unknown) => {
            report('<error>');
            throw err;
          },
        ),
    );
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * The kubeconfig's authentication, with one connection pool per TLS identity. client-node 2.0
 * builds a new undici Agent for every request, so every call paid a TCP and TLS handshake and
 * the abandoned agents' sockets and TLS contexts piled up outside the JS heap (operator RSS
 * 435 → 567 MiB over two runs of 100 gateways while the heap stayed ~150 MiB). Headers (tokens
 * that rotate) are still applied per request; the first dispatcher made for a given server +
 * CA + client certificate is kept and the others, which never opened a socket, are dropped.
 */
export class PooledAuthentication {
  private fingerprint = '';
  private dispatcher?: Dispatcher;

  constructor(private readonly kc: KubeConfig) {}

  getName(): string {
    return 'paygrid-pooled';
  }

  async applySecurityAuthentication(ctx: RequestContext): Promise<void> {
    await this.kc.applySecurityAuthentication(ctx);
    const fresh = ctx.getDispatcher();
    if (!fresh) return;
    const fp = await this.tlsFingerprint();
    if (fp !== this.fingerprint || !this.dispatcher) {
      const old = this.dispatcher;
      this.fingerprint = fp;
      this.dispatcher = fresh;
      // In-flight requests on the old pool finish first (close waits for them).
      void old?.close().catch(() => undefined);
      return;
    }
    ctx.setDispatcher(this.dispatcher);
  }

  /**
   * Closes the pool at once, failing what is in flight on it; the next request opens a fresh one.
   * A pooled socket that crossed a cut link is dead without knowing it: a watch or list sent on it
   * waits for its timeout instead of failing.
   */
  reset(): void {
    const d = this.dispatcher;
    this.dispatcher = undefined;
    this.fingerprint = '';
    void d?.destroy().catch(() => undefined);
  }

  private async tlsFingerprint(): Promise<string> {
    const opts: HttpsRequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    const cluster = this.kc.getCurrentCluster();
    const h = createHash('sha256');
    for (const part of [
      cluster?.server,
      cluster?.proxyUrl,
      cluster?.tlsServerName,
      String(cluster?.skipTLSVerify ?? ''),
      opts.ca,
      opts.cert,
      opts.key,
      opts.pfx,
    ])
      h.update(part === undefined ? '' : Buffer.isBuffer(part) ? part : String(part)).update('\0');
    return h.digest('hex');
  }
}

const pools = new WeakMap<KubeConfig, PooledAuthentication>();

/**
 * Drops the connection pool of a kubeconfig (see PooledAuthentication.reset): for a cluster that
 * answers again after being unreachable, so its watches and clients start on fresh sockets.
 */
export function dropConnections(kc: KubeConfig): void {
  pools.get(kc)?.reset();
}

/** The configuration kc.makeApiClient would build, on the observed HTTP library and a pooled dispatcher. */
export function apiConfiguration(kc: KubeConfig): Configuration {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster in the kubeconfig');
  let auth = pools.get(kc);
  if (!auth) pools.set(kc, (auth = new PooledAuthentication(kc)));
  return createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: auth },
    httpApi: new ObservedHttpLibrary(),
    promiseMiddleware: [
      {
        pre: async (ctx) => {
          ctx.setHeaderParam('User-Agent', USER_AGENT);
          return ctx;
        },
        post: async (ctx) => ctx,
      },
    ],
  });
}

/** kc.makeApiClient(type), with every request observed. */
export function makeApiClient<T>(kc: KubeConfig, type: new (config: Configuration) => T): T {
  return new type(apiConfiguration(kc));
}

/** KubernetesObjectApi.makeApiClient(kc), with every request observed. */
export function makeObjectApi(kc: KubeConfig): KubernetesObjectApi {
  const client = makeApiClient(kc, KubernetesObjectApi);
  // As the static factory does: namespace-less objects go to the context's namespace.
  (client as unknown as { setDefaultNamespace(kc: KubeConfig): string }).setDefaultNamespace(kc);
  return client;
}
