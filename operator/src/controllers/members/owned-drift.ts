// Pure: which objects paygrid applied on a member are no longer as it applied them, from one
// metadata-only read of that member (owned-objects-audit.ts does the reading). Compared by the
// fingerprint of the fields paygrid owns (runtime/managed-fields.ts), so it needs no cached copy
// of any object and tells "someone changed our fields / deleted it" apart from "the controllers
// updated its status".
import { objectIdParts, type AuditedEntry } from '../gateway/applied-cache.js';

export interface OwnedDrift {
  readonly id: string;
  readonly gateway: string;
  /** How it differs, for the Event ("deleted", "changed outside paygrid"). */
  readonly what: string[];
}

export interface DriftFindings {
  /** Objects that drifted. */
  readonly drifted: OwnedDrift[];
  /**
   * Every entry of the gateways that drifted on this member, drifted or not: re-applied together
   * (the Namespace, which is never read, may be what was deleted, taking the rest with it).
   */
  readonly reapply: string[];
  /** The gateways to wake. */
  readonly gateways: string[];
}

/**
 * `live`: id → owned-fields fingerprint for every object the read returned (undefined when the
 * server gave none); `audited(id)`: whether the read covered that id's kind (a failed list, or a
 * kind never read, such as Namespace, says nothing about its objects).
 */
export function findOwnedDrift(
  entries: readonly AuditedEntry[],
  live: ReadonlyMap<string, string | undefined>,
  audited: (id: string) => boolean,
): DriftFindings {
  const drifted: OwnedDrift[] = [];
  for (const e of entries) {
    if (e.gateway === undefined || e.owned === undefined || !audited(e.id)) continue;
    if (!live.has(e.id)) drifted.push({ id: e.id, gateway: e.gateway, what: ['deleted'] });
    else if (live.get(e.id) !== e.owned)
      drifted.push({ id: e.id, gateway: e.gateway, what: ['changed outside paygrid'] });
  }
  const gateways = [...new Set(drifted.map((d) => d.gateway))].sort();
  const wake = new Set(gateways);
  // The Namespace entry may carry another gateway of that namespace (the last to apply it).
  const namespaces = new Set(drifted.map((d) => objectIdParts(d.id).namespace));
  const isTheirNamespace = (id: string) => {
    const { apiVersion, kind, name } = objectIdParts(id);
    return apiVersion === 'v1' && kind === 'Namespace' && namespaces.has(name);
  };
  const reapply = entries
    .filter((e) => (e.gateway !== undefined && wake.has(e.gateway)) || isTheirNamespace(e.id))
    .map((e) => e.id);
  return { drifted, reapply, gateways };
}
