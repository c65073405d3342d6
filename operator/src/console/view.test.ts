import { consoleSnapshot, type ConsoleGateway } from './snapshot.js';
import { cloudEu, edgeSite, failedOverGateway, failoverStory } from './testSupport.js';
import {
  ago,
  failoverTimeline,
  filterGateways,
  groupSites,
  pageSlice,
  searchKey,
  searchTimeline,
  type TimelineEntry,
} from './view.js';

const NOW = '2026-01-01T00:11:00Z';

describe('groupSites', () => {
  it('groups by region then zone, sites without a zone last, each sorted by name', () => {
    const snap = consoleSnapshot(
      [],
      [
        edgeSite('z-site', { region: 'eu-west', zone: 'b' }),
        edgeSite('a-site', { region: 'eu-west', zone: 'b' }),
        edgeSite('nozone', { region: 'eu-west' }),
        edgeSite('first', { region: 'eu-west', zone: 'a' }),
        edgeSite('us', { region: 'us-east', zone: 'a' }),
      ],
      [cloudEu],
      NOW,
    );
    const shape = groupSites(snap.sites).map((r) => [
      r.region,
      r.zones.map((z) => `${z.zone}:${z.sites.map((s) => s.name).join(',')}`),
    ]);
    expect(shape).toEqual([
      ['eu-west', ['a:first', 'b:a-site,z-site', '(no zone):cloud-eu,nozone']],
      ['us-east', ['a:us']],
    ]);
  });
});

describe('filterGateways', () => {
  const many: ConsoleGateway[] = consoleSnapshot(
    Array.from({ length: 1000 }, (_, i) => {
      const gw = failedOverGateway(`gw-${String(i).padStart(4, '0')}`);
      if (i % 10 === 0) gw.status = { ...gw.status, conditions: [] }; // not Ready, not failed over
      return gw;
    }),
    [],
    [],
    NOW,
  ).gateways;
  const keys = many.map(searchKey);

  it('matches every word against namespace/name and member names, case-insensitively', () => {
    expect(filterGateways(many, { text: 'GW-0012', state: 'all' }, keys).map((g) => g.name)).toEqual([
      'gw-0012',
    ]);
    expect(filterGateways(many, { text: 'payments/gw-001 edge-c', state: 'all' }, keys)).toHaveLength(10);
    expect(filterGateways(many, { text: 'edge-z', state: 'all' }, keys)).toHaveLength(0);
    expect(filterGateways(many, { text: '  ', state: 'all' }, keys)).toHaveLength(1000);
  });

  it('filters by state: Ready, not Ready, failed over', () => {
    expect(filterGateways(many, { text: '', state: 'ready' }, keys)).toHaveLength(900);
    expect(filterGateways(many, { text: '', state: 'not-ready' }, keys)).toHaveLength(100);
    expect(filterGateways(many, { text: '', state: 'failed-over' }, keys)).toHaveLength(900);
  });

  it('stays fast at 1,000 gateways: 200 searches well under a frame each', () => {
    const start = performance.now();
    for (let i = 0; i < 200; i++) filterGateways(many, { text: `gw-0${i % 10} edge`, state: 'ready' }, keys);
    expect((performance.now() - start) / 200).toBeLessThan(16);
  });
});

