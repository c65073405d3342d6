// Test support for the HTTP APIs (not shipped: imported only by tests).
import type { EventHandler } from '../runtime/informer.js';
import type { InformerLike } from './routes-api.js';

/** An in-memory double of InformerLike: set/remove emit events like the real informer. */
export class MemoryInformer<
  T extends { metadata?: { name?: string; namespace?: string } },
> implements InformerLike<T> {
  readonly cache = new Map<string, T>();
  readonly handlers = new Set<EventHandler<T>>();
  synced = true;

  key(o: T): string {
    return o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata?.name ?? '');
  }
  get(key: string): T | undefined {
    return this.cache.get(key);
  }
  list(): T[] {
    return [...this.cache.values()];
  }
  hasSynced(): boolean {
    return this.synced;
  }
  addEventHandler(h: EventHandler<T>): () => void {
    this.handlers.add(h);
    for (const o of this.cache.values()) h.onAdd?.(o);
    return () => this.handlers.delete(h);
  }
  set(o: T): void {
    const k = this.key(o);
    const old = this.cache.get(k);
    this.cache.set(k, o);
    for (const h of [...this.handlers]) {
      if (old) h.onUpdate?.(old, o);
      else h.onAdd?.(o);
    }
  }
  remove(key: string): void {
    const old = this.cache.get(key);
    if (!old) return;
    this.cache.delete(key);
    for (const h of [...this.handlers]) h.onDelete?.(old);
  }
}
