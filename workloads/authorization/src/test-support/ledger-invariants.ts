// Test support: the ledger's own invariants checker (workloads/ledger/src/invariants.ts), loaded at
// run time because it lives outside this package's rootDir; jest compiles it like our sources.
const INVARIANTS_MODULE = '../../../ledger/src/invariants.js';

/** The ledger's invariant violations on the database at `url` (empty when all hold). */
export async function ledgerViolations(url: string): Promise<unknown[]> {
  const mod = (await import(INVARIANTS_MODULE)) as { checkInvariants: (url: string) => Promise<unknown> };
  const result = await mod.checkInvariants(url);
  if (Array.isArray(result)) return result;
  const violations = (result as { violations?: unknown[] } | undefined)?.violations;
  if (Array.isArray(violations)) return violations;
  throw new Error(`unexpected answer from checkInvariants: ${JSON.stringify(result).slice(0, 200)}`);
}
