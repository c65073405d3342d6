import type { PaymentGateway } from '../api/index.js';
import { placement } from '../placement/testSupport.js';
import {
  checkMove,
  cordonPreview,
  drillReport,
  memberViewsFor,
  moveProgress,
  pendingMoveError,
  resolveSite,
  uncordonPreview,
  type HubSnapshot,
  browserOpener,
  forwardedPort,
  leaderPodName,
} from './commands.js';
import { formatMoveRequest, MOVE_REQUEST_ANNOTATION } from '../api/move-request.js';
import { cloudCluster, edgeSite, NOW, placedGateway } from './testSupport.js';

const sites = {
  edgeSites: [edgeSite('edge-a'), edgeSite('edge-b'), edgeSite('edge-c')],
  cloudClusters: [cloudCluster('cloud-a')],
};
const checkout = placedGateway(sites);
const hub: HubSnapshot = { ...sites, gateways: [checkout] };

const auth = (gw: PaymentGateway) =>
  (gw.status?.placements ?? [])
    .filter((p) => p.component === 'authorization')
    .map((p) => `${p.member}:${p.state}`);

describe('fixtures', () => {
  it('place checkout on edge-a and edge-b', () => {
    expect(auth(checkout)).toEqual(['edge-a:Active', 'edge-b:Active']);
  });
});

describe('memberViewsFor', () => {
  it('counts the capacity other gateways reserve, not the gateway planned', () => {
    const other = placedGateway(sites, { name: 'other', authorization: { authorizationsPerSecond: 300 } });
    const views = memberViewsFor({ ...sites, gateways: [checkout, other] }, checkout);
    expect(views.find((v) => v.name === 'edge-a')?.usedByOthers).toEqual({ authorizationsPerSecond: 300 });
    expect(views.find((v) => v.name === 'edge-c')?.usedByOthers).toEqual({ authorizationsPerSecond: 0 });
    expect(views.map((v) => `${v.kind}/${v.name}`)).toEqual([
      'EdgeSite/edge-a',
      'EdgeSite/edge-b',
      'EdgeSite/edge-c',
      'CloudCluster/cloud-a',
    ]);
  });
});

describe('resolveSite', () => {
  it('prefers an EdgeSite when no kind is given', () => {
    const both = { edgeSites: [edgeSite('x')], cloudClusters: [cloudCluster('x')] };
    expect(resolveSite(both, { name: 'x' })?.kind).toBe('EdgeSite');
    expect(resolveSite(both, { name: 'x', kind: 'CloudCluster' })?.kind).toBe('CloudCluster');
    expect(resolveSite(both, { name: 'y' })).toBeUndefined();
  });
});

describe('drillReport', () => {
  it('runs the planner for every gateway placed on the site, changing nothing', () => {
    const before = JSON.stringify(hub);
    const report = drillReport(hub, { name: 'edge-a' }, NOW);
    expect(JSON.stringify(hub)).toBe(before);
    expect(report.ok).toBe(true);
    const lines = report.text.split('\n');
    expect(lines[0]).toBe(
      'drill: EdgeSite edge-a (Healthy, Ready True) fails now: 1 PaymentGateway placed there',
    );
    expect(lines).toContain('if EdgeSite edge-a failed now, payments/checkout would:');
    expect(report.text).toMatch(/add authorization on edge-c: FailoverTarget for edge-a/);
    expect(report.text).toContain('  authorization on edge-a: Active → Lost (MemberUnreachable)');
    expect(lines[lines.length - 1]).toBe('This was a drill: nothing was changed.');
  });

  it('drills a CloudCluster', () => {
    expect(drillReport(hub, { name: 'cloud-a', kind: 'CloudCluster' }, NOW).text).toContain(
      '  ledger on cloud-a: Active → Lost (MemberUnreachable)',
    );
  });

  it('says when nothing is placed there, and fails for an unknown site', () => {
    expect(drillReport(hub, { name: 'edge-c' }, NOW)).toEqual({
      ok: true,
      text: 'drill: EdgeSite edge-c (Healthy, Ready True) fails now\n\nno PaymentGateway is placed on edge-c: nothing would change.',
    });
    expect(drillReport(hub, { name: 'edge-a' }, NOW, 'other').text).toContain(
      'no PaymentGateway in namespace other is placed on edge-a',
    );
    expect(drillReport(hub, { name: 'nope' }, NOW)).toEqual({
      ok: false,
      text: 'no EdgeSite or CloudCluster named nope: nothing to drill',
    });
  });
});

