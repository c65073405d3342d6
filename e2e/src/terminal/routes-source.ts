// Test support: the operator's real routes API (operator/src/http/routes-api.ts) served over HTTP
// on loopback, fed from a gateway cache the test writes instead of a hub informer, so a test can
// change a gateway's routes (a failover) without a Kubernetes apiserver. Only the cache is the
// test's; request handling, ETags and long-polls are the operator's code.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import type { PaymentGateway } from '@paygrid/operator/api';
import { routesRouter, type InformerLike, type RoutesRouter } from '@paygrid/operator/routes-api';

type Handler<T> = Parameters<InformerLike<T>['addEventHandler']>[0];

/** An informer-shaped cache: get/list, and event handlers told of every change. */
class Cache<T extends { metadata?: { namespace?: string; name?: string } }> implements InformerLike<T> {
  private readonly items = new Map<string, T>();
  private readonly handlers = new Set<Handler<T>>();

  private static key(o: { metadata?: { namespace?: string; name?: string } }): string {
    const ns = o.metadata?.namespace;
    return ns ? `${ns}/${o.metadata?.name ?? ''}` : (o.metadata?.name ?? '');
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  addEventHandler(handler: Handler<T>): () => void {
    this.handlers.add(handler);
    for (const o of this.items.values()) handler.onAdd?.(o);
    return () => this.handlers.delete(handler);
  }

  hasSynced(): boolean {
    return true;
  }

  put(o: T): void {
    const k = Cache.key(o);
    const old = this.items.get(k);
    this.items.set(k, o);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, o);
      else h.onAdd?.(o);
    }
  }
}

export interface RouteSpec {
  readonly member: string;
  readonly endpoint: string;
}

export class RoutesSource {
  private readonly gateways = new Cache<PaymentGateway>();
  private readonly router: RoutesRouter;
  private readonly server: Server;
  private generation = 0;

  constructor(
    readonly namespace: string,
    readonly name: string,
  ) {
    this.router = routesRouter({
      gateways: this.gateways,
      edgeSites: new Cache(),
      cloudClusters: new Cache(),
    });
    const app = express();
    app.use(this.router);
    this.server = createServer(app);
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Publishes the gateway's status with these routes, in this order, at this epoch. */
  publish(epoch: number, routes: readonly RouteSpec[]): void {
    this.generation++;
    this.gateways.put({
      apiVersion: 'paygrid.io/v1alpha1',
      kind: 'PaymentGateway',
      metadata: { namespace: this.namespace, name: this.name, generation: this.generation },
      spec: {} as PaymentGateway['spec'],
      status: {
        epoch,
        observedGeneration: this.generation,
        routes: routes.map((r, priority) => ({ ...r, priority })),
      },
    });
  }

  activeWatches(): number {
    return this.router.activeWatches();
  }

  async close(): Promise<void> {
    this.router.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
