/**
 * The move-request contract between `kubectl paygrid move` and the PaymentGateway controller.
 *
 * An SRE asks for one authorization placement of a gateway to move by setting the annotation
 * `paygrid.io/move-request` on the PaymentGateway to a JSON object:
 *
 *   {"from":"edge-a","to":"edge-c","requestedAt":"2026-11-25T03:00:00Z","id":"6f1c…-uuid"}
 *
 *   from, to     names of members: an EdgeSite, or a CloudCluster when spec.failover.fallback
 *                allows Cloud (the same names planMove takes).
 *   requestedAt  RFC 3339, when the request was made.
 *   id           a random UUID naming the request in Events and logs.
 *   Unknown fields are ignored, so the format can grow.
 *
 * The plugin checks the request with planMove against what it has just read, then writes the
 * annotation with a merge patch carrying that resourceVersion: if the gateway changed meanwhile the
 * apiserver answers 409 and nothing is requested.
 *
 * The controller, on its next pass of the gateway:
 *   1. parseMoveRequest(annotation). An error → Warning Event `MoveRejected` ("move request: <error>")
 *      and the annotation is removed.
 *   2. A request older than MOVE_REQUEST_TTL_SECONDS (isMoveRequestExpired) → Warning Event
 *      `MoveRejected` ("move request <id> expired …"), annotation removed: an operator that was down
 *      for an hour does not act on a stale intention.
 *   3. planMove(gateway, members, {from, to}, now) on fresh state.
 *      ok     → write result.placements and result.epoch to status FIRST, record the `MoveStarted`
 *               Event (its message names the id), THEN remove the annotation.
 *      not ok → Warning Event `MoveRejected` ("move request <id>: <message>"), annotation removed.
 *               Exception: if status already holds an authorization placement on `to` with reason
 *               ManualMove, the controller was killed between the two writes of "ok": it only
 *               removes the annotation (a request is executed at most once).
 *   4. Later passes of planGateway drain `from` make-before-break, as for any move: `to` serves
 *      before `from` is drained.
 *   Removing the annotation must be conditional on its value (a JSON patch with a `test` op, or a
 *   merge patch with the resourceVersion read), so a newer request written in between is not lost.
 *
 * `kubectl paygrid move --wait` waits for: `to` Active (or FailoverTarget) and `from` gone, Draining or
 * (for an unreachable site) Lost; and reports a rejection when the annotation disappears with no
 * placement on `to`, showing the MoveRejected Event.
 *
 * Pure: no I/O, no clock (callers pass the time).
 */

/** The annotation on a PaymentGateway that carries a move request. */
export const MOVE_REQUEST_ANNOTATION = 'paygrid.io/move-request';
/** Reasons of the Events the controller records about move requests. */
export const MOVE_REJECTED_REASON = 'MoveRejected';
/** A request older than this is not executed. */
export const MOVE_REQUEST_TTL_SECONDS = 3600;
/** Longest annotation value accepted. */
export const MOVE_REQUEST_MAX_LENGTH = 1024;

export interface MoveRequestAnnotation {
  readonly from: string;
  readonly to: string;
  /** RFC 3339. */
  readonly requestedAt: string;
  readonly id: string;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** Why a member name is not valid, or undefined when it is. */
function memberNameError(field: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return `${field} must be a non-empty string`;
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    return `${field} ${JSON.stringify(value)} is not a valid member name (lowercase letters, digits, - and .)`;
  }
  return undefined;
}

/** Checks a request's fields; the first problem found, or undefined. */
function validate(o: Record<string, unknown>): string | undefined {
  const fromError = memberNameError('from', o.from);
  if (fromError) return fromError;
  const toError = memberNameError('to', o.to);
  if (toError) return toError;
  if (o.from === o.to) return `from and to are both ${String(o.from)}`;
  if (typeof o.requestedAt !== 'string' || !RFC3339.test(o.requestedAt) || isNaN(Date.parse(o.requestedAt))) {
    return 'requestedAt must be an RFC 3339 date-time, for example 2026-01-01T00:00:00Z';
  }
  if (typeof o.id !== 'string' || !ID.test(o.id)) {
    return 'id must be 1 to 64 letters, digits and -, for example a UUID';
  }
  return undefined;
}

/** Parses the annotation's value; `{error}` says what is wrong in words a person understands. */
export function parseMoveRequest(value: string | undefined): MoveRequestAnnotation | { error: string } {
  if (value === undefined || value.trim() === '') return { error: `${MOVE_REQUEST_ANNOTATION} is empty` };
  if (value.length > MOVE_REQUEST_MAX_LENGTH) {
    return { error: `${MOVE_REQUEST_ANNOTATION} is longer than ${MOVE_REQUEST_MAX_LENGTH} characters` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return {
      error: `${MOVE_REQUEST_ANNOTATION} is not JSON: expected {"from":…,"to":…,"requestedAt":…,"id":…}`,
    };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { error: `${MOVE_REQUEST_ANNOTATION} must be a JSON object` };
  }
  const o = parsed as Record<string, unknown>;
  const error = validate(o);
  if (error) return { error: `${MOVE_REQUEST_ANNOTATION}: ${error}` };
  return {
    from: o.from as string,
    to: o.to as string,
    requestedAt: o.requestedAt as string,
    id: o.id as string,
  };
}

/** Whether a parse result is an error. */
export function isMoveRequestError(r: MoveRequestAnnotation | { error: string }): r is { error: string } {
  return 'error' in r;
}

/** The annotation's value (fields in a fixed order). Throws when a field is invalid. */
export function formatMoveRequest(req: MoveRequestAnnotation): string {
  const error = validate({ ...req });
  if (error) throw new Error(`invalid move request: ${error}`);
  return JSON.stringify({ from: req.from, to: req.to, requestedAt: req.requestedAt, id: req.id });
}

/** Whether a request is older than `ttlSeconds` at `now` (RFC 3339 or Date). */
export function isMoveRequestExpired(
  req: Pick<MoveRequestAnnotation, 'requestedAt'>,
  now: string | Date,
  ttlSeconds = MOVE_REQUEST_TTL_SECONDS,
): boolean {
  const at = Date.parse(req.requestedAt);
  const t = typeof now === 'string' ? Date.parse(now) : now.getTime();
  return t - at > ttlSeconds * 1000;
}