describe('cordonPreview', () => {
  it('shows the replacement added first, make-before-break', () => {
    const lines = cordonPreview(hub, 'edge-a', NOW);
    expect(lines[0]).toBe('payments/checkout would:');
    expect(lines.join('\n')).toMatch(/add authorization on edge-c: (Active|FailoverTarget)/);
    expect(lines[lines.length - 1]).toBe(
      'placements on edge-a drain only once their replacements serve (make-before-break).',
    );
  });

  it('says paused gateways stay', () => {
    const paused: PaymentGateway = { ...checkout, spec: { ...checkout.spec, failover: { paused: true } } };
    expect(cordonPreview({ ...sites, gateways: [paused] }, 'edge-a', NOW)[0]).toBe(
      'payments/checkout: paused (spec.failover.paused): nothing moves until it is false',
    );
  });

  it('says when nothing is placed there', () => {
    expect(cordonPreview(hub, 'edge-c', NOW)).toEqual([
      'no PaymentGateway is placed on edge-c: nothing moves.',
    ]);
  });
});

describe('uncordonPreview', () => {
  const failedOver = (mode: 'Automatic' | 'Manual'): PaymentGateway => ({
    ...checkout,
    spec: { ...checkout.spec, failover: { mode, failbackStabilizationSeconds: 90 } },
    status: {
      ...checkout.status,
      placements: [
        placement('authorization', 'edge-b', 'Active'),
        placement('authorization', 'edge-c', 'FailoverTarget', { replacedMember: 'edge-a' }),
      ],
    },
  });

  it('tells when gateways move back', () => {
    expect(uncordonPreview({ ...sites, gateways: [failedOver('Automatic')] }, 'edge-a')).toEqual([
      'payments/checkout: moves back from edge-c once edge-a has been Healthy for 90s, make-before-break',
    ]);
    expect(uncordonPreview({ ...sites, gateways: [failedOver('Manual')] }, 'edge-a')).toEqual([
      'payments/checkout: stays on edge-c (Manual mode): move it back with kubectl paygrid move checkout -n payments --from edge-c --to edge-a',
    ]);
    expect(uncordonPreview(hub, 'edge-a')).toEqual([
      'no gateway is standing in for edge-a: new placements may come here.',
    ]);
  });
});

describe('checkMove', () => {
  it('accepts a move to an eligible site, and explains a refused one', () => {
    const ok = checkMove(hub, checkout, 'edge-a', 'edge-c', NOW);
    expect(ok.ok).toBe(true);
    expect(ok.message).toMatch(/^authorization of payments\/checkout moves from edge-a to edge-c/);
    const refused = checkMove(hub, checkout, 'edge-a', 'edge-b', NOW);
    expect(refused).toMatchObject({ ok: false, reason: 'AlreadyPlaced' });
    expect(checkMove(hub, checkout, 'edge-c', 'edge-a', NOW)).toMatchObject({
      ok: false,
      reason: 'NoPlacement',
    });
  });
});

const req = { from: 'edge-a', to: 'edge-c', requestedAt: NOW, id: 'req-1' };
const annotated = (gw: PaymentGateway, value: string | undefined): PaymentGateway => ({
  ...gw,
  metadata: { ...gw.metadata, annotations: value === undefined ? {} : { [MOVE_REQUEST_ANNOTATION]: value } },
});

describe('pendingMoveError', () => {
  it('refuses to overwrite a live request, not an expired or malformed one', () => {
    const now = new Date('2026-11-25T03:10:00Z');
    expect(pendingMoveError(annotated(checkout, formatMoveRequest(req)), now)).toBe(
      'a move request is already pending on payments/checkout: edge-a → edge-c (id req-1, requested 2026-11-25T03:00:00Z); ' +
        'wait for the operator to take it, or withdraw it: kubectl annotate paymentgateway checkout -n payments paygrid.io/move-request-',
    );
    expect(
      pendingMoveError(annotated(checkout, formatMoveRequest(req)), new Date('2026-11-25T05:00:00Z')),
    ).toBeUndefined();
    expect(pendingMoveError(annotated(checkout, 'junk'), now)).toBeUndefined();
    expect(pendingMoveError(checkout, now)).toBeUndefined();
  });
});