describe('failoverTimeline', () => {
  const sites = [
    edgeSite('edge-a', { health: 'Unreachable', healthSince: '2026-01-01T00:10:02Z' }),
    edgeSite('edge-b'),
    edgeSite('edge-c'),
  ];

  it('takes each step time from the records: site Unreachable, Lost placement, target since, servingSince', () => {
    const [e, ...rest] = failoverTimeline(consoleSnapshot([failedOverGateway()], sites, [cloudEu], NOW));
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ gateway: 'payments/checkout', from: 'edge-a', to: 'edge-c', totalSeconds: 5 });
    expect(e?.steps.map((s) => [s.step, s.at])).toEqual([
      ['lost', '2026-01-01T00:10:02Z'],
      ['detected', '2026-01-01T00:10:04Z'],
      ['placed', '2026-01-01T00:10:04Z'],
      ['serving', '2026-01-01T00:10:07Z'],
      ['failback', null],
      ['returned', null],
    ]);
    expect(e?.live).toBe(true);
  });

  it('reads the failback from the records: the home Active (Failback) and the stand-in Draining (FailedBack)', () => {
    const returned = failoverStory().find((s) => s.stage === 'returned');
    const [e] = failoverTimeline(consoleSnapshot([returned!.gateway], sites, [cloudEu], NOW));
    expect(e).toMatchObject({ from: 'edge-a', to: 'edge-c', live: true });
    expect(e?.steps.slice(4)).toEqual([
      { step: 'failback', label: 'authorization back to edge-a', at: '2026-01-01T00:20:00Z' },
      { step: 'returned', label: 'edge-a serving again, edge-c draining', at: '2026-01-01T00:20:09Z' },
    ]);
    // Once the stand-in is gone the status shows nothing: history.ts keeps the entry.
    const drained = failoverStory().find((s) => s.stage === 'drained');
    expect(failoverTimeline(consoleSnapshot([drained!.gateway], sites, [cloudEu], NOW))).toEqual([]);
  });

  it('says a time is not recorded instead of guessing one', () => {
    const healthyAgain = [edgeSite('edge-a'), edgeSite('edge-b'), edgeSite('edge-c')];
    const [e] = failoverTimeline(
      consoleSnapshot([failedOverGateway('checkout', { serving: false })], healthyAgain, [cloudEu], NOW),
    );
    const lost = e?.steps[0];
    expect(lost?.at).toBeNull();
    expect(lost?.note).toMatch(/Healthy now/);
    expect(e?.steps[3]).toMatchObject({ step: 'serving', at: null, note: 'not serving yet' });
    expect(e?.totalSeconds).toBeNull();
  });

  it('shows a lost placement with no stand-in, and nothing for a gateway on its chosen sites', () => {
    const gw = failedOverGateway();
    gw.status = {
      ...gw.status,
      placements: (gw.status?.placements ?? []).filter((p) => p.state !== 'FailoverTarget'),
    };
    const calm = failedOverGateway('calm');
    calm.status = { ...calm.status, placements: [] };
    const entries = failoverTimeline(consoleSnapshot([gw, calm], sites, [cloudEu], NOW));
    expect(entries.map((e) => [e.gateway, e.from, e.to])).toEqual([['payments/checkout', 'edge-a', null]]);
    expect(entries[0]?.steps[2]).toMatchObject({ step: 'placed', at: null });
  });
});

describe('pageSlice', () => {
  it('cuts a page of the list, clamps a page past either end, and has one page when empty', () => {
    expect(pageSlice(1000, 0, 50)).toEqual({ start: 0, end: 50, page: 0, pages: 20 });
    expect(pageSlice(1000, 19, 50)).toEqual({ start: 950, end: 1000, page: 19, pages: 20 });
    expect(pageSlice(101, 7, 50)).toEqual({ start: 100, end: 101, page: 2, pages: 3 });
    expect(pageSlice(101, -1, 50)).toMatchObject({ start: 0, page: 0 });
    expect(pageSlice(0, 3, 50)).toEqual({ start: 0, end: 0, page: 0, pages: 1 });
  });
});

describe('searchTimeline', () => {
  const entry = (gateway: string, from: string, to: string | null): TimelineEntry => ({
    gateway,
    from,
    to,
    steps: [],
    totalSeconds: null,
    live: true,
  });
  const entries = Array.from({ length: 30 }, (_, i) =>
    entry(`payments/gw-${String(i).padStart(2, '0')}`, `edge-${i % 3}`, i % 2 ? 'cloud-eu' : null),
  );

  it('keeps the newest entries up to the limit, and says how many matched', () => {
    const { shown, matching } = searchTimeline(entries, '', 20);
    expect(matching).toBe(30);
    expect(shown.map((e) => e.gateway)).toEqual(entries.slice(0, 20).map((e) => e.gateway));
  });

  it('matches every word against the gateway and both members', () => {
    expect(searchTimeline(entries, 'GW-1 edge-1', 20).shown.map((e) => e.gateway)).toEqual([
      'payments/gw-10',
      'payments/gw-13',
      'payments/gw-16',
      'payments/gw-19',
    ]);
    expect(searchTimeline(entries, 'cloud-eu', 20).matching).toBe(15);
    expect(searchTimeline(entries, 'edge-9', 20)).toEqual({ shown: [], matching: 0 });
  });
});

describe('ago', () => {
  it('counts seconds, minutes, hours and days; never for no time', () => {
    const now = Date.parse(NOW);
    expect(ago('2026-01-01T00:10:48Z', now)).toBe('12 s ago');
    expect(ago('2026-01-01T00:08:00Z', now)).toBe('3 min ago');
    expect(ago('2025-12-31T20:00:00Z', now)).toBe('4 h ago');
    expect(ago('2025-12-25T00:00:00Z', now)).toBe('7 d ago');
    expect(ago(null, now)).toBe('never');
  });
});
