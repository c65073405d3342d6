import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { Registry } from 'prom-client';
import { WEBHOOK_PATHS, webhookRouter, type WebhookDeps } from './index.js';
import { NAMESPACE, edgeSite, gateway, kubeconfigText, review, secret } from './testdata/fixtures.js';

let server: Server;
let base = '';
let registry: Registry;
let slow = false;

beforeAll(async () => {
  registry = new Registry();
  const deps: WebhookDeps = {
    namespace: NAMESPACE,
    registry,
    deadlineMs: 200,
    getSecret: async (name) => {
      if (slow) await new Promise((r) => setTimeout(r, 1000));
      return name === 'paygrid-member-edge-a' ? secret(name, { kubeconfig: kubeconfigText() }) : undefined;
    },
    listEdgeSites: () => [edgeSite('edge-a', { ready: true }), edgeSite('edge-b', { ready: true })],
    listGateways: () => [gateway('checkout', { placements: [{ member: 'edge-a' }] })],
  };
  const app = express();
  app.use(webhookRouter(deps));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

async function post(path: string, body: unknown, contentType = 'application/json') {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('webhookRouter', () => {
  it('answers an AdmissionReview with the request uid, on every webhook path', async () => {
    for (const path of ['/validate', ...Object.values(WEBHOOK_PATHS)]) {
      const r = review('CREATE', 'EdgeSite', edgeSite('edge-a'));
      const res = await post(path, r);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: r.request!.uid, allowed: true },
      });
    }
  });

  it('denies with a status the apiserver shows to the user', async () => {
    const r = review('CREATE', 'EdgeSite', edgeSite('edge-x'));
    const res = await post(WEBHOOK_PATHS.edgesites, r);
    expect(res.body.response).toEqual({
      uid: r.request!.uid,
      allowed: false,
      status: {
        code: 403,
        reason: 'Forbidden',
        message: expect.stringContaining(
          'spec.kubeconfigSecretRef.name: Secret paygrid-system/paygrid-member-edge-x not found',
        ),
      },
    });
  });

  it('returns warnings with an allowed response', async () => {
    const res = await post(
      WEBHOOK_PATHS.paymentgateways,
      review('CREATE', 'PaymentGateway', gateway('x', { sites: 5 })),
    );
    expect(res.body.response.allowed).toBe(true);
    expect(res.body.response.warnings).toEqual([
      expect.stringContaining('fewer than spec.authorization.sites=5'),
    ]);
  });

  it('answers before the deadline when a lookup is slow', async () => {
    slow = true;
    try {
      const started = Date.now();
      const res = await post(WEBHOOK_PATHS.edgesites, review('CREATE', 'EdgeSite', edgeSite('edge-a')));
      expect(Date.now() - started).toBeLessThan(900);
      expect(res.body.response.allowed).toBe(false);
      expect(res.body.response.status.code).toBe(503);
    } finally {
      slow = false;
    }
  });

  it('rejects what is not an AdmissionReview with HTTP 400', async () => {
    expect((await post('/validate', '{not json')).status).toBe(400);
    expect((await post('/validate', { kind: 'Pod' })).body.error).toContain('kind is not AdmissionReview');
    const v1beta1 = {
      ...review('CREATE', 'EdgeSite', edgeSite('a')),
      apiVersion: 'admission.k8s.io/v1beta1',
    };
    const res = await post('/validate', v1beta1);
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('admissionReviewVersions: [v1]');
  });

  it('refuses other methods with 405', async () => {
    const res = await fetch(`${base}/validate`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('counts requests by kind, operation and outcome, and times them', async () => {
    const before = await registry.getSingleMetricAsString('paygrid_webhook_requests_total');
    await post('/validate', review('DELETE', 'EdgeSite', null, edgeSite('edge-a')));
    const after = await registry.getSingleMetricAsString('paygrid_webhook_requests_total');
    expect(before).not.toEqual(after);
    expect(after).toContain(
      'paygrid_webhook_requests_total{kind="EdgeSite",operation="DELETE",allowed="false"} 1',
    );
    const duration = await registry.getSingleMetricAsString('paygrid_webhook_duration_seconds');
    expect(duration).toContain(
      'paygrid_webhook_duration_seconds_count{kind="EdgeSite",operation="DELETE"} 1',
    );
  });

  it('registers its metrics only once per registry', () => {
    const deps: WebhookDeps = {
      namespace: NAMESPACE,
      registry,
      getSecret: async () => undefined,
      listEdgeSites: () => [],
      listGateways: () => [],
    };
    expect(() => webhookRouter(deps)).not.toThrow();
  });
});