describe('moveProgress', () => {
  const withAuth = (gw: PaymentGateway, placements: ReturnType<typeof placement>[], routes: string[]) => ({
    ...gw,
    status: {
      ...gw.status,
      placements,
      routes: routes.map((member, priority) => ({ member, endpoint: `https://${member}`, priority })),
    },
  });
  const value = formatMoveRequest(req);

  it('is pending until the operator takes the request', () => {
    expect(moveProgress(annotated(checkout, value), req)).toEqual({
      phase: 'pending',
      text: 'waiting for the operator to take the request',
    });
  });

  it('is moving while the new placement does not serve or the old one still does', () => {
    const adding = withAuth(
      annotated(checkout, undefined),
      [
        placement('authorization', 'edge-a', 'Active'),
        placement('authorization', 'edge-c', 'Active', { readyReplicas: 0, reason: 'ManualMove' }),
      ],
      ['edge-a'],
    );
    expect(moveProgress(adding, req)).toEqual({
      phase: 'moving',
      text: 'edge-c: Active, 0/2 ready; edge-a: Active',
    });
    const serving = withAuth(
      adding,
      [placement('authorization', 'edge-a', 'Active'), placement('authorization', 'edge-c', 'Active')],
      ['edge-a', 'edge-c'],
    );
    expect(moveProgress(serving, req)).toEqual({
      phase: 'moving',
      text: 'edge-c: Active, 2/2 ready, serving; edge-a: Active',
    });
  });

  it('is done once the new placement serves and the old one drains, is gone or is lost', () => {
    for (const [placements, from] of [
      [[placement('authorization', 'edge-a', 'Draining')], 'Draining'],
      [[placement('authorization', 'edge-a', 'Lost')], 'Lost'],
      [[], 'gone'],
    ] as const) {
      const gw = withAuth(
        annotated(checkout, undefined),
        [...placements, placement('authorization', 'edge-c', 'Active')],
        ['edge-c'],
      );
      expect(moveProgress(gw, req)).toEqual({
        phase: 'done',
        text: `edge-c serves (Active, 2/2 ready); edge-a: ${from}`,
      });
    }
  });

  it('is rejected when the request is removed without the placement, or replaced', () => {
    expect(moveProgress(annotated(checkout, undefined), req).phase).toBe('rejected');
    expect(moveProgress(annotated(checkout, formatMoveRequest({ ...req, id: 'req-2' })), req)).toEqual({
      phase: 'rejected',
      text: 'another move request (id req-2) replaced this one',
    });
  });
});

describe('console helpers', () => {
  it('finds the leader pod in the Lease holder identity "<pod>_<uuid>"', () => {
    expect(leaderPodName('paygrid-7d9f-abcde_0b7c4c2e-1f7e-4c1e-9d51-5b7a2f3c9e10')).toBe(
      'paygrid-7d9f-abcde',
    );
    expect(leaderPodName('paygrid-operator')).toBe('paygrid-operator');
    expect(leaderPodName('')).toBeUndefined();
    expect(leaderPodName(undefined)).toBeUndefined();
    expect(leaderPodName('Bad Pod_x')).toBeUndefined();
  });

  it("reads the local port from kubectl port-forward's output", () => {
    expect(forwardedPort('Forwarding from 127.0.0.1:43127 -> 8082')).toBe(43127);
    expect(forwardedPort('Forwarding from [::1]:43127 -> 8082')).toBeUndefined();
    expect(forwardedPort('Handling connection for 43127')).toBeUndefined();
  });

  it('opens a browser with xdg-open on Linux, open on macOS, and knows no opener elsewhere', () => {
    expect(browserOpener('linux')).toBe('xdg-open');
    expect(browserOpener('darwin')).toBe('open');
    expect(browserOpener('win32')).toBeUndefined();
  });
});
