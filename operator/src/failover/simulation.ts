// A small world for property tests: member clusters whose health, readiness, cordon and workload
// health change over time, and a controller loop that runs planGateway, then applies the plan the way
// the gateway controller does (creates workloads of serving placements, deletes Draining ones, leaves
// unreachable members and Lost placements alone).
import type { MemberHealth, PaymentGateway } from '../api/index.js';
import { cloud, edge, withStatus } from '../placement/testSupport.js';
import type { MemberView } from '../placement/index.js';
import { planGateway } from './planGateway.js';
import { planMove } from './planMove.js';
import { formatTime } from './time.js';
import type { GatewayPlan, WorkloadSignal } from './types.js';

export interface SimSite {
  readonly name: string;
  readonly kind: 'EdgeSite' | 'CloudCluster';
  readonly region: string;
  readonly zone?: string;
  health: MemberHealth;
  healthSince: number;
  cordoned: boolean;
  /** Its authorization workload cannot become available (broken image, bad node). */
  broken: boolean;
}

interface Workload {
  present: boolean;
  readyAt: number;
}

export type SimAction =
  | {
      readonly kind: 'kill' | 'revive' | 'heal' | 'suspect' | 'break' | 'fix' | 'cordon' | 'uncordon';
      readonly site: number;
    }
  /** An SRE's move (kubectl paygrid move) of the from-th authorization placement to the to-th site. */
  | { readonly kind: 'move'; readonly from: number; readonly to: number }
  | { readonly kind: 'nothing' };

export class World {
  readonly sites: SimSite[];
  private readonly workloads = new Map<string, Workload>();
  gateway: PaymentGateway;
  now: number;

  constructor(sites: readonly SimSite[], gateway: PaymentGateway, start: number) {
    this.sites = sites.map((s) => ({ ...s }));
    this.gateway = gateway;
    this.now = start;
  }

  members(): MemberView[] {
    return this.sites.map((s) => {
      const common = {
        region: s.region,
        health: s.health,
        healthSince: formatTime(s.healthSince),
        ready: s.health === 'Healthy' || s.health === 'Suspect',
      };
      return s.kind === 'EdgeSite'
        ? edge(s.name, { ...common, zone: s.zone, cordoned: s.cordoned })
        : cloud(s.name, common);
    });
  }

  site(name: string): SimSite | undefined {
    return this.sites.find((s) => s.name === name);
  }

  /** The signal of each member that holds a workload or an authorization placement. */
  signals(): WorkloadSignal[] {
    const names = new Set([
      ...this.workloads.keys(),
      ...(this.gateway.status?.placements ?? [])
        .filter((p) => p.component === 'authorization')
        .map((p) => p.member),
    ]);
    return [...names].sort().map((name) => {
      const site = this.site(name);
      const w = this.workloads.get(name);
      const observed = site !== undefined && site.health !== 'Unreachable';
      const present = w?.present ?? false;
      return {
        member: name,
        component: 'authorization',
        observed,
        available: observed && present && !(site?.broken ?? false) && this.now >= (w?.readyAt ?? Infinity),
        present,
      };
    });
  }

  /** Whether the member's workload could serve now (the world's truth, as the signal says). */
  available(name: string): boolean {
    return this.signals().some((s) => s.member === name && s.available);
  }

  /** Applies an action; for a move, returns whether planMove accepted it. */
  act(action: SimAction): boolean {
    if (action.kind === 'nothing') return false;
    if (action.kind === 'move') {
      const placed = (this.gateway.status?.placements ?? []).filter((p) => p.component === 'authorization');
      const from = placed[action.from % Math.max(1, placed.length)];
      const to = this.sites[action.to % this.sites.length];
      if (from === undefined || to === undefined) return false;
      const result = planMove(
        this.gateway,
        this.members(),
        { from: from.member, to: to.name },
        formatTime(this.now),
      );
      if (result.ok) this.gateway = withStatus(this.gateway, result.placements, result.epoch);
      return result.ok;
    }
    const site = this.sites[action.site % this.sites.length];
    if (site === undefined) return false;
    const to = (health: MemberHealth) => {
      if (site.health !== health) {
        site.health = health;
        site.healthSince = this.now;
      }
    };
    switch (action.kind) {
      case 'kill':
        to('Unreachable');
        break;
      case 'revive':
        if (site.health === 'Unreachable') to('Recovering');
        break;
      case 'heal':
        if (site.health === 'Recovering' || site.health === 'Suspect') to('Healthy');
        break;
      case 'suspect':
        if (site.health === 'Healthy') to('Suspect');
        break;
      case 'break':
        site.broken = true;
        break;
      case 'fix':
        site.broken = false;
        break;
      case 'cordon':
        if (site.kind === 'EdgeSite') site.cordoned = true;
        break;
      case 'uncordon':
        site.cordoned = false;
        break;
    }
    return false;
  }

  /** One controller pass: plan, write status, apply and prune on the reachable members. */
  pass(rolloutDelaySeconds: number): { plan: GatewayPlan; signals: WorkloadSignal[]; members: MemberView[] } {
    const members = this.members();
    const signals = this.signals();
    const plan = planGateway({
      gateway: this.gateway,
      members,
      workloads: signals,
      now: formatTime(this.now),
    });
    this.gateway = withStatus(this.gateway, plan.placements, plan.epoch);
    const placed = new Map(
      plan.placements.filter((p) => p.component === 'authorization').map((p) => [p.member, p.state]),
    );
    for (const site of this.sites) {
      if (site.health === 'Unreachable') continue;
      const state = placed.get(site.name);
      const w = this.workloads.get(site.name);
      if (state === 'Active' || state === 'FailoverTarget') {
        if (!w?.present)
          this.workloads.set(site.name, { present: true, readyAt: this.now + rolloutDelaySeconds * 1000 });
      } else if (state === undefined || state === 'Draining') {
        if (w) this.workloads.set(site.name, { ...w, present: false });
      }
    }
    return { plan, signals, members };
  }
}
