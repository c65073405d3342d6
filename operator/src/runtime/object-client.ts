// The writes a controller makes, over client-node's KubernetesObjectApi, with
// a deadline on every request: a member behind a dead link must cost a
// reconcile a bounded time, never a hung promise.
import {
  HttpMethod,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
  type KubernetesListObject,
} from '@kubernetes/client-node';
import { statusCode } from './errors.js';
import { makeApiClient } from './api-client.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

export const isNotFound = (err: unknown) => statusCode(err) === 404;

export interface ObjectClientOptions {
  fieldManager: string;
  timeoutMs?: number;
}

export class ObjectClient extends KubernetesObjectApi {
  private fieldManager = '';
  private timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;

  static forConfig(kc: KubeConfig, opts: ObjectClientOptions): ObjectClient {
    const client = makeApiClient(kc, ObjectClient);
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

  /** RFC 6902 JSON patch: with a `test` op, a conditional change that fails (422) if the value moved on. */
  async jsonPatch<T extends KubernetesObject>(obj: KubernetesObject, ops: object[]): Promise<T> {
    const path = await this.specUriPath(obj, 'patch');
    return this.send<T>(path, HttpMethod.PATCH, ops, {}, PatchStrategy.JsonPatch);
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
    return this.listPages(apiVersion, kind, labelSelector, 'application/json');
  }

  /**
   * The same list, metadata only (PartialObjectMetadataList): names, labels, uid and managedFields,
   * never a spec or data, so auditing thousands of objects costs little on both sides.
   */
  async listMetadataByLabel(
    apiVersion: string,
    kind: string,
    labelSelector: string,
  ): Promise<KubernetesObject[]> {
    return this.listPages(apiVersion, kind, labelSelector, METADATA_LIST);
  }

  private async listPages(
    apiVersion: string,
    kind: string,
    labelSelector: string,
    accept: string,
  ): Promise<KubernetesObject[]> {
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
        undefined,
        accept,
      );
      // A metadata-only list leaves out `items` when there are none.
      for (const item of page.items ?? []) items.push({ ...item, apiVersion, kind });
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
    accept = 'application/json',
  ): Promise<T> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, method);
    ctx.setHeaderParam('Accept', accept);
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
