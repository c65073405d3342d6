// Test support: the ledger's own invariants checker (workloads/ledger/src/invariants.ts), loaded at
// run time because it lives outside this package's rootDir; jest compiles it like our sources.
import pg from 'pg';

const INVARIANTS_MODULE = '../../../ledger/src/invariants.js';

/** The ledger's invariant violations on the database at `url` (empty when all hold). */
export async function ledgerViolations(url: string): Promise<string[]> {
  const mod = (await import(INVARIANTS_MODULE)) as {
    checkInvariants: (pool: Pick<pg.Pool, 'query'>) => Promise<string[]>;
  };
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    return await mod.checkInvariants(pool);
  } finally {
    await pool.end();
  }
}
