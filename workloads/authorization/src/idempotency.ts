// Idempotency, pure. A write's identity across sites is (gateway, Idempotency-Key): the ledger
// transfer id is derived from it, so a terminal that retries at another site after a failover
// books the same id and the ledger answers the first result. The fingerprint of a body says
// whether a retry is the same request; it holds the card token, never the PAN.
import { hash } from 'node:crypto';

export type Operation = 'authorize' | 'capture' | 'reversal';

export const ID_PREFIX: Readonly<Record<Operation, string>> = {
  authorize: 'authz_',
  capture: 'capt_',
  reversal: 'rvsl_',
};

/** Deterministic ledger transfer id for a write: prefix + 48 hex of SHA-256(gateway, key). */
export function transferId(operation: Operation, gateway: string, idempotencyKey: string): string {
  // One-shot hash (no Hash object per request); the same bytes as before, so the same ids.
  const digest = hash('sha256', `${gateway}\0${idempotencyKey}`, 'hex');
  return ID_PREFIX[operation] + digest.slice(0, 48);
}

/** The transfer that releases a hold the ledger may have booked although we declined it. */
export function cancelId(authorizationId: string): string {
  return `${authorizationId}.cancel`;
}

/** SHA-256 over the operation, its target and the body's fields, in a fixed order. */
export function fingerprint(
  operation: Operation,
  target: string,
  fields: readonly (string | number | undefined)[],
): string {
  return hash(
    'sha256',
    JSON.stringify([operation, target, ...fields.map((f) => (f === undefined ? null : f))]),
    'hex',
  );
}

export type IdempotencyDecision = 'new' | 'replay' | 'conflict';

/** What to do with a write whose key may have been seen before. */
export function decideIdempotency(
  stored: { readonly fingerprint: string } | undefined,
  incoming: string,
): IdempotencyDecision {
  if (stored === undefined) return 'new';
  return stored.fingerprint === incoming ? 'replay' : 'conflict';
}
