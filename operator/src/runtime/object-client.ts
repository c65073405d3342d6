// The writes a controller makes, over client-node's KubernetesObjectApi, with
// a deadline on every request: a member behind a dead link must cost a
// reconcile a bounded time, never a hung promise.
import {
  ApiException,
  HttpMethod,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
  type KubernetesListObject,
} from '@kubernetes/client-node';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** The HTTP status of a failed API call, or undefined for transport errors (refused, timeout). */
export function apiStatusCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code =
    (err as { code?: unknown; statusCode?: unknown })?.statusCode ?? (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

export const isNotFound = (err: unknown) => apiStatusCode(err) === 404;
export const isConflict = (err: unknown) => apiStatusCode(err) === 409;

/** A short, secret-free description of an API error, for conditions and logs. */
export function describeApiError(err: unknown): string {
  if (err instanceof ApiException) {
    const body = err.body as { message?: string } | string | undefined;
    const message = typeof body === 'string' ? tryMessage(body) : body?.message;
    return `HTTP ${err.code}${message ? `: ${message}` : ''}`;
  }
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'request timed out';
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ? `${cause.code}: ${cause.message ?? err.message}` : err.message;
  }
  return String(err);
}

function tryMessage(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { message?: string }).message;
  } catch {
    return body.slice(0, 200) || undefined;
  }
}

export interface ObjectClientOptions {
  fieldManager: string;
  timeoutMs?: number;
}

export class ObjectClient extends KubernetesObjectApi {
  private fieldManager = '';
  private timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;

  static forConfig(kc: KubeConfig, opts: ObjectClientOptions): ObjectClient {
    const client = kc.makeApiClient(ObjectClient);
    client.fieldManager = opts.fieldManager;
    client.timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    return client;
  }

  /** Server-side apply of a whole object under our field manager (force: we own these fields). */
  async apply<T extends KubernetesObject>(obj: T): Promise<T> {
    const path = await this.specUriPath(obj, 'patch');
    return this.send<T>(path, HttpMethod.PATCH, obj, {
      fieldManager: this.fieldManager,
      force: 'true',
    });
  }

  /** Server-side apply of the status subresource; fields we stop sending are removed. */
  async applyStatus<T extends KubernetesObject>(obj: T & { status: unknown }): Promise<T> {
    const path = `${await this.specUriPath(obj, 'patch')}/status`;
    const body = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: pickIdentity(obj),
      status: obj.status,
    };
    return this.send<T>(path, HttpMethod.PATCH, body, { fieldManager: this.fieldManager, force: 'true' });
  }

  /** JSON merge patch (finalizers and other metadata). */
  async mergePatch<T extends KubernetesObject>(obj: KubernetesObject, patch: object): Promise<T> {
    const path = await this.specUriPath(obj, 'patch');
    return this.send<T>(path, HttpMethod.PATCH, patch, {}, PatchStrategy.MergePatch);
  }

  /** Deletes; a missing object counts as deleted. Returns whether something was deleted. */
  async remove(obj: KubernetesObject): Promise<boolean> {
    const path = await this.specUriPath(obj, 'delete');
    try {
      await this.send(path, HttpMethod.DELETE, { propagationPolicy: 'Background' }, {});
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Lists every object of a kind (all namespaces) matching a label selector. */
  async listByLabel(apiVersion: string, kind: string, labelSelector: string): Promise<KubernetesObject[]> {
    const path = await this.specUriPath({ apiVersion, kind, metadata: {} }, 'list');
    const items: KubernetesObject[] = [];
    let cont: string | undefined;
    do {
      const query: Record<string, string> = { labelSelector, limit: '500' };
      if (cont) query.continue = cont;
      const page = await this.send<KubernetesListObject<KubernetesObject>>(
        path,
        HttpMethod.GET,
        undefined,
        query,
      );
      for (const item of page.items) items.push({ ...item, apiVersion, kind });
      cont = page.metadata?._continue || undefined;
    } while (cont);
    return items;
  }

  private async send<T>(
    path: string,
    method: HttpMethod,
    body: unknown,
    query: Record<string, string>,
    contentType: string = PatchStrategy.ServerSideApply,
  ): Promise<T> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, method);
    ctx.setHeaderParam('Accept', 'application/json');
    for (const [k, v] of Object.entries(query)) ctx.setQueryParam(k, v);
    if (body !== undefined) {
      ctx.setHeaderParam('Content-Type', method === HttpMethod.DELETE ? 'application/json' : contentType);
      ctx.setBody(JSON.stringify(body));
    }
    ctx.setSignal(AbortSignal.timeout(this.timeoutMs));
    return this.requestPromise(ctx, 'any') as Promise<T>;
  }
}

function pickIdentity(obj: KubernetesObject): { name?: string; namespace?: string } {
  const m: { name?: string; namespace?: string } = { name: obj.metadata?.name };
  if (obj.metadata?.namespace) m.namespace = obj.metadata.namespace;
  return m;
}
