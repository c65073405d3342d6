// What was last applied to each member, by content hash, so a resync or a
// converged pass sends nothing. Entries expire (the resync period) so drift
// on a member is still corrected by a periodic no-op server-side apply.
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { AppliedRecord } from './drift.js';

export function objectId(memberKey: string, obj: KubernetesObject): string {
  return `${memberKey}|${obj.apiVersion}|${obj.kind}|${obj.metadata?.namespace ?? ''}|${obj.metadata?.name}`;
}

export function contentHash(obj: KubernetesObject): string {
  return createHash('sha256').update(JSON.stringify(obj)).digest('hex');
}

export class AppliedCache {
  private readonly entries = new Map<string, { hash: string; at: number } & AppliedRecord>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  isCurrent(id: string, hash: string): boolean {
    const e = this.entries.get(id);
    return e !== undefined && e.hash === hash && this.now() - e.at < this.ttlMs;
  }

  /** Records an apply; `generation` from its answer lets drift.ts tell others' spec writes. */
  record(id: string, hash: string, generation?: number): void {
    this.entries.set(id, {
      hash,
      at: this.now(),
      confirmed: false,
      ...(generation !== undefined ? { generation } : {}),
    });
  }

  /** What was recorded at the last apply, for drift.ts (undefined: never applied or forgotten). */
  applied(id: string): AppliedRecord | undefined {
    const e = this.entries.get(id);
    return (
      e && { confirmed: e.confirmed, ...(e.generation !== undefined ? { generation: e.generation } : {}) }
    );
  }

  /** The member informer has shown the last apply. */
  confirm(id: string): void {
    const e = this.entries.get(id);
    if (e) e.confirmed = true;
  }

  forget(id: string): void {
    this.entries.delete(id);
  }

  /** Forgets everything applied to one member (it reconnected: its state is unknown). */
  forgetMember(memberKey: string): void {
    for (const id of this.entries.keys()) if (id.startsWith(`${memberKey}|`)) this.entries.delete(id);
  }
}
