// The state one reconcile of a PaymentGateway carries through its ordered
// sub-reconcilers, and what they may use. Each sub-reconciler reads and adds
// to the pass (data only: what happens next is its StepResult, step-result.ts);
// only the summary at the end writes the gateway's status.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Component, PaymentGateway, Placement } from '../../api/index.js';
import type { MemberRegistry } from '../../members/index.js';
import type { GatewayPlan, WorkloadSignal } from '../../failover/index.js';
import type { MemberView, PlacementProblem } from '../../placement/index.js';
import type { EventRecorder } from '../../runtime/events.js';
import type { Logger } from '../../runtime/logger.js';
import type { ObjectClient } from '../../runtime/object-client.js';
import type { HubInformers } from '../hub-informers.js';
import type { MemberClients } from '../members/member-clients.js';
import type { MemberWorkloads } from '../members/member-workloads.js';
import type { PaygridMetrics } from '../paygrid-metrics.js';
import type { CopiedSecret } from '../../render/index.js';
import type { AppliedCache } from './applied-cache.js';
import type { HubSecretReader } from './secrets.js';
import type { StepResult } from './step-result.js';

/** What the pass learnt of one placement's workload on its member. */
export interface WorkloadObservation {
  /** We have fresh data (the member is reachable and its informer synced). */
  observed: boolean;
  /** The Deployment exists (meaningful when observed). */
  present: boolean;
  /** At least one replica available. */
  available: boolean;
  /** Rolled out: every replica updated to the current template and ready. */
  rolledOut: boolean;
  readyReplicas: number;
}

export interface MemberProblem {
  reason: string;
  message: string;
}

export interface GatewayPass {
  readonly key: string;
  readonly gateway: PaymentGateway;
  readonly now: Date;
  readonly log: Logger;
  /** The placements to write in status (set by place, adjusted by prune). */
  placements: Placement[];
  epoch: number;
  problems: PlacementProblem[];
  /** memberKey → objects that member should hold for this gateway. */
  rendered: Map<string, KubernetesObject[]>;
  /** memberKey|component → observation (set by observe). */
  workloads: Map<string, WorkloadObservation>;
  /** The planner's view of every member (set by observe). */
  members: MemberView[];
  /** The failover planner's decision (set by plan). */
  plan?: GatewayPlan;
  /** The hub Secrets read for copying, by component (set by secrets). */
  secrets: Map<Component, CopiedSecret>;
  /**
   * Components whose Secret could not be read as the spec names it (set by secrets): their
   * Deployment and Secret copy are neither applied nor pruned on any member this pass.
   */
  heldComponents: Set<Component>;
  /** Object ids (applied-cache objectId) held as they are on members this pass (set by apply). */
  held: Set<string>;
  /** memberKey → why applying or pruning there failed this pass. */
  memberProblems: Map<string, MemberProblem>;
  /** Names of members that still hold this gateway's objects and could not be cleaned. */
  pendingCleanup: Set<string>;
  /** The gateway is being deleted (the finalizer step owns the pass). */
  deleting: boolean;
  /** spec.failover.paused: nothing is placed, applied or pruned. */
  paused: boolean;
}

export interface GatewayDeps {
  readonly hub: HubInformers;
  readonly hubClient: ObjectClient;
  readonly registry: MemberRegistry;
  readonly memberClients: MemberClients;
  readonly workloads: MemberWorkloads;
  readonly applied: AppliedCache;
  readonly events: EventRecorder;
  readonly metrics: PaygridMetrics;
  /** GET of a Secret in a gateway's namespace on the hub (the Secrets the spec names). */
  readonly readHubSecret: HubSecretReader;
}

/** One step of a pass: reads and adds to the pass, and returns what happens next. */
export type SubReconciler<D = GatewayDeps> = (pass: GatewayPass, deps: D) => Promise<StepResult>;

export function workloadKey(memberKey: string, component: string): string {
  return `${memberKey}|${component}`;
}

/** The observations as the failover planner's signals. */
export function workloadSignals(workloads: ReadonlyMap<string, WorkloadObservation>): WorkloadSignal[] {
  return [...workloads].map(([key, w]) => {
    const [member, component] = key.split('|') as [string, WorkloadSignal['component']];
    const [kind, name] = member.split('/') as [WorkloadSignal['memberKind'], string];
    return {
      member: name,
      memberKind: kind,
      component,
      observed: w.observed,
      available: w.available,
      present: w.present,
    };
  });
}

/** The gateway as an Event's `regarding` (cached objects from lists carry no kind). */
export function regardingGateway(gw: PaymentGateway) {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'PaymentGateway',
    metadata: { name: gw.metadata?.name, namespace: gw.metadata?.namespace, uid: gw.metadata?.uid },
  };
}
