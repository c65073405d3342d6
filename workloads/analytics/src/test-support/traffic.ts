// Test support: authorization traffic written straight into the ledger over HTTP, as the
// authorization service writes it (holds with metadata, captures, reversals, declines, some
// requests sent twice like a retry), from a seeded generator so a failure can be replayed.

export const GATEWAYS = ['payments/checkout', 'payments/kiosk'] as const;
export const SITES = ['edge-a', 'edge-b', 'edge-c'] as const;
export const CURRENCIES = ['EUR', 'USD'] as const;
export const REASONS = ['FloorLimitExceeded', 'InsufficientFunds', 'StandInCountExceeded'] as const;
/** A card number that must never come out of analytics (it is put into one hold's metadata). */
export const TEST_PAN = '4111111111111111';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Step {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly member: string;
}

/** Each authorization is its steps in order (hold, then maybe a capture or reversal; or a decline). */
export function planTraffic(seed: number, first: number, count: number): Step[][] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const plans: Step[][] = [];
  for (let i = first; i < first + count; i++) {
    const gateway = pick(GATEWAYS);
    const site = pick(SITES);
    const currency = pick(CURRENCIES);
    const amountMinor = 1 + Math.floor(rand() * 50_000);
    const latencyMs = Math.floor(rand() * 120);
    if (rand() < 0.2) {
      plans.push([
        {
          path: '/v1/declines',
          member: site,
          body: {
            id: `decl_${seed}_${i}`,
            amountMinor,
            currency,
            reason: pick(REASONS),
            metadata: { gateway, site, latencyMs },
          },
        },
      ]);
      continue;
    }
    const id = `authz_${seed}_${i}`;
    const accounts = {
      debitAccountId: `card:tok${i % 37}-${currency}`,
      creditAccountId: `merchant:m-${i % 5}-${currency}`,
      currency,
    };
    const holdStep: Step = {
      path: '/v1/transfers',
      member: site,
      body: {
        id,
        type: 'pending',
        ...accounts,
        amountMinor,
        timeoutSeconds: 0,
        standIn: rand() < 0.1,
        metadata: {
          gateway,
          site,
          terminalId: `t-${i % 7}`,
          merchantId: `m-${i % 5}`,
          latencyMs,
          ...(i === first ? { note: TEST_PAN } : {}),
        },
      },
    };
    const steps = [holdStep];
    if (rand() < 0.1) steps.push(holdStep); // a retry: the ledger answers 200, no new event
    const r = rand();
    if (r < 0.5)
      steps.push({
        path: '/v1/transfers',
        member: site,
        body: {
          id: `cap_${seed}_${i}`,
          type: 'post',
          ...accounts,
          pendingId: id,
          amountMinor: rand() < 0.3 ? Math.max(1, Math.floor(amountMinor / 2)) : amountMinor,
          metadata: { gateway, site },
        },
      });
    else if (r < 0.75)
      steps.push({
        path: '/v1/transfers',
        member: site,
        body: {
          id: `rev_${seed}_${i}`,
          type: 'void',
          ...accounts,
          pendingId: id,
          metadata: { gateway, site },
        },
      });
    plans.push(steps);
  }
  return plans;
}

/** Sends the plans with `concurrency` clients; every step must be booked (201) or a duplicate (200). */
export async function sendTraffic(ledgerUrl: string, plans: Step[][], concurrency = 12): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plans.length) {
      const steps = plans[next++] as Step[];
      for (const s of steps) {
        const res = await fetch(ledgerUrl + s.path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'paygrid-epoch': '3', 'paygrid-member': s.member },
          body: JSON.stringify(s.body),
        });
        const text = await res.text();
        if (res.status !== 200 && res.status !== 201)
          throw new Error(
            `ledger answered ${res.status} to ${s.path} ${String(s.body.id)}: ${text.slice(0, 300)}`,
          );
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
