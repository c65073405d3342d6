import { consoleSnapshot } from './snapshot.js';
import { cloudEu, edgeSite, failedOverGateway, SECRET_MARKERS } from './testSupport.js';

describe('consoleSnapshot', () => {
  const sites = [
    edgeSite('edge-a', { health: 'Unreachable', healthSince: '2026-01-01T00:10:02Z', capacity: 1000 }),
    edgeSite('edge-b', { capacity: 1000 }),
    edgeSite('edge-c'),
  ];
  const snap = consoleSnapshot([failedOverGateway()], sites, [cloudEu], '2026-01-01T00:11:00Z');

  it('carries no Secret name, kubeconfig, message, annotation, endpoint secret or PAN', () => {
    const text = JSON.stringify(snap);
    for (const marker of SECRET_MARKERS) expect(text).not.toContain(marker);
    expect(text).not.toMatch(/kubeconfig|secretRef|message|annotations/i);
  });

  it('gives serving (route order), standby, epoch and condition reasons per gateway', () => {
    expect(snap.gateways).toHaveLength(1);
    expect(snap.gateways[0]).toMatchObject({
      namespace: 'payments',
      name: 'checkout',
      epoch: 3,
      ready: true,
      serving: ['edge-b', 'edge-c'],
      standby: ['cloud-us'],
    });
    expect(snap.gateways[0]?.conditions.map((c) => `${c.type}=${c.status}:${c.reason}`)).toEqual([
      'Ready=True:Available',
      'FailedOver=True:FailedOver',
    ]);
  });

  it('carries the timeline: live entries from the status, merged with the ones kept for the gateway', () => {
    expect(snap.timeline.map((e) => [e.gateway, e.from, e.to, e.live])).toEqual([
      ['payments/checkout', 'edge-a', 'edge-c', true],
    ]);
    const ended = { ...snap.timeline[0]!, from: 'edge-x', live: false };
    const withKept = consoleSnapshot(
      [failedOverGateway()],
      sites,
      [cloudEu],
      '2026-01-01T00:11:00Z',
      (key) => (key === 'payments/checkout' ? [ended] : undefined),
    );
    expect(withKept.timeline.map((e) => [e.from, e.live])).toEqual([
      ['edge-a', true],
      ['edge-x', false],
    ]);
  });

  it('computes capacity used from the authorization placements and the CRD default when omitted', () => {
    const byName = new Map(snap.sites.map((s) => [s.name, s]));
    const b = byName.get('edge-b')?.capacity;
    expect(b?.total).toBe(1000);
    expect(b?.used).toBeGreaterThan(0);
    expect(b?.free).toBe(1000 - (b?.used ?? 0));
    expect(byName.get('edge-c')?.capacity?.total).toBeGreaterThan(0);
    expect(byName.get('cloud-eu')?.capacity).toBeNull();
  });
});
