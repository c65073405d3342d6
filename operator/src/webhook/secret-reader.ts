// Reads a kubeconfig Secret from the hub's API for the webhook's rule (a): the standalone webhook
// (main.ts) reads every Secret this way, the operator's webhook (manager.ts) only when its
// informer cache does not hold the Secret yet (caches.ts). One GET of a Secret in the operator's
// namespace: the `get secrets` of required-permissions.ts.
import {
  Observable,
  type ConfigurationOptions,
  type CoreV1Api,
  type ObservableMiddleware,
  type V1Secret,
} from '@kubernetes/client-node';
import { isNotFound } from '../runtime/object-client.js';

/** Reads a Secret by name; undefined when it does not exist. */
export type SecretReader = (name: string, signal?: AbortSignal) => Promise<V1Secret | undefined>;

/** The part of CoreV1Api the reader calls. */
export type SecretApi = Pick<CoreV1Api, 'readNamespacedSecret'>;

/**
 * A SecretReader over CoreV1Api.readNamespacedSecret in `namespace`: 404 → undefined, any other
 * error is thrown. A given signal aborts the request (the webhook rules' per-request deadline).
 */
export function apiSecretReader(core: SecretApi, namespace: string): SecretReader {
  return async (name, signal) => {
    try {
      return await core.readNamespacedSecret({ name, namespace }, signal && abortOptions(signal));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
}

/** Request options that make client-node's fetch abort with `signal` (kept after its own middleware). */
export function abortOptions(signal: AbortSignal): ConfigurationOptions {
  const abort: ObservableMiddleware = {
    pre: (ctx) => {
      ctx.setSignal(signal);
      return new Observable(Promise.resolve(ctx));
    },
    post: (res) => new Observable(Promise.resolve(res)),
  };
  return { middleware: [abort], middlewareMergeStrategy: 'append' };
}
