// Whether this site may approve new authorizations, pure: the contract must be loaded, its role
// must serve traffic (Active or FailoverTarget), and the ledger must not have fenced this site at
// the epoch it still holds. A fence lifts only when the contract shows a newer epoch than the one
// the ledger refused. Captures, reversals and the journal's replay are not gated by this.
import { servesTraffic, type Contract } from '@paygrid/workload-kit';

export type ServingState =
  | { readonly serving: true }
  | {
      readonly serving: false;
      readonly reason: 'ContractNotLoaded' | 'NotServing' | 'Fenced';
      readonly message: string;
    };

export function servingState(
  contract: Contract | undefined,
  fencedAtEpoch: number | undefined,
): ServingState {
  if (contract === undefined)
    return {
      serving: false,
      reason: 'ContractNotLoaded',
      message: 'the placement contract has not been read yet',
    };
  if (!servesTraffic(contract.role))
    return {
      serving: false,
      reason: 'NotServing',
      message: `this site's role is ${contract.role}; another site serves this gateway`,
    };
  if (fencedAtEpoch !== undefined && contract.epoch <= fencedAtEpoch)
    return {
      serving: false,
      reason: 'Fenced',
      message: `the ledger fenced this site at epoch ${fencedAtEpoch}; a newer placement replaced it`,
    };
  return { serving: true };
}
