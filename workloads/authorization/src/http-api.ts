// The HTTP routes of the authorization API on the kit's server; timing and outcome metrics here.
import { Router, type Handler } from '@paygrid/workload-kit';
import type { Answer, Authorizer } from './authorizer.js';
import type { AuthorizationMetrics } from './metrics.js';

const NOT_OPEN: Answer = {
  status: 503,
  body: { error: { reason: 'NotReady', message: 'the journal is not open yet; see /readyz' } },
  outcome: 'unavailable',
};

/** `current` is undefined until the journal opened (the health endpoints answer before that). */
export function authorizationRoutes(
  current: () => Authorizer | undefined,
  metrics: AuthorizationMetrics,
): Router<Handler> {
  const timed =
    (
      operation: string,
      run: (authorizer: Authorizer, req: Parameters<Handler>[0]) => Promise<Answer>,
    ): Handler =>
    async (req) => {
      const end = metrics.duration.startTimer({ operation });
      const authorizer = current();
      const answer = authorizer ? await run(authorizer, req) : NOT_OPEN;
      end();
      metrics.requests.inc({ outcome: answer.outcome });
      return {
        status: answer.status,
        body: answer.body,
        ...(answer.headers ? { headers: answer.headers } : {}),
      };
    };
  return new Router<Handler>()
    .add(
      'POST',
      '/v1/authorizations',
      timed('authorize', (authorizer, req) => authorizer.authorize(req.headers['idempotency-key'], req.body)),
    )
    .add(
      'POST',
      '/v1/authorizations/:id/capture',
      timed('capture', (authorizer, req) =>
        authorizer.capture(req.headers['idempotency-key'], req.params.id ?? '', req.body),
      ),
    )
    .add(
      'POST',
      '/v1/authorizations/:id/reversal',
      timed('reversal', (authorizer, req) =>
        authorizer.reverse(req.headers['idempotency-key'], req.params.id ?? '', req.body),
      ),
    )
    .add('GET', '/v1/authorizations/:id', async (req) => {
      const authorizer = current();
      const answer = authorizer ? await authorizer.get(req.params.id ?? '') : NOT_OPEN;
      return { status: answer.status, body: answer.body };
    });
}
