// The stand-in decision, pure: may this site approve a payment alone, given the contract's limits
// and what it already approved alone and has not yet forwarded to the ledger? Exactly at a limit
// is allowed; one minor unit (or one approval) above is declined, with the limit's reason.
import type { StandInLimits } from '@paygrid/workload-kit';

export interface OfflineExposure {
  /** Stand-in approvals not yet acknowledged by the ledger. */
  readonly count: number;
  /** Their total, in minor units of the limits' currency. */
  readonly amountMinor: number;
}

export type StandInDeclineReason =
  | 'StandInCurrencyNotAllowed'
  | 'StandInFloorLimitExceeded'
  | 'StandInOfflineCountExceeded'
  | 'StandInOfflineAmountExceeded';

export type StandInDecision =
  | { readonly approve: true }
  | { readonly approve: false; readonly reason: StandInDeclineReason; readonly message: string };

export function decideStandIn(
  limits: StandInLimits,
  exposure: OfflineExposure,
  payment: { readonly amountMinor: number; readonly currency: string },
): StandInDecision {
  if (payment.currency !== limits.currency)
    return {
      approve: false,
      reason: 'StandInCurrencyNotAllowed',
      message: `the ledger is unreachable and this site approves alone only in ${limits.currency}`,
    };
  if (payment.amountMinor > limits.floorLimitMinor)
    return {
      approve: false,
      reason: 'StandInFloorLimitExceeded',
      message: `the ledger is unreachable and ${payment.amountMinor} is above the stand-in floor limit ${limits.floorLimitMinor}`,
    };
  if (exposure.count + 1 > limits.maxOfflineCount)
    return {
      approve: false,
      reason: 'StandInOfflineCountExceeded',
      message: `the ledger is unreachable and this site already holds ${exposure.count} unforwarded stand-in approvals (limit ${limits.maxOfflineCount})`,
    };
  if (exposure.amountMinor + payment.amountMinor > limits.maxOfflineAmountMinor)
    return {
      approve: false,
      reason: 'StandInOfflineAmountExceeded',
      message: `the ledger is unreachable and this site's unforwarded stand-in total would exceed ${limits.maxOfflineAmountMinor}`,
    };
  return { approve: true };
}
