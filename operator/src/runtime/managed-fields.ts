// A fingerprint of the fields one field manager owns on an object, from metadata.managedFields.
// Server-side apply keeps that entry unchanged while nobody touches those fields (a no-op apply
// writes nothing); when someone else changes, removes or force-takes one of them, the entry
// changes, and a deleted and re-created object has a new uid. So comparing the fingerprint from
// an apply's answer with the one a later read shows tells "still as we applied it" without a
// write, and without caching whole objects.
import { createHash } from 'node:crypto';

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
}

export interface ObjectMetadataLike {
  metadata?: { uid?: string; managedFields?: ManagedFieldsEntry[] };
}

/**
 * sha-256 of the uid and the manager's Apply entries (main resource only; `time` and apiVersion
 * are left out: the first moves on any change of ours, the second with the version used).
 * Undefined when the object has no uid (not from a server).
 */
export function ownedFieldsFingerprint(obj: ObjectMetadataLike, manager: string): string | undefined {
  const uid = obj.metadata?.uid;
  if (!uid) return undefined;
  const owned = (obj.metadata?.managedFields ?? [])
    .filter((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource)
    .map((e) => canonical(e.fieldsV1));
  return createHash('sha256').update(uid).update('\0').update(owned.sort().join('\0')).digest('hex');
}

/** JSON with object keys sorted, so two reads of the same fields compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
