import type { Condition, PaymentGateway, PaymentGatewayStatus, Placement } from '../../api/index.js';
import { memberKey } from '../../members/index.js';
import { cloud, edge, gateway, placement } from '../../placement/testSupport.js';
import type { MemberView } from '../../placement/index.js';
import { workloadKey, type WorkloadObservation } from './pass.js';
import { statusChanged, summarize, type SummaryInput } from './summarize.js';

const T1 = new Date('2025-06-01T12:00:00Z');
const T2 = new Date('2025-06-01T12:05:00Z');

const UP: WorkloadObservation = {
  observed: true,
  present: true,
  available: true,
  rolledOut: true,
  readyReplicas: 2,
};

function obs(p: Placement, w: Partial<WorkloadObservation> = {}): [string, WorkloadObservation] {
  return [workloadKey(memberKey(p.memberKind, p.member), p.component), { ...UP, ...w }];
}

const authA = placement('authorization', 'edge-a', 'Active');
const ledger = placement('ledger', 'cloud-a', 'Active');
const MEMBERS: MemberView[] = [edge('edge-a'), edge('edge-b'), edge('edge-c'), cloud('cloud-a')];

/** A converged gateway: authorization on edge-a, ledger on cloud-a, both rolled out. */
function input(overrides: Partial<SummaryInput> = {}): SummaryInput {
  const placements = overrides.placements ?? [authA, ledger];
  return {
    gateway: gateway({ placements: [...placements] }),
    placements,
    epoch: 3,
    problems: [],
    memberProblems: new Map(),
    pendingCleanup: new Set(),
    workloads: new Map(placements.map((p) => obs(p))),
    deleting: false,
    paused: false,
    members: MEMBERS,
    now: T1,
    ...overrides,
  };
}

const cond = (s: PaymentGatewayStatus, type: string): Condition | undefined =>
  s.conditions?.find((c) => c.type === type);

/** `status reason` of a condition, for terse assertions. */
const sr = (s: PaymentGatewayStatus, type: string) => {
  const c = cond(s, type);
  return c && `${c.status} ${c.reason}`;
};

/** The gateway with a status written by a previous pass. */
const withPrevious = (gw: PaymentGateway, status: PaymentGatewayStatus): PaymentGateway => ({
  ...gw,
  status,
});

