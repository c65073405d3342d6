// What was last applied to each member, by content hash, so a resync or a converged pass sends
// nothing. Entries do not expire: a periodic no-op apply would be a write to every member for
// every object at rest (issue 11). Drift is found by reading instead — the member Deployment
// informers (drift.ts) and the owned-objects audit (controllers/members/owned-objects-audit.ts),
// which marks an entry drifted so that the next pass re-applies it and says why.
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { AppliedRecord } from './drift.js';

export function objectId(memberKey: string, obj: KubernetesObject): string {
  return `${memberKey}|${obj.apiVersion}|${obj.kind}|${obj.metadata?.namespace ?? ''}|${obj.metadata?.name}`;
}

/** The parts of an objectId, read back (the audit groups and reports by them). */
export function objectIdParts(id: string): {
  member: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
} {
  const [member = '', apiVersion = '', kind = '', namespace = '', name = ''] = id.split('|');
  return { member, apiVersion, kind, namespace, name };
}

export function contentHash(obj: KubernetesObject): string {
  return createHash('sha256').update(JSON.stringify(obj)).digest('hex');
}

/** What an apply's answer tells about the object, kept for the drift checks. */
export interface ApplyAnswer {
  /** metadata.generation (a spec change by anyone else raises it). */
  generation?: number;
  /** Fingerprint of the fields paygrid owns (runtime/managed-fields.ts). */
  owned?: string;
  /** The gateway (namespace/name) the object belongs to: whom to wake when it drifts. */
  gateway?: string;
}

interface Entry extends AppliedRecord, Omit<ApplyAnswer, 'generation'> {
  hash: string;
  /** Set by markDrifted: how the live object differs; the next pass re-applies it. */
  drift?: string[];
}

/** One entry as the audit sees it. */
export interface AuditedEntry {
  readonly id: string;
  readonly owned?: string;
  readonly gateway?: string;
}

export class AppliedCache {
  private readonly entries = new Map<string, Entry>();

  isCurrent(id: string, hash: string): boolean {
    const e = this.entries.get(id);
    return e !== undefined && e.hash === hash && e.drift === undefined;
  }

  /** Records an apply and what its answer said. */
  record(id: string, hash: string, answer: ApplyAnswer = {}): void {
    const e: Entry = { hash, confirmed: false };
    if (answer.generation !== undefined) e.generation = answer.generation;
    if (answer.owned !== undefined) e.owned = answer.owned;
    if (answer.gateway !== undefined) e.gateway = answer.gateway;
    this.entries.set(id, e);
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

  /**
   * The live object differs from the last apply (`what` says how): the next pass applies it again.
   * With `ifOwned`, only if the entry is still the apply the finding was about (an apply recorded
   * since then is newer than the read that found the difference).
   */
  markDrifted(id: string, what: string[], ifOwned?: string): boolean {
    const e = this.entries.get(id);
    if (!e || (ifOwned !== undefined && e.owned !== ifOwned)) return false;
    e.drift = what;
    return true;
  }

  /** How the object drifted, when the audit found it so and it was not re-applied since. */
  drift(id: string): string[] | undefined {
    return this.entries.get(id)?.drift;
  }

  /** The entries of one member (for the audit). */
  entriesOn(memberKey: string): AuditedEntry[] {
    const out: AuditedEntry[] = [];
    for (const [id, e] of this.entries) {
      if (!id.startsWith(`${memberKey}|`)) continue;
      out.push({
        id,
        ...(e.owned !== undefined ? { owned: e.owned } : {}),
        ...(e.gateway !== undefined ? { gateway: e.gateway } : {}),
      });
    }
    return out;
  }

  forget(id: string): void {
    this.entries.delete(id);
  }

  /** Forgets everything applied to one member (it reconnected: its state is unknown). */
  forgetMember(memberKey: string): void {
    for (const id of this.entries.keys()) if (id.startsWith(`${memberKey}|`)) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
