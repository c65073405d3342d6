// paygrid's validating admission webhook, as an express router the operator mounts on its HTTPS
// server (port 9443 in the chart). The rules are in rules.ts; the chart's
// ValidatingWebhookConfiguration (charts/paygrid/templates/webhook.yaml) calls the paths below.
//
//   import { webhookRouter } from './webhook/index.js';
//   app.use(webhookRouter({ namespace, getSecret, listEdgeSites, listGateways, registry, logger }));
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../runtime/logger.js';
import { reviewProblem, toReview, type AdmissionReview } from './admission.js';
import { webhookMetrics } from './metrics.js';
import { AdmissionRules, paygridKind, type RulesOptions, type WebhookLookups } from './rules.js';

export * from './admission.js';
export * from './caches.js';
export * from './image.js';
export * from './metrics.js';
export * from './rules.js';
export * from './schema.js';
export * from './tls.js';

/** The paths the chart's ValidatingWebhookConfiguration calls, one per webhook. */
export const WEBHOOK_PATHS = {
  edgesites: '/validate/edgesites',
  cloudclusters: '/validate/cloudclusters',
  paymentgateways: '/validate/paymentgateways',
  /** DELETE of EdgeSites and CloudClusters (its own webhook, so its failurePolicy can differ). */
  memberDeletion: '/validate/member-deletion',
} as const;

/** Largest AdmissionReview accepted: object and oldObject of up to 3 MiB each, with room to spare. */
export const MAX_REVIEW_BYTES = 8 * 1024 * 1024;

export interface WebhookDeps extends WebhookLookups {
  /** The operator's namespace (kubeconfig Secrets). */
  readonly namespace: string;
  /** Registry for paygrid_webhook_* metrics (default: none are recorded). */
  readonly registry?: Registry;
  readonly logger?: Logger;
  /** Deadline for the lookups of one request, in ms (default 3000; the chart's timeout is 5 s). */
  readonly deadlineMs?: number;
  /** The operator's kubeconfig options, so the webhook accepts exactly the kubeconfigs it can use. */
  readonly kubeconfig?: RulesOptions['kubeconfig'];
}

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/**
 * The webhook's routes: POST /validate and POST /validate/<webhook> (any of WEBHOOK_PATHS),
 * each taking an admission.k8s.io/v1 AdmissionReview and answering one. A review that is not
 * one gets HTTP 400; otherwise the answer is always HTTP 200 with allowed true or false.
 */
export function webhookRouter(deps: WebhookDeps): Router {
  const rules = new AdmissionRules({
    namespace: deps.namespace,
    lookups: deps,
    ...(deps.deadlineMs !== undefined ? { deadlineMs: deps.deadlineMs } : {}),
    ...(deps.kubeconfig ? { kubeconfig: deps.kubeconfig } : {}),
  });
  const metrics = deps.registry ? webhookMetrics(deps.registry) : undefined;
  const log = deps.logger;
  const router = express.Router();
  const paths = ['/validate', ...Object.values(WEBHOOK_PATHS)];

  router.post(
    paths,
    express.json({ limit: MAX_REVIEW_BYTES, type: ['application/json', 'application/*+json'] }),
    async (req: Request, res: Response) => {
      const started = process.hrtime.bigint();
      const problem = reviewProblem(req.body);
      if (problem) {
        res.status(400).json({ error: `not an AdmissionReview: ${problem}` });
        return;
      }
      const request = (req.body as AdmissionReview).request!;
      const verdict = await rules.review(request);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = {
        kind: paygridKind(request) ?? 'other',
        operation: OPERATIONS.has(request.operation) ? request.operation : 'other',
      };
      metrics?.requests.inc({ ...labels, allowed: String(verdict.allowed) });
      metrics?.duration.observe(labels, seconds);
      const entry = {
        uid: request.uid,
        kind: labels.kind,
        operation: labels.operation,
        name: request.name,
        namespace: request.namespace,
        user: request.userInfo?.username,
        dryRun: request.dryRun === true,
        allowed: verdict.allowed,
        ms: Math.round(seconds * 1000),
      };
      if (verdict.allowed) log?.debug({ ...entry, warnings: verdict.warnings }, 'admission allowed');
      else log?.info({ ...entry, message: verdict.message }, 'admission denied');
      res.status(200).json(toReview(request.uid, verdict));
    },
  );
  router.all(paths, (_req: Request, res: Response) => {
    res.status(405).set('Allow', 'POST').json({ error: 'POST an admission.k8s.io/v1 AdmissionReview' });
  });
  // Bodies that are not JSON, or too large.
  router.use(paths, (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const e = err as { status?: number; type?: string; message?: string };
    const status = typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 500;
    if (status === 500) log?.error({ err }, 'webhook request failed');
    res.status(status).json({ error: status === 500 ? 'internal error' : (e.message ?? 'bad request') });
  });
  return router;
}