describe('summarize: Ready', () => {
  it('is True when every placement is observed and rolled out and authorization has a route', () => {
    const s = summarize(input());
    expect(cond(s, 'Ready')).toMatchObject({ status: 'True', reason: 'Ready' });
    expect(cond(s, 'Ready')?.message).toContain('edge-a');
    expect(s.routes).toEqual([{ member: 'edge-a', endpoint: 'https://edge-a.pay.example.com', priority: 0 }]);
    expect(s.serving).toBe('edge-a');
    expect(s.epoch).toBe(3);
    expect(s.placements).toEqual([authA, ledger]);
    expect(s.pendingCleanup).toBeUndefined();
  });

  it('ignores Lost and Draining placements, whatever their workloads say', () => {
    const lost = placement('authorization', 'edge-b', 'Lost', { reason: 'MemberUnreachable' });
    const draining = placement('authorization', 'edge-c', 'Draining');
    const placements = [authA, lost, draining, ledger];
    const s = summarize(
      input({
        placements,
        // Lost: nothing observed; Draining: scaling down, not rolled out.
        workloads: new Map([
          obs(authA),
          obs(ledger),
          obs(lost, { observed: false, available: false, rolledOut: false }),
          obs(draining, { rolledOut: false }),
        ]),
      }),
    );
    expect(sr(s, 'Ready')).toBe('True Ready');
  });

  it.each<[string, Partial<WorkloadObservation> | undefined]>([
    ['observed but not rolled out', { rolledOut: false }],
    ['rolled out as last seen but not observed now', { observed: false }],
    ['not observed at all', undefined],
  ])('is False RollingOut while a placement is %s, naming it', (_what, w) => {
    const workloads = new Map([obs(authA)]);
    if (w) workloads.set(...obs(ledger, w));
    const s = summarize(input({ workloads }));
    expect(sr(s, 'Ready')).toBe('False RollingOut');
    expect(cond(s, 'Ready')?.message).toBe('waiting for ledger on cloud-a to be rolled out and ready');
  });

  it('waits for Standby and FailoverTarget placements to roll out too', () => {
    const standby = placement('ledger', 'cloud-b', 'Standby');
    const target = placement('authorization', 'edge-b', 'FailoverTarget', { replacedMember: 'edge-c' });
    const placements = [authA, target, ledger, standby];
    const s = summarize(
      input({
        placements,
        workloads: new Map([
          obs(authA),
          obs(ledger),
          obs(standby, { rolledOut: false }),
          obs(target, { rolledOut: false }),
        ]),
      }),
    );
    expect(sr(s, 'Ready')).toBe('False RollingOut');
    expect(cond(s, 'Ready')?.message).toContain('authorization on edge-b');
    expect(cond(s, 'Ready')?.message).toContain('ledger on cloud-b');
  });

  it('is False NoServingSites when everything is rolled out but no authorization endpoint serves', () => {
    const noEndpoint = [edge('edge-a', { endpoint: undefined }), cloud('cloud-a')];
    expect(sr(summarize(input({ members: noEndpoint })), 'Ready')).toBe('False NoServingSites');
    const unreachable = [edge('edge-a', { health: 'Unreachable' }), cloud('cloud-a')];
    expect(sr(summarize(input({ members: unreachable })), 'Ready')).toBe('False NoServingSites');
    // No authorization placement at all.
    expect(sr(summarize(input({ placements: [ledger] })), 'Ready')).toBe('False NoServingSites');
  });

  it("takes the first Error problem's reason and every Error message; Warnings do not count", () => {
    const s = summarize(
      input({
        problems: [
          { component: 'authorization', severity: 'Warning', reason: 'SpreadUnsatisfiable', message: 'w' },
          { component: 'authorization', severity: 'Error', reason: 'NoEligibleSites', message: 'e1' },
          { component: 'ledger', severity: 'Error', reason: 'PrimaryNotFound', message: 'e2' },
        ],
        // Errors win over member problems and rollouts.
        memberProblems: new Map([['EdgeSite/edge-a', { reason: 'ApplyFailed', message: 'm' }]]),
        workloads: new Map([obs(authA, { rolledOut: false })]),
      }),
    );
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'NoEligibleSites', message: 'e1; e2' });

    const warningOnly = summarize(
      input({
        problems: [
          { component: 'authorization', severity: 'Warning', reason: 'SpreadUnsatisfiable', message: 'w' },
        ],
      }),
    );
    expect(sr(warningOnly, 'Ready')).toBe('True Ready');
    expect(sr(warningOnly, 'Degraded')).toBe('False AsPlanned');
  });

  it("takes the first member problem's reason, before rollouts and routes", () => {
    const s = summarize(
      input({
        memberProblems: new Map([
          ['EdgeSite/edge-a', { reason: 'ApplyFailed', message: 'applying to edge-a: boom' }],
          ['CloudCluster/cloud-a', { reason: 'PruneFailed', message: 'pruning on cloud-a: boom' }],
        ]),
        workloads: new Map([obs(authA, { rolledOut: false })]),
        members: [cloud('cloud-a')],
      }),
    );
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ApplyFailed',
      message: 'applying to edge-a: boom; pruning on cloud-a: boom',
    });
  });

  it('is False CleanupPending while deleting, naming the members still to clean, sorted', () => {
    const s = summarize(input({ deleting: true, pendingCleanup: new Set(['edge-b', 'cloud-a', 'edge-a']) }));
    expect(sr(s, 'Ready')).toBe('False CleanupPending');
    expect(cond(s, 'Ready')?.message).toContain('cloud-a, edge-a, edge-b');
    expect(s.pendingCleanup).toEqual(['cloud-a', 'edge-a', 'edge-b']);
    // Deletion wins over problems.
    const withProblems = summarize(
      input({
        deleting: true,
        pendingCleanup: new Set(['edge-a']),
        problems: [{ component: 'ledger', severity: 'Error', reason: 'PrimaryNotFound', message: 'e' }],
      }),
    );
    expect(sr(withProblems, 'Ready')).toBe('False CleanupPending');
  });

  it('is False Deleting with no pendingCleanup once every member is clean', () => {
    const s = summarize(input({ deleting: true }));
    expect(sr(s, 'Ready')).toBe('False Deleting');
    expect(s.pendingCleanup).toBeUndefined();
    expect(cond(s, 'Progressing')).toMatchObject({ status: 'True', message: 'deleting' });
  });

  it('reports pendingCleanup outside deletion too (a member that lost its placement is unreachable)', () => {
    const s = summarize(input({ pendingCleanup: new Set(['edge-b']) }));
    expect(s.pendingCleanup).toEqual(['edge-b']);
    expect(sr(s, 'Ready')).toBe('True Ready');
  });
});

