// What a terminal does next, as pure functions of what it saw: which endpoint to try, whether an
// attempt's outcome is final, worth repeating at the same site (same Idempotency-Key) or a reason
// to fall to the next route, and what to do with an approval (capture, reverse, leave it).
import type { Random } from './prng.js';

/** How one HTTP attempt ended. `unreachable`: refused, reset, closed before an answer. */
export type AttemptOutcome =
  | { readonly kind: 'answered'; readonly status: number; readonly reason?: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'unreachable'; readonly code: string };

export type NextStep = 'final' | 'retrySame' | 'nextRoute';

/** 503 reasons that say this site will not serve now (another route does): go on at once. */
const SITE_NOT_SERVING = new Set(['NotServing', 'Fenced', 'NotReady', 'ContractNotLoaded']);

/**
 * Whether to stop, repeat at the same endpoint, or go to the next route. A timeout is ambiguous
 * (the site may have decided), so it is repeated with the same key up to `maxSameSite` attempts
 * there; the key makes the repeat safe at any site anyway.
 */
export function nextStep(outcome: AttemptOutcome, attemptsHere: number, maxSameSite: number): NextStep {
  const again: NextStep = attemptsHere < maxSameSite ? 'retrySame' : 'nextRoute';
  switch (outcome.kind) {
    case 'unreachable':
      return 'nextRoute';
    case 'timeout':
      return again;
    case 'answered': {
      const { status, reason } = outcome;
      if (status < 500 && status !== 429) return 'final';
      if (status === 503 && reason !== undefined && SITE_NOT_SERVING.has(reason)) return 'nextRoute';
      return again;
    }
  }
}

export interface RouteLike {
  readonly endpoint: string;
  readonly priority: number;
}

/** The first route, by priority, that this payment has not given up on; undefined when none is left. */
export function pickEndpoint(routes: readonly RouteLike[], failed: ReadonlySet<string>): string | undefined {
  return [...routes].sort((a, b) => a.priority - b.priority).find((r) => !failed.has(r.endpoint))?.endpoint;
}

export type FollowUp =
  | { readonly kind: 'none' }
  | { readonly kind: 'capture'; readonly amountMinor: number }
  | { readonly kind: 'reverse' };

export interface FollowUpShares {
  /** Share of approvals captured (0..1). */
  readonly capture: number;
  /** Share of approvals reversed (0..1; capture + reverse <= 1). */
  readonly reverse: number;
  /** Share of captures that take less than the authorized amount (0..1). */
  readonly partial: number;
}

/** What to do with an approval of `amountMinor`: two draws from the terminal's seeded PRNG. */
export function chooseFollowUp(random: Random, shares: FollowUpShares, amountMinor: number): FollowUp {
  const u = random();
  const v = random();
  if (u < shares.capture) {
    // A partial capture keeps at least 1 minor unit and releases the rest (a tip-less bill split).
    const partial = v < shares.partial && amountMinor > 1;
    return { kind: 'capture', amountMinor: partial ? Math.max(1, Math.floor(amountMinor / 2)) : amountMinor };
  }
  if (u < shares.capture + shares.reverse) return { kind: 'reverse' };
  return { kind: 'none' };
}

/** Terminals send only to this machine unless told otherwise: a route elsewhere is refused, never contacted. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** An IPv4 address as a 32-bit number, or undefined when `s` is not one. */
function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

/** Whether `cidr` is an IPv4 network such as 10.88.0.0/16 (the form --allow-network takes). */
export function isIpv4Cidr(cidr: string): boolean {
  const [addr, bits, extra] = cidr.split('/');
  return (
    extra === undefined &&
    addr !== undefined &&
    ipv4(addr) !== undefined &&
    bits !== undefined &&
    /^\d{1,2}$/.test(bits) &&
    Number(bits) <= 32
  );
}

/**
 * Loopback, or an IPv4 host inside one of `networks` (CIDRs the caller allowed on purpose, such
 * as the real-node testbed's 10.88.0.0/16): nothing else is ever contacted.
 */
export function isAllowedTarget(url: string, networks: readonly string[] = []): boolean {
  if (isLoopbackUrl(url)) return true;
  let host: number | undefined;
  try {
    host = ipv4(new URL(url).hostname);
  } catch {
    return false;
  }
  if (host === undefined) return false;
  return networks.some((cidr) => {
    if (!isIpv4Cidr(cidr)) return false;
    const [addr, bits] = cidr.split('/');
    const size = 2 ** (32 - Number(bits));
    return Math.floor(host / size) === Math.floor(ipv4(addr!)! / size);
  });
}

/** Start time of payment `n` (0-based) at a fixed rate: a terminal that fell behind does not burst. */
export function dueAt(startMs: number, n: number, ratePerSecond: number, previousEndMs: number): number {
  return Math.max(startMs + (n * 1000) / ratePerSecond, previousEndMs);
}
