// The stand-in limits, checked from outside, pure: every stand-in approval a terminal received is
// within the gateway's per-payment limits (floor limit, currency), and no site ever had more
// stand-in approvals outstanding — approved, not yet booked by the ledger — than its count and
// amount limits allow.
//
// "Outstanding" is measured from the terminal's answer time to the ledger's commit time of the
// hold. The site counts an approval from its journal write (before the answer) until the ledger's
// acknowledgement (after the commit), so what is measured here is never more than what the site
// held: a peak above a limit is a real breach, never a false alarm.

export interface StandInLimits {
  readonly floorLimitMinor: number;
  readonly maxOfflineCount: number;
  readonly maxOfflineAmountMinor: number;
  readonly currency: string;
}

export interface StandInApproval {
  /** The authorization id (the ledger's hold id). */
  readonly authId: string;
  /** The site's endpoint that approved it. */
  readonly site: string;
  /** When the terminal got the answer (ms). */
  readonly answeredAtMs: number;
  readonly amountMinor: number;
  readonly currency: string;
  /** When the ledger committed its hold (ms); undefined when it is not booked. */
  readonly bookedAtMs?: number;
}

export interface SiteExposure {
  readonly site: string;
  readonly approvals: number;
  /** Most stand-in approvals outstanding at once. */
  readonly peakCount: number;
  /** Most stand-in amount outstanding at once (minor units). */
  readonly peakAmountMinor: number;
}

export interface StandInLimitsReport {
  readonly sites: SiteExposure[];
  /** Each breach: what it is about (an authorization id or a site) and in words. */
  readonly breaches: { subject: string; detail: string }[];
}

/** Per site, the peaks of what was outstanding, and every breach of the limits. */
export function checkStandInLimits(
  approvals: readonly StandInApproval[],
  limits: StandInLimits,
): StandInLimitsReport {
  const breaches: { subject: string; detail: string }[] = [];
  const bySite = new Map<string, StandInApproval[]>();
  for (const a of approvals) {
    if (a.amountMinor > limits.floorLimitMinor)
      breaches.push({
        subject: a.authId,
        detail: `${a.authId} at ${a.site}: stand-in approval of ${a.amountMinor} above the floor limit ${limits.floorLimitMinor}`,
      });
    if (a.currency !== limits.currency)
      breaches.push({
        subject: a.authId,
        detail: `${a.authId} at ${a.site}: stand-in approval in ${a.currency}, the limits are in ${limits.currency}`,
      });
    bySite.set(a.site, [...(bySite.get(a.site) ?? []), a]);
  }
  const sites: SiteExposure[] = [];
  for (const [site, list] of [...bySite].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    // +1 at the answer, -1 at the booking; a hold booked before the answer (the ledger had it
    // online and the answer was lost) was never outstanding. At equal times, bookings first.
    const events: { t: number; count: number; amount: number }[] = [];
    for (const a of list) {
      const end = a.bookedAtMs ?? Number.POSITIVE_INFINITY;
      if (end <= a.answeredAtMs) continue;
      events.push({ t: a.answeredAtMs, count: 1, amount: a.amountMinor });
      if (Number.isFinite(end)) events.push({ t: end, count: -1, amount: -a.amountMinor });
    }
    events.sort((x, y) => x.t - y.t || x.count - y.count);
    let count = 0;
    let amount = 0;
    let peakCount = 0;
    let peakAmountMinor = 0;
    for (const e of events) {
      count += e.count;
      amount += e.amount;
      peakCount = Math.max(peakCount, count);
      peakAmountMinor = Math.max(peakAmountMinor, amount);
    }
    if (peakCount > limits.maxOfflineCount)
      breaches.push({
        subject: site,
        detail: `${site}: ${peakCount} stand-in approvals outstanding at once, above ${limits.maxOfflineCount}`,
      });
    if (peakAmountMinor > limits.maxOfflineAmountMinor)
      breaches.push({
        subject: site,
        detail: `${site}: ${peakAmountMinor} outstanding in stand-in approvals at once, above ${limits.maxOfflineAmountMinor}`,
      });
    sites.push({ site, approvals: list.length, peakCount, peakAmountMinor });
  }
  return { sites, breaches };
}
