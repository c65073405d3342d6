// Crash safety: many clients book random transfers concurrently (holds, partial captures, voids,
// single transfers, repeated sends of the same id) while the ledger process is SIGKILLed again and
// again mid-batch and restarted. Clients retry every unanswered request by id, as the
// authorization service does. Afterwards: the invariants hold, every acknowledged transfer is in
// the books exactly once with its content, nothing refused is in them, nothing is half-applied.
import pg from 'pg';
import { createTestDatabase, type ServiceProcess, type TestDatabase } from '@paygrid/workload-kit/testing';
import { checkInvariants } from './invariants.js';
import { call, ContractDir, ledgerContract, startLedger } from './test-support/ledger-process.js';

const CLIENTS = 16;
const PER_CLIENT = 120;
const KILLS = 5;
/** Clients keep sending past PER_CLIENT until this many kills happened: a fast ledger must still be killed mid-traffic. */
const MIN_KILLS = 2;
const DEADLINE_MS = 60_000;

/** Small deterministic PRNG (mulberry32): a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sent {
  readonly id: string;
  readonly body: Record<string, unknown>;
  status?: number;
  amount?: number;
}

describe('ledger under SIGKILL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let ledger: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase('ledger_crash');
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    ledger = await startLedger(db.url, new ContractDir(ledgerContract()));
  });

  afterAll(async () => {
    await ledger?.stop();
    await pool?.end();
    await db?.drop();
  });

  it('loses no acknowledged transfer, applies none twice, and keeps debits = credits', async () => {
    const seed = Number(process.env.PAYGRID_TEST_SEED ?? Date.now() % 1_000_000);
    console.log(`ledger crash test seed ${seed} (PAYGRID_TEST_SEED to replay)`);
    const deadline = Date.now() + DEADLINE_MS;
    const sent: Sent[] = [];
    let kills = 0;
    let running = true;

    /** Sends until the ledger gives a decision (not a network error or a 503). */
    async function decide(s: Sent, random: () => number): Promise<void> {
      while (Date.now() < deadline) {
        try {
          const a = await call(ledger.url, 'POST', '/v1/transfers', s.body);
          if (a.status !== 503) {
            s.status = a.status;
            s.amount = a.body.transfer?.amountMinor;
            // Sometimes send a decided request again: it must answer the same, and book nothing more.
            if (random() < 0.1 && (a.status === 201 || a.status === 200)) {
              const again = await call(ledger.url, 'POST', '/v1/transfers', s.body).catch(() => undefined);
              if (again && again.status !== 503) expect(again.status).toBe(200);
            }
            return;
          }
        } catch {
          // connection refused or reset: the ledger is down; retry the same id
        }
        await new Promise((r) => setTimeout(r, 20 + random() * 60));
      }
      throw new Error(`transfer ${s.id} undecided at the deadline`);
    }

    async function client(n: number): Promise<void> {
      const random = prng(seed * 31 + n);
      const holds: { id: string; amount: number }[] = [];
      const accounts = {
        debitAccountId: `card:c${n}`,
        creditAccountId: `merchant:m${n % 3}`,
        currency: 'EUR',
      };
      for (let i = 0; (i < PER_CLIENT || kills < MIN_KILLS) && Date.now() < deadline; i++) {
        const id = `c${n}-${i}`;
        const roll = random();
        let body: Record<string, unknown>;
        if (roll < 0.45 || holds.length === 0) {
          const amount = 1 + Math.floor(random() * 10_000);
          body = { ...accounts, id, type: 'pending', amountMinor: amount };
          const s: Sent = { id, body };
          sent.push(s);
          await decide(s, random);
          if (s.status === 201 || s.status === 200) holds.push({ id, amount });
          continue;
        }
        if (roll < 0.8) {
          const h = holds.splice(Math.floor(random() * holds.length), 1)[0]!;
          body =
            random() < 0.5
              ? {
                  ...accounts,
                  id,
                  type: 'post',
                  pendingId: h.id,
                  amountMinor: 1 + Math.floor(random() * h.amount),
                }
              : { ...accounts, id, type: 'void', pendingId: h.id };
        } else {
          body = { ...accounts, id, type: 'single', amountMinor: 1 + Math.floor(random() * 500) };
        }
        const s: Sent = { id, body };
        sent.push(s);
        await decide(s, random);
      }
    }

    async function killer(): Promise<void> {
      const random = prng(seed);
      while (running && kills < KILLS && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 300 + random() * 500));
        if (!running) break;
        await ledger.stop('SIGKILL');
        kills++;
        ledger.start();
        await ledger.waitReady(30_000);
      }
    }

    const k = killer();
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
    running = false;
    await k;

    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(await checkInvariants(pool)).toEqual([]);

    const { rows } = await pool.query<{ id: string; amount: string; type: string }>(
      "SELECT id, amount, type FROM transfers WHERE id LIKE 'c%-%'",
    );
    const booked = new Map(rows.map((r) => [r.id, r]));
    expect(booked.size).toBe(rows.length);
    const acknowledged = sent.filter((s) => s.status === 201 || s.status === 200);
    const refused = sent.filter((s) => s.status !== 201 && s.status !== 200);
    for (const s of acknowledged) {
      const row = booked.get(s.id);
      expect(row).toBeDefined();
      expect(Number(row!.amount)).toBe(s.amount);
      expect(row!.type).toBe(s.body.type);
    }
    for (const s of refused) {
      expect(s.status).toBe(422);
      expect(booked.has(s.id)).toBe(false);
    }
    // Every id a client ever sent was decided; the books hold exactly the acknowledged ones.
    expect(booked.size).toBe(acknowledged.length);
    expect(acknowledged.length).toBeGreaterThan(CLIENTS * PER_CLIENT * 0.9);
  });
});
