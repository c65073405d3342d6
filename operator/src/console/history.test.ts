import { mergeTimeline } from './history.js';
import { gatewayDocument } from './snapshot.js';
import { failoverStory } from './testSupport.js';
import { gatewayTimeline, type TimelineEntry } from './view.js';

/** Feeds each stage of the story to the journal, as the operator does on every gateway update. */
function replay(stages = failoverStory()): TimelineEntry[][] {
  let kept: TimelineEntry[] = [];
  return stages.map(({ gateway, edgeA }) => {
    const live = gatewayTimeline(gatewayDocument(gateway), (kind, name) =>
      kind === 'EdgeSite' && name === 'edge-a'
        ? { health: edgeA.status?.health ?? 'Unknown', healthSince: edgeA.status?.healthSince ?? null }
        : { health: 'Healthy', healthSince: null },
    );
    kept = mergeTimeline(kept, live);
    return kept;
  });
}

const times = (e: TimelineEntry | undefined) => e?.steps.map((s) => [s.step, s.at]);

describe('mergeTimeline', () => {
  it('keeps the whole story after failback: every time recorded at some stage, the entry over', () => {
    const seen = replay();
    const last = seen.at(-1);
    expect(last).toHaveLength(1);
    expect(last?.[0]).toMatchObject({
      gateway: 'payments/checkout',
      from: 'edge-a',
      to: 'edge-c',
      live: false,
    });
    expect(times(last?.[0])).toEqual([
      ['lost', '2026-01-01T00:10:02Z'],
      ['detected', '2026-01-01T00:10:04Z'],
      ['placed', '2026-01-01T00:10:04Z'],
      ['serving', '2026-01-01T00:10:07Z'],
      ['failback', '2026-01-01T00:20:00Z'],
      ['returned', '2026-01-01T00:20:09Z'],
    ]);
    expect(last?.[0]?.totalSeconds).toBe(5);
  });

  it('keeps the first steps while the site is back but failback has not started', () => {
    const stages = failoverStory();
    const seen = replay(stages);
    const i = stages.findIndex((s) => s.stage === 'site back, Lost drained');
    expect(seen[i]?.[0]?.live).toBe(true);
    expect(seen[i]?.[0]?.steps[0]?.at).toBe('2026-01-01T00:10:02Z');
    expect(seen[i]?.[0]?.steps[1]?.at).toBe('2026-01-01T00:10:04Z');
    expect(seen[i]?.[0]?.steps[4]).toMatchObject({ step: 'failback', at: null });
  });

  it('the status alone loses the steps (what the journal is for)', () => {
    const stages = failoverStory();
    const returned = stages.find((s) => s.stage === 'returned');
    const live = gatewayTimeline(gatewayDocument(returned!.gateway), () => ({
      health: 'Healthy',
      healthSince: null,
    }));
    expect(live[0]?.steps.filter((s) => s.at !== null).map((s) => s.step)).toEqual(['failback', 'returned']);
  });

  it('starts a new entry when the member is lost again, and keeps a bounded number of ended ones', () => {
    const story = failoverStory();
    let kept = replay(story).at(-1) ?? [];
    for (let round = 0; round < 3; round++) {
      for (const { gateway, edgeA } of story.slice(1)) {
        const live = gatewayTimeline(gatewayDocument(gateway), () => ({
          health: edgeA.status?.health ?? 'Unknown',
          healthSince: edgeA.status?.healthSince ?? null,
        }));
        kept = mergeTimeline(kept, live, 2);
      }
    }
    expect(kept).toHaveLength(2);
    expect(kept.every((e) => !e.live)).toBe(true);
  });

  it('takes a newer recorded time over a kept one (a second stand-in replaces the first)', () => {
    const [first] = replay(failoverStory().slice(0, 4)).at(-1) ?? [];
    const moved = { ...first!, to: 'edge-d' };
    moved.steps = moved.steps.map((s) => (s.step === 'placed' ? { ...s, at: '2026-01-01T00:12:00Z' } : s));
    const [merged] = mergeTimeline([first!], [moved]);
    expect(merged?.to).toBe('edge-d');
    expect(merged?.steps[2]?.at).toBe('2026-01-01T00:12:00Z');
    expect(merged?.steps[0]?.at).toBe('2026-01-01T00:10:02Z');
  });
});