describe('summarize: Progressing', () => {
  it('is False Converged when everything is rolled out', () => {
    expect(sr(summarize(input()), 'Progressing')).toBe('False Converged');
  });

  it('is True RollingOut while a placement rolls out', () => {
    const s = summarize(input({ workloads: new Map([obs(authA), obs(ledger, { rolledOut: false })]) }));
    expect(cond(s, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'RollingOut',
      message: 'rolling out ledger on cloud-a',
    });
  });

  it('is True Draining while a placement drains, even with rollouts', () => {
    const draining = placement('authorization', 'edge-b', 'Draining');
    const placements = [authA, draining, ledger];
    const s = summarize(
      input({
        placements,
        workloads: new Map([obs(authA), obs(ledger, { rolledOut: false }), obs(draining)]),
      }),
    );
    expect(cond(s, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'Draining',
      message: 'rolling out ledger on cloud-a, draining authorization from edge-b',
    });
  });

  it('is False Paused when paused, whatever moves', () => {
    const draining = placement('authorization', 'edge-b', 'Draining');
    const s = summarize(
      input({
        paused: true,
        placements: [authA, draining, ledger],
        workloads: new Map([obs(authA, { rolledOut: false })]),
      }),
    );
    expect(sr(s, 'Progressing')).toBe('False Paused');
  });
});

describe('summarize: Degraded', () => {
  it('is False AsPlanned when every component is placed as asked', () => {
    expect(sr(summarize(input()), 'Degraded')).toBe('False AsPlanned');
  });

  it('is True PlacementLost with a lost placement, saying why', () => {
    const lost = placement('authorization', 'edge-b', 'Lost', { message: 'edge-b unreachable for 6s' });
    const s = summarize(input({ placements: [authA, lost, ledger] }));
    expect(cond(s, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'PlacementLost',
      message: 'authorization on edge-b is lost: edge-b unreachable for 6s',
    });
    // Serving from the rest: still Ready.
    expect(sr(s, 'Ready')).toBe('True Ready');
  });

  it("takes an Error problem's reason before PlacementLost, and a member problem's after", () => {
    const lost = placement('authorization', 'edge-b', 'Lost');
    const error = {
      component: 'ledger' as const,
      severity: 'Error' as const,
      reason: 'PrimaryNotFound',
      message: 'e',
    };
    const member = new Map([['EdgeSite/edge-a', { reason: 'ApplyFailed', message: 'm' }]]);
    const all = summarize(
      input({ placements: [authA, lost, ledger], problems: [error], memberProblems: member }),
    );
    expect(sr(all, 'Degraded')).toBe('True PrimaryNotFound');
    expect(cond(all, 'Degraded')?.message).toMatch(/^e; authorization on edge-b is lost: .*; m$/);
    expect(
      sr(summarize(input({ placements: [authA, lost, ledger], memberProblems: member })), 'Degraded'),
    ).toBe('True PlacementLost');
    expect(sr(summarize(input({ memberProblems: member })), 'Degraded')).toBe('True ApplyFailed');
  });
});

