// The ledger on a real PostgreSQL, as a real process: the database itself refuses every broken
// invariant (I1-I7, by SQL that bypasses the service), and the API keeps its promises: idempotent
// ids, two-phase transfers, expiry, flagged accounts, fencing of stale ledgers and replaced sites,
// standby read-only, and the change feed.
import pg from 'pg';
import { createTestDatabase, type ServiceProcess, type TestDatabase } from '@paygrid/workload-kit/testing';
import { checkInvariants } from './invariants.js';
import { call, ContractDir, ledgerContract, startLedger, writer } from './test-support/ledger-process.js';

const acct = { debitAccountId: 'card:tok1', creditAccountId: 'merchant:m-1', currency: 'EUR' };

describe('ledger on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let contract: ContractDir;
  let ledger: ServiceProcess;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('ledger');
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    contract = new ContractDir(ledgerContract());
    ledger = await startLedger(db.url, contract, { PAYGRID_EXPIRY_INTERVAL_MS: '100' });
    url = ledger.url;
  });

  afterAll(async () => {
    await ledger?.stop();
    await pool?.end();
    await db?.drop();
  });

  afterEach(async () => {
    expect(await checkInvariants(pool)).toEqual([]);
  });

  describe('the database enforces the invariants by itself', () => {
    beforeAll(async () => {
      expect(
        (
          await call(url, 'POST', '/v1/transfers', {
            ...acct,
            id: 'seed-h',
            type: 'pending',
            amountMinor: 500,
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await call(url, 'POST', '/v1/transfers', {
            ...acct,
            id: 'seed-v',
            type: 'void',
            pendingId: 'seed-h',
          })
        ).status,
      ).toBe(201);
      expect(
        (await call(url, 'POST', '/v1/transfers', { ...acct, id: 'seed-s', type: 'single', amountMinor: 70 }))
          .status,
      ).toBe(201);
    });

    const insert = (id: string, type: string, amount: number, extra = '') =>
      `INSERT INTO transfers (id, type, debit_account_id, credit_account_id, amount, currency, state, epoch, member, fingerprint${extra ? ', pending_id' : ''})
       VALUES ('${id}', '${type}', 'card:tok1', 'merchant:m-1', ${amount}, 'EUR', '${type === 'pending' ? 'pending' : 'posted'}', 3, 'sql', 'f'${extra ? `, '${extra}'` : ''})`;

    it.each([
      ['I1 a transfer id twice', insert('seed-s', 'single', 70), /duplicate key/],
      [
        'I2 a balance changed by hand',
        "UPDATE accounts SET debits_posted = 0 WHERE id = 'card:tok1'",
        /changes only through transfers/,
      ],
      [
        'I2 an account born with a balance',
        "INSERT INTO accounts (id, currency, credits_posted) VALUES ('gift', 'EUR', 100)",
        /zero balances/,
      ],
      [
        'I4 a second resolution of a pending transfer',
        insert('again', 'post', 500, 'seed-h'),
        /already voided|duplicate key/,
      ],
      ['I5 a transfer changed', "UPDATE transfers SET amount = 1 WHERE id = 'seed-s'", /immutable/],
      ['I5 a transfer deleted', "DELETE FROM transfers WHERE id = 'seed-s'", /never deleted/],
      ['I5 the transfers truncated', 'TRUNCATE transfers CASCADE', /never truncated/],
      [
        'I5 a voided pending set back to pending',
        "UPDATE transfers SET state = 'pending' WHERE id = 'seed-h'",
        /immutable/,
      ],
      ['I6 a fence lowered', "UPDATE fences SET epoch = 0 WHERE scope = 'ledger'", /only rises/],
      [
        'a transfer in another currency than its accounts (debit account first in id order)',
        insert('usd-1', 'single', 5).replace("'EUR'", "'USD'"),
        /differs from its accounts/,
      ],
      [
        'a transfer in another currency than its accounts (credit account first in id order)',
        insert('usd-2', 'single', 5)
          .replace("'card:tok1', 'merchant:m-1'", "'merchant:m-1', 'card:tok1'")
          .replace("'EUR'", "'USD'"),
        /differs from its accounts/,
      ],
      ['I7 a zero amount', insert('zero', 'single', 0), /check constraint/],
      [
        'I7 a fractional amount',
        insert('frac', 'single', 1.5).replace('1.5', "'1.5'"),
        /invalid input syntax for type bigint/,
      ],
    ])('refuses %s', async (_what, sql, message) => {
      await expect(pool.query(sql)).rejects.toThrow(message);
    });

    it('I3 refuses a transfer that takes a flagged account negative, even inserted by SQL', async () => {
      expect(
        (
          await call(url, 'POST', '/v1/accounts', {
            id: 'prepaid:1',
            currency: 'EUR',
            flags: { debitsMustNotExceedCredits: true },
          })
        ).status,
      ).toBe(201);
      await expect(
        pool.query(
          `INSERT INTO transfers (id, type, debit_account_id, credit_account_id, amount, currency, state, epoch, member, fingerprint)
           VALUES ('overdraw', 'single', 'prepaid:1', 'merchant:m-1', 1, 'EUR', 'posted', 3, 'sql', 'f')`,
        ),
      ).rejects.toThrow(/debits_within_credits/);
    });
  });

  it('books a hold once: the same id and content answers the first result, other content is a conflict', async () => {
    const hold = {
      ...acct,
      id: 'authz_idem',
      type: 'pending',
      amountMinor: 1250,
      metadata: { latencyMs: 3 },
    };
    const first = await call(url, 'POST', '/v1/transfers', hold);
    expect(first.status).toBe(201);
    const again = await call(url, 'POST', '/v1/transfers', {
      ...hold,
      metadata: { latencyMs: 40 },
      standIn: true,
    });
    expect(again.status).toBe(200);
    expect(again.body.transfer?.seq).toBe(first.body.transfer?.seq);
    const other = await call(url, 'POST', '/v1/transfers', { ...hold, amountMinor: 1251 });
    expect(other.status).toBe(409);
    expect(other.body.error?.reason).toBe('IdConflict');
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM transfers WHERE id = 'authz_idem'");
    expect(rows[0].n).toBe(1);
  });

  it('posts part of a hold and releases the rest; a second resolution is refused', async () => {
    await call(url, 'POST', '/v1/transfers', { ...acct, id: 'h2', type: 'pending', amountMinor: 1000 });
    const before = (await call(url, 'GET', '/v1/accounts/merchant:m-1')).body.account!;
    const post = await call(url, 'POST', '/v1/transfers', {
      ...acct,
      id: 'p2',
      type: 'post',
      pendingId: 'h2',
      amountMinor: 600,
    });
    expect(post.status).toBe(201);
    const after = (await call(url, 'GET', '/v1/accounts/merchant:m-1')).body.account!;
    expect(Number(after.creditsPostedMinor) - Number(before.creditsPostedMinor)).toBe(600);
    expect(Number(before.creditsPendingMinor) - Number(after.creditsPendingMinor)).toBe(1000);
    const voided = await call(url, 'POST', '/v1/transfers', {
      ...acct,
      id: 'v2',
      type: 'void',
      pendingId: 'h2',
    });
    expect(voided.status).toBe(422);
    expect(voided.body.error?.reason).toBe('PendingAlreadyResolved');
    expect((await call(url, 'GET', '/v1/transfers/h2')).body.transfer?.state).toBe('posted');
  });

  it('expires a hold past its timeout; it can then only stay expired', async () => {
    await call(url, 'POST', '/v1/transfers', {
      ...acct,
      id: 'h3',
      type: 'pending',
      amountMinor: 300,
      timeoutSeconds: 1,
    });
    let state = '';
    for (const t0 = Date.now(); Date.now() - t0 < 10_000 && state !== 'expired';) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await call(url, 'GET', '/v1/transfers/h3')).body.transfer?.state ?? '';
    }
    expect(state).toBe('expired');
    const post = await call(url, 'POST', '/v1/transfers', {
      ...acct,
      id: 'p3',
      type: 'post',
      pendingId: 'h3',
    });
    expect(post.status).toBe(422);
    expect(post.body.error?.reason).toBe('PendingAlreadyResolved');
  });

  it('keeps a flagged account from going negative through the API', async () => {
    await call(url, 'POST', '/v1/accounts', {
      id: 'prepaid:2',
      currency: 'EUR',
      flags: { debitsMustNotExceedCredits: true },
    });
    const fund = await call(url, 'POST', '/v1/transfers', {
      id: 'fund2',
      type: 'single',
      debitAccountId: 'bank:funding',
      creditAccountId: 'prepaid:2',
      amountMinor: 100,
      currency: 'EUR',
    });
    expect(fund.status).toBe(201);
    const spend = (id: string, amountMinor: number) =>
      call(url, 'POST', '/v1/transfers', {
        id,
        type: 'pending',
        debitAccountId: 'prepaid:2',
        creditAccountId: 'merchant:m-1',
        amountMinor,
        currency: 'EUR',
      });
    expect((await spend('s1', 100)).status).toBe(201);
    const over = await spend('s2', 1);
    expect(over.status).toBe(422);
    expect(over.body.error?.reason).toBe('InsufficientFunds');
  });

  it('fences a replaced site below the epoch that replaced it, but accepts its stand-in replays', async () => {
    const t = (id: string, extra = {}) => ({ ...acct, id, type: 'single', amountMinor: 5, ...extra });
    // edge-b (epoch 4) replaced edge-a.
    expect((await call(url, 'POST', '/v1/transfers', t('f1'), writer(4, 'edge-b', 'edge-a'))).status).toBe(
      201,
    );
    const stale = await call(url, 'POST', '/v1/transfers', t('f2'), writer(3, 'edge-a'));
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ reason: 'Fenced', fenceEpoch: 4 });
    expect(
      (await call(url, 'POST', '/v1/transfers', t('f3', { standIn: true }), writer(3, 'edge-a'))).status,
    ).toBe(201);
    // A site nobody replaced, still on the old epoch, keeps booking.
    expect((await call(url, 'POST', '/v1/transfers', t('f4'), writer(3, 'edge-c'))).status).toBe(201);
    // edge-a back at a newer epoch (failback) books again.
    expect((await call(url, 'POST', '/v1/transfers', t('f5'), writer(5, 'edge-a'))).status).toBe(201);
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM transfers WHERE id = 'f2'");
    expect(rows[0].n).toBe(0);
  });

  it('a stale ledger on the same database books nothing once a newer one wrote; a standby only reads', async () => {
    // A site nobody replaced, so only the ledger's own fence is in play.
    const site = writer(3, 'edge-c');
    const newer = new ContractDir(ledgerContract({ member: 'cloud-us', epoch: '7' }));
    const promoted = await startLedger(db.url, newer);
    try {
      expect(
        (
          await call(
            promoted.url,
            'POST',
            '/v1/transfers',
            {
              ...acct,
              id: 'n1',
              type: 'single',
              amountMinor: 9,
            },
            site,
          )
        ).status,
      ).toBe(201);
      const old = await call(
        url,
        'POST',
        '/v1/transfers',
        {
          ...acct,
          id: 'o1',
          type: 'single',
          amountMinor: 9,
        },
        site,
      );
      expect(old.status).toBe(409);
      expect(old.body.error).toMatchObject({ reason: 'Fenced', fenceEpoch: 7 });
      newer.write({ role: 'Standby' });
      let status = 0;
      for (const t0 = Date.now(); Date.now() - t0 < 5000 && status !== 503;) {
        status = (
          await call(
            promoted.url,
            'POST',
            '/v1/transfers',
            {
              ...acct,
              id: 'n2',
              type: 'single',
              amountMinor: 9,
            },
            site,
          )
        ).status;
        if (status !== 503) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(503);
      expect((await call(promoted.url, 'GET', '/v1/transfers/n1')).status).toBe(200);
    } finally {
      await promoted.stop();
      // The original ledger catches up to the epoch that replaced it (as the operator would set).
      contract.write({ epoch: '8' });
    }
    let status = 0;
    for (const t0 = Date.now(); Date.now() - t0 < 5000 && status !== 201;) {
      status = (
        await call(url, 'POST', '/v1/transfers', { ...acct, id: 'o2', type: 'single', amountMinor: 9 }, site)
      ).status;
      if (status !== 201) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(201);
  });

  it('answers a 400 naming the field and the missing fencing header, and books nothing', async () => {
    const bad = await call(url, 'POST', '/v1/transfers', {
      ...acct,
      id: 'bad1',
      type: 'single',
      amountMinor: 12.5,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ field: 'amountMinor', rule: 'positiveInteger' });
    const noEpoch = await call(
      url,
      'POST',
      '/v1/transfers',
      { ...acct, id: 'bad2', type: 'single', amountMinor: 1 },
      { 'paygrid-member': 'edge-a' },
    );
    expect(noEpoch.status).toBe(400);
    expect(noEpoch.body.error?.field).toBe('header:Paygrid-Epoch');
    const { rows } = await pool.query(
      "SELECT count(*)::int AS n FROM transfers WHERE id IN ('bad1', 'bad2')",
    );
    expect(rows[0].n).toBe(0);
  });

  it('serves the change feed in seq order, each event once, and wakes a long-poll on a commit', async () => {
    const all: number[] = [];
    let after = 0;
    for (;;) {
      const page = await call(url, 'GET', `/v1/events?after=${after}&limit=7`);
      const events = page.body.events ?? [];
      if (events.length === 0) break;
      all.push(...events.map((e) => e.seq));
      after = page.body.next!;
    }
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect(new Set(all).size).toBe(all.length);
    const { rows } = await pool.query(
      'SELECT (SELECT count(*) FROM transfers)::int + (SELECT count(*) FROM declines)::int AS n',
    );
    expect(all.length).toBe(rows[0].n);

    const t0 = Date.now();
    const waiting = call(url, 'GET', `/v1/events?after=${after}&timeoutSeconds=20`);
    await new Promise((r) => setTimeout(r, 200));
    await call(url, 'POST', '/v1/declines', {
      id: 'dec1',
      amountMinor: 5000,
      currency: 'EUR',
      reason: 'StandInFloorLimitExceeded',
    });
    const woke = await waiting;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(woke.body.events?.map((e) => e.kind)).toEqual(['decline']);
  });
});
