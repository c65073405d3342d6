// Move: executes an SRE's explicit move request (the paygrid.io/move-request
// annotation written by `kubectl paygrid move`; contract in
// cli/move-request.ts). The decision is the pure planMove; this step records
// it in status first, then consumes the annotation, so a request is executed
// at most once even if the operator dies between the two writes.
import { API_VERSION, toRfc3339 } from '../../api/index.js';
import {
  isMoveRequestError,
  isMoveRequestExpired,
  MOVE_REJECTED_REASON,
  MOVE_REQUEST_ANNOTATION,
  parseMoveRequest,
} from '../../api/move-request.js';
import { planMove } from '../../failover/index.js';
import { isNotFound } from '../../runtime/object-client.js';
import { statusCode } from '../../runtime/errors.js';
import { regardingGateway, type GatewayDeps, type GatewayPass } from './pass.js';
import { CONTINUE, type StepResult } from './step-result.js';

/** After a move is recorded (its status write wakes the next pass too; this is the backstop). */
const AFTER_MOVE_MS = 100;

async function consumeAnnotation(pass: GatewayPass, deps: GatewayDeps, value: string): Promise<void> {
  const gw = pass.gateway;
  const path = `/metadata/annotations/${MOVE_REQUEST_ANNOTATION.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  try {
    await deps.hubClient.jsonPatch(
      {
        apiVersion: API_VERSION,
        kind: 'PaymentGateway',
        metadata: { name: gw.metadata?.name, namespace: gw.metadata?.namespace },
      },
      [
        { op: 'test', path, value },
        { op: 'remove', path },
      ],
    );
  } catch (err) {
    // 422: the test failed — a newer request replaced this one; it gets its own pass.
    if (isNotFound(err) || statusCode(err) === 422) return;
    throw err;
  }
}

export async function moveStep(pass: GatewayPass, deps: GatewayDeps): Promise<StepResult> {
  const gw = pass.gateway;
  const value = gw.metadata?.annotations?.[MOVE_REQUEST_ANNOTATION];
  if (value === undefined || pass.deleting) return CONTINUE;
  const regarding = regardingGateway(gw);
  const reject = async (message: string): Promise<StepResult> => {
    deps.events.warning(regarding, MOVE_REJECTED_REASON, 'Move', message);
    pass.log.warn({ move: value }, message);
    await consumeAnnotation(pass, deps, value);
    return CONTINUE;
  };
  const req = parseMoveRequest(value);
  if (isMoveRequestError(req)) return reject(`move request: ${req.error}`);
  if (isMoveRequestExpired(req, pass.now)) {
    return reject(
      `move request ${req.id} expired: made at ${req.requestedAt}, more than an hour ago; request it again`,
    );
  }
  const done = (gw.status?.placements ?? []).some(
    (p) => p.component === 'authorization' && p.member === req.to && p.reason === 'ManualMove',
  );
  if (done) {
    await consumeAnnotation(pass, deps, value);
    return CONTINUE;
  }
  const result = planMove(gw, pass.members, { from: req.from, to: req.to }, toRfc3339(pass.now));
  if (!result.ok) return reject(`move request ${req.id}: ${result.message}`);
  await deps.hubClient.applyStatus({
    apiVersion: API_VERSION,
    kind: 'PaymentGateway',
    metadata: { name: gw.metadata?.name, namespace: gw.metadata?.namespace },
    status: { ...gw.status, placements: result.placements, epoch: result.epoch },
  });
  for (const e of result.events) {
    if (e.type === 'Warning')
      deps.events.warning(regarding, e.reason, 'Move', `${e.message} (request ${req.id})`);
    else deps.events.normal(regarding, e.reason, 'Move', `${e.message} (request ${req.id})`);
  }
  await consumeAnnotation(pass, deps, value);
  // The next pass starts from the new status, not from this pass's stale copy.
  return { next: 'requeue', afterMs: AFTER_MOVE_MS };
}