describe('summarize: FailedOver', () => {
  it('is False NoFailover when nothing says otherwise', () => {
    expect(cond(summarize(input()), 'FailedOver')).toMatchObject({
      status: 'False',
      reason: 'NoFailover',
      lastTransitionTime: '2025-06-01T12:00:00Z',
    });
  });

  it("follows the failover planner's judgement", () => {
    const failedOver = {
      status: true,
      reason: 'FailedOver',
      message: 'edge-b stands in for edge-a (serving)',
    };
    const s = summarize(input({ failedOver }));
    expect(cond(s, 'FailedOver')).toMatchObject({
      status: 'True',
      reason: 'FailedOver',
      message: failedOver.message,
      observedGeneration: 1,
    });
    // And back: the planner says no failover any more.
    const back = summarize(
      input({
        gateway: withPrevious(input().gateway, s),
        failedOver: {
          status: false,
          reason: 'NoFailover',
          message: 'every authorization placement is on its chosen site',
        },
        now: T2,
      }),
    );
    expect(cond(back, 'FailedOver')).toMatchObject({
      status: 'False',
      reason: 'NoFailover',
      lastTransitionTime: '2025-06-01T12:05:00Z',
    });
  });

  it('keeps the last judgement when there is no plan (paused)', () => {
    const previous = summarize(input());
    const kept: Condition = {
      type: 'FailedOver',
      status: 'True',
      reason: 'FailedOver',
      message: 'edge-b stands in for edge-a',
      observedGeneration: 1,
      lastTransitionTime: '2025-06-01T11:00:00Z',
    };
    const gw = withPrevious(input().gateway, {
      ...previous,
      conditions: [...(previous.conditions ?? []).filter((c) => c.type !== 'FailedOver'), kept],
    });
    expect(cond(summarize(input({ gateway: gw, paused: true, now: T2 })), 'FailedOver')).toEqual(kept);
  });
});

describe('summarize: conditions', () => {
  it('lists Ready, Progressing, Degraded, FailedOver in that order', () => {
    expect(summarize(input()).conditions?.map((c) => c.type)).toEqual([
      'Ready',
      'Progressing',
      'Degraded',
      'FailedOver',
    ]);
  });

  it('sets observedGeneration on status and on every condition', () => {
    const gw = gateway({ placements: [authA, ledger] });
    gw.metadata = { ...gw.metadata, generation: 7 };
    const s = summarize(input({ gateway: gw }));
    expect(s.observedGeneration).toBe(7);
    for (const c of s.conditions ?? []) expect(c.observedGeneration).toBe(7);

    const noGeneration = { ...gw, metadata: { ...gw.metadata, generation: undefined } };
    expect(summarize(input({ gateway: noGeneration })).observedGeneration).toBe(0);
  });

  it('keeps lastTransitionTime while a status holds, and the same pass again changes nothing', () => {
    const first = summarize(input());
    for (const c of first.conditions ?? []) expect(c.lastTransitionTime).toBe('2025-06-01T12:00:00Z');
    const again = summarize(input({ gateway: withPrevious(input().gateway, first), now: T2 }));
    expect(again).toEqual(first);
    expect(statusChanged(first, again)).toBe(false);
  });

  it('moves lastTransitionTime only for the conditions whose status changed', () => {
    const first = summarize(input());
    const lost = placement('authorization', 'edge-a', 'Lost');
    const next = summarize(
      input({
        gateway: withPrevious(input().gateway, first),
        placements: [lost, ledger],
        workloads: new Map([obs(ledger)]),
        now: T2,
      }),
    );
    expect(sr(next, 'Ready')).toBe('False NoServingSites');
    expect(cond(next, 'Ready')?.lastTransitionTime).toBe('2025-06-01T12:05:00Z');
    expect(cond(next, 'Degraded')?.lastTransitionTime).toBe('2025-06-01T12:05:00Z');
    // Progressing stayed False (Converged), FailedOver stayed False.
    expect(cond(next, 'Progressing')?.lastTransitionTime).toBe('2025-06-01T12:00:00Z');
    expect(cond(next, 'FailedOver')?.lastTransitionTime).toBe('2025-06-01T12:00:00Z');
    expect(statusChanged(first, next)).toBe(true);
  });
});

