// What the renderer needs to know besides the gateway and its placements.
import type { Component, MemberWorkloads } from '../api/index.js';
import type { MemberView } from '../placement/types.js';
import type { CopiedSecret } from './secrets.js';

export interface RenderContext {
  /** The member the objects are for. */
  readonly member: Pick<MemberView, 'name' | 'kind' | 'region' | 'zone'> & {
    /** The member's spec.workloads: node selector and tolerations of the pods rendered for it. */
    readonly workloads?: MemberWorkloads;
  };
  /** The gateway's epoch (the new one, when placement just changed): the fencing token. */
  readonly epoch: number;
  /**
   * Base URL of the serving ledger as reached from edge sites (the primary CloudCluster's
   * spec.endpoint, or the promoted standby's). Authorization gets it in its ConfigMap.
   */
  readonly ledgerEndpoint?: string;
  /**
   * The configured primary's endpoint (spec.ledger.primary's CloudCluster): what the pod template's
   * config hash is computed over in place of ledgerEndpoint. A promotion changes ledgerEndpoint
   * and reaches the running pods live (a rollout would delete authorization's emptyDir journal
   * while it holds stand-in approvals); a new primary in the spec rolls them, as it always did,
   * and an upgrade of the operator finds the same hashes. Absent: ledgerEndpoint is hashed.
   */
  readonly configuredLedgerEndpoint?: string;
  /**
   * The hub Secrets the spec names, read for copying, by component. A component whose spec names a
   * Secret that is absent here gets no copy rendered (its Deployment still mounts the copy's name).
   */
  readonly secrets?: ReadonlyMap<Component, CopiedSecret>;
}
