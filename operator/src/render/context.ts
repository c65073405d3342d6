// What the renderer needs to know besides the gateway and its placements.
import type { MemberView } from '../placement/types.js';

export interface RenderContext {
  /** The member the objects are for. */
  readonly member: Pick<MemberView, 'name' | 'kind' | 'region' | 'zone'>;
  /** The gateway's epoch (the new one, when placement just changed): the fencing token. */
  readonly epoch: number;
  /**
   * Base URL of the serving ledger as reached from edge sites (the primary CloudCluster's
   * spec.endpoint, or the promoted standby's). Authorization gets it in its ConfigMap.
   */
  readonly ledgerEndpoint?: string;
}