describe('summarize: routes', () => {
  const active = placement('authorization', 'edge-c', 'Active');
  const target = placement('authorization', 'edge-a', 'FailoverTarget', { replacedMember: 'edge-b' });

  it('come from serving authorization placements, Active before FailoverTarget', () => {
    const s = summarize(input({ placements: [target, active, ledger] }));
    expect(s.routes).toEqual([
      { member: 'edge-c', endpoint: 'https://edge-c.pay.example.com', priority: 0 },
      { member: 'edge-a', endpoint: 'https://edge-a.pay.example.com', priority: 1 },
    ]);
    expect(s.serving).toBe('edge-c,edge-a');
  });

  it.each<[string, Partial<WorkloadObservation>]>([
    ['not observed', { observed: false }],
    ['not available', { available: false }],
    ['gone', { present: false }],
  ])('leave out a workload that is %s', (_what, w) => {
    const placements = [target, active, ledger];
    const workloads = new Map([obs(target), obs(active, w), obs(ledger)]);
    const s = summarize(input({ placements, workloads }));
    expect(s.routes?.map((r) => r.member)).toEqual(['edge-a']);
    expect(s.serving).toBe('edge-a');
  });

  it('leave out a placement with no observation', () => {
    const s = summarize(input({ workloads: new Map([obs(ledger)]) }));
    expect(s.routes).toEqual([]);
    expect(s.serving).toBe('');
  });

  it('match the workload of the right kind: a CloudCluster of the same name does not stand in', () => {
    const cloudAuth = placement('authorization', 'edge-a', 'Active', { memberKind: 'CloudCluster' });
    const s = summarize(
      input({
        placements: [authA, ledger],
        workloads: new Map([obs(cloudAuth), obs(authA, { available: false }), obs(ledger)]),
      }),
    );
    expect(s.routes).toEqual([]);
  });
});

describe('statusChanged', () => {
  const status = (): PaymentGatewayStatus => summarize(input());

  /** A deep copy with every object's keys in reverse order. */
  function reverseKeys(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(reverseKeys);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .reverse()
          .map(([k, x]) => [k, reverseKeys(x)]),
      );
    return v;
  }

  it('is false for the same status with keys in another order', () => {
    const s = status();
    expect(statusChanged(s, reverseKeys(s) as PaymentGatewayStatus)).toBe(false);
  });

  it('is false when the only difference is undefined fields', () => {
    const s = status();
    const sparse = {
      ...s,
      pendingCleanup: undefined,
      placements: s.placements?.map((p) => ({ ...p, replacedMember: undefined })),
    };
    expect(statusChanged(s, sparse)).toBe(false);
    expect(statusChanged(undefined, {})).toBe(false);
  });

  it('is true when anything real differs', () => {
    const s = status();
    const variants: [string, PaymentGatewayStatus][] = [
      ['epoch', { ...s, epoch: 4 }],
      ['serving', { ...s, serving: '' }],
      ['placement order', { ...s, placements: [...(s.placements ?? [])].reverse() }],
      ['readyReplicas', { ...s, placements: s.placements?.map((p) => ({ ...p, readyReplicas: 1 })) }],
      ['pendingCleanup', { ...s, pendingCleanup: ['edge-b'] }],
      [
        'a condition message',
        { ...s, conditions: s.conditions?.map((c) => (c.type === 'Ready' ? { ...c, message: 'x' } : c)) },
      ],
      [
        'a lastTransitionTime',
        {
          ...s,
          conditions: s.conditions?.map((c) =>
            c.type === 'Degraded' ? { ...c, lastTransitionTime: '2025-06-01T12:05:00Z' } : c,
          ),
        },
      ],
      ['a null', { ...s, epoch: null as unknown as number }],
    ];
    for (const [what, changed] of variants) expect([what, statusChanged(s, changed)]).toEqual([what, true]);
    expect(statusChanged(undefined, s)).toBe(true);
  });
});
