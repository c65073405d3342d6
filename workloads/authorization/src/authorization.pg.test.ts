// The authorization service and the ledger as real processes on a real PostgreSQL: online holds,
// captures and reversals land in the ledger; with the ledger stopped the site stands in within
// its limits and declines above them; when the ledger is back the journal drains and each
// stand-in approval is booked exactly once, also when the service is SIGKILLed mid-replay; a
// role change or a fence stops approvals without a restart. After each step the ledger's
// invariants hold, and no log line of either process holds a test PAN.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, queryText, type TestDatabase } from '@paygrid/workload-kit/testing';
import { authorizationContract } from './test-support/contract-volume.js';
import { ledgerViolations } from './test-support/ledger-invariants.js';
import {
  call,
  eventually,
  metric,
  startAuthorization,
  startLedger,
  type AuthorizationProcess,
} from './test-support/processes.js';

const VISA = '4111111111111111';
const MASTERCARD = '5555 5555 5555 4444';
const AMEX = '378282246310005';
const PANS = [VISA, MASTERCARD.replace(/ /g, ''), AMEX];

const LIMITS = {
  'stand-in-floor-limit-minor': '5000',
  'stand-in-max-offline-count': '4',
  'stand-in-max-offline-amount-minor': '10000',
  'stand-in-currency': 'EUR',
};

const payment = (amountMinor: number, pan = VISA, currency = 'EUR') => ({
  amountMinor,
  currency,
  card: { pan, expiry: '12/39' },
  merchantId: 'm-42',
  terminalId: 't-1',
});

describe('authorization with the ledger, as processes on PostgreSQL', () => {
  let db: TestDatabase;
  let ledger: Awaited<ReturnType<typeof startLedger>>;
  let authz: AuthorizationProcess;
  let base: string;

  const invariantsHold = async () => {
    const violations = await ledgerViolations(db.url);
    expect(violations).toEqual([]);
  };
  const ledgerTransfer = async (id: string) =>
    call(ledger.url, 'GET', `/v1/transfers/${encodeURIComponent(id)}`);
  const transferCount = async () => Number(await queryText(db.url, 'SELECT count(*) FROM transfers'));
  const authorize = (body: unknown, key = randomUUID()) =>
    call(base, 'POST', '/v1/authorizations', body, key);

  beforeAll(async () => {
    db = await createTestDatabase('authz');
    ledger = await startLedger(db.url);
    authz = await startAuthorization({ ...LIMITS, 'ledger-endpoint': ledger.url });
    base = authz.service.url;
  });

  afterAll(async () => {
    await authz?.service.stop('SIGKILL');
    await ledger?.stop('SIGKILL');
    authz?.volume.remove();
    ledger?.volume.remove();
    await db?.drop();
  });

  it('online: an approval is a pending hold, capture posts it (in part), reversal voids it', async () => {
    const key = randomUUID();
    const first = await authorize(payment(1250), key);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'approved',
      mode: 'online',
      state: 'authorized',
      card: { last4: '1111' },
    });
    const id = first.body.id as string;
    expect((await ledgerTransfer(id)).body.transfer).toMatchObject({
      type: 'pending',
      amountMinor: 1250,
      state: 'pending',
      debitAccountId: `card:${(first.body.card as { token: string }).token}`,
      creditAccountId: 'merchant:m-42',
      metadata: { gateway: 'payments/checkout', site: 'edge-a', terminalId: 't-1', merchantId: 'm-42' },
    });

    // The same key and body: the first answer again, nothing booked twice.
    const before = await transferCount();
    const again = await authorize(payment(1250), key);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await transferCount()).toBe(before);
    // The same key, another body: refused, says so.
    const reused = await authorize(payment(1251), key);
    expect(reused.status).toBe(409);
    expect(reused.body.error).toMatchObject({ reason: 'IdempotencyKeyReused' });

    const over = await call(
      base,
      'POST',
      `/v1/authorizations/${id}/capture`,
      { amountMinor: 1251 },
      randomUUID(),
    );
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ field: 'amountMinor', rule: 'atMostAuthorized' });
    const capture = await call(
      base,
      'POST',
      `/v1/authorizations/${id}/capture`,
      { amountMinor: 1000 },
      randomUUID(),
    );
    expect(capture.status).toBe(200);
    expect(capture.body).toMatchObject({ state: 'captured', capturedMinor: 1000 });
    expect((await ledgerTransfer(id)).body.transfer).toMatchObject({ state: 'posted' });
    expect((await call(base, 'GET', `/v1/authorizations/${id}`)).body).toMatchObject({ state: 'captured' });

    const second = await authorize(payment(700, MASTERCARD));
    const reversal = await call(
      base,
      'POST',
      `/v1/authorizations/${second.body.id as string}/reversal`,
      undefined,
      randomUUID(),
    );
    expect(reversal.status).toBe(200);
    expect(reversal.body).toMatchObject({ state: 'reversed' });
    expect((await ledgerTransfer(second.body.id as string)).body.transfer).toMatchObject({ state: 'voided' });
    await invariantsHold();
  });

  it('SIGKILL right after online approvals: each retry gets its approval back, booked once', async () => {
    const keys = Array.from({ length: 40 }, () => randomUUID());
    const answers = await Promise.all(keys.map((k) => authorize(payment(300), k)));
    // Killed the moment the last answer is in.
    await authz.service.stop('SIGKILL');
    expect(answers.map((a) => [a.status, a.body.mode])).toEqual(keys.map(() => [201, 'online']));
    const before = await transferCount();
    authz.service.start();
    await authz.service.waitReady();
    for (const [i, key] of keys.entries()) {
      const retry = await authorize(payment(300), key);
      expect(retry.status).toBe(201);
      expect(retry.body).toMatchObject({ id: answers[i]!.body.id, status: 'approved', mode: 'online' });
    }
    expect(await transferCount()).toBe(before);
    const capture = await call(
      base,
      'POST',
      `/v1/authorizations/${answers[0]!.body.id as string}/capture`,
      {},
      randomUUID(),
    );
    expect(capture.status).toBe(200);
    await invariantsHold();
  });

  it('bad input is a 400 naming the field and the rule, and books nothing', async () => {
    const before = await transferCount();
    const luhn = await authorize(payment(100, '4111111111111112'));
    expect(luhn.status).toBe(400);
    expect(luhn.body.error).toMatchObject({ reason: 'FieldValueInvalid', field: 'card.pan', rule: 'luhn' });
    const noKey = await call(base, 'POST', '/v1/authorizations', payment(100));
    expect(noKey.status).toBe(400);
    expect(noKey.body.error).toMatchObject({ field: 'Idempotency-Key', rule: 'required' });
    const expired = await authorize({ ...payment(100), card: { pan: VISA, expiry: '01/20' } });
    expect(expired.body.error).toMatchObject({ field: 'card.expiry', rule: 'notExpired' });
    expect(await transferCount()).toBe(before);
  });

  const standIn: { id: string; amountMinor: number }[] = [];
  let captured = '';
  let reversed = '';

  it('ledger stopped: stand-in approves within the limits (exactly at them) and declines above', async () => {
    expect(await ledger.stop('SIGTERM')).toBe(0);
    const expectDecision = async (amount: number, status: string, reason?: string, currency = 'EUR') => {
      const r = await authorize(payment(amount, AMEX, currency));
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ status, mode: 'standIn', ...(reason ? { declineReason: reason } : {}) });
      if (status === 'approved') standIn.push({ id: r.body.id as string, amountMinor: amount });
      return r;
    };
    await expectDecision(5000, 'approved'); // exactly the floor limit
    await expectDecision(5001, 'declined', 'StandInFloorLimitExceeded');
    await expectDecision(100, 'declined', 'StandInCurrencyNotAllowed', 'USD');
    await expectDecision(2000, 'approved');
    await expectDecision(2000, 'approved'); // 3 approvals, 9000
    await expectDecision(1001, 'declined', 'StandInOfflineAmountExceeded'); // would be 10001
    await expectDecision(1000, 'approved'); // exactly 10000, 4 approvals
    await expectDecision(1, 'declined', 'StandInOfflineCountExceeded');
    expect(await metric(base, 'paygrid_authorization_offline_count', 'currency="EUR"')).toBe(4);
    expect(await metric(base, 'paygrid_authorization_offline_amount_minor', 'currency="EUR"')).toBe(10000);

    // Capture one and reverse another while still offline: journaled after their holds.
    captured = standIn[1]!.id;
    reversed = standIn[2]!.id;
    const c = await call(
      base,
      'POST',
      `/v1/authorizations/${captured}/capture`,
      { amountMinor: 1500 },
      randomUUID(),
    );
    expect(c).toMatchObject({ status: 200, body: { state: 'captured', capturedMinor: 1500 } });
    const r = await call(base, 'POST', `/v1/authorizations/${reversed}/reversal`, {}, randomUUID());
    expect(r).toMatchObject({ status: 200, body: { state: 'reversed' } });
    const queued = (name: string, kind: string) => metric(base, name, `kind="${kind}",currency="EUR"`);
    expect(await queued('paygrid_authorization_journal_queued', 'post')).toBe(1);
    expect(await queued('paygrid_authorization_journal_queued_amount_minor', 'post')).toBe(1500);
    expect(await queued('paygrid_authorization_journal_queued', 'void')).toBe(1);
    expect(await queued('paygrid_authorization_journal_queued_amount_minor', 'void')).toBe(2000);
  });

  it('ledger back: the journal drains and each stand-in approval is booked exactly once', async () => {
    ledger.start();
    await ledger.waitReady(30_000);
    await eventually(
      'the journal to drain',
      async () => (await metric(base, 'paygrid_authorization_offline_count', 'currency="EUR"')) === 0,
    );
    await eventually(
      'the captures and reversals to drain',
      async () =>
        !(await (await fetch(`${base}/metrics`)).text()).includes('paygrid_authorization_journal_queued{'),
    );
    const ids = standIn.map((s) => `'${s.id}'`).join(',');
    expect(
      await queryText(db.url, `SELECT count(*) FROM transfers WHERE id IN (${ids}) AND type = 'pending'`),
    ).toBe('4');
    expect((await ledgerTransfer(standIn[0]!.id)).body.transfer).toMatchObject({
      state: 'pending',
      amountMinor: 5000,
    });
    expect((await ledgerTransfer(captured)).body.transfer).toMatchObject({ state: 'posted' });
    expect((await ledgerTransfer(reversed)).body.transfer).toMatchObject({ state: 'voided' });
    // The card's balances add up to each approval once: 5000 + 1000 pending, 1500 posted.
    const token = (await call(base, 'GET', `/v1/authorizations/${standIn[0]!.id}`)).body.card as {
      token: string;
    };
    const account = await call(
      ledger.url,
      'GET',
      `/v1/accounts/${encodeURIComponent(`card:${token.token}`)}`,
    );
    expect(account.body.account ?? account.body).toMatchObject({
      debitsPendingMinor: 6000,
      debitsPostedMinor: 1500,
    });
    // Back online: new approvals are online again.
    await eventually('online approvals', async () => (await authorize(payment(10))).body.mode === 'online');
    await invariantsHold();
  });

  it('SIGKILL during replay, restart: every stand-in approval still booked exactly once', async () => {
    authz.volume.publish(
      authorizationContract({
        ...LIMITS,
        'ledger-endpoint': ledger.url,
        'stand-in-max-offline-count': '1000',
        'stand-in-max-offline-amount-minor': '1000000',
      }),
    );
    expect(await ledger.stop('SIGTERM')).toBe(0);
    const ids: string[] = [];
    for (let wave = 0; wave < 12; wave++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => authorize(payment(100, MASTERCARD))),
      );
      for (const a of answers) {
        expect(a.body).toMatchObject({ status: 'approved', mode: 'standIn' });
        ids.push(a.body.id as string);
      }
    }
    expect(await metric(base, 'paygrid_authorization_offline_count', 'currency="EUR"')).toBe(600);
    const forwardedBefore = await metric(base, 'paygrid_authorization_replayed_total', 'result="forwarded"');
    ledger.start();
    await ledger.waitReady(30_000);
    // Kill it once the replay forwarded some but not all.
    await eventually(
      'the replay to start',
      async () =>
        (await metric(base, 'paygrid_authorization_replayed_total', 'result="forwarded"')) > forwardedBefore,
      15_000,
    );
    const offlineAtKill = await metric(base, 'paygrid_authorization_offline_count', 'currency="EUR"');
    await authz.service.stop('SIGKILL');
    expect(offlineAtKill).toBeGreaterThan(0);
    const bookedAtKill = Number(
      await queryText(
        db.url,
        `SELECT count(*) FROM transfers WHERE id IN (${ids.map((i) => `'${i}'`).join(',')})`,
      ),
    );
    expect(bookedAtKill).toBeGreaterThan(0);
    expect(bookedAtKill).toBeLessThan(600);

    authz.service.start();
    await authz.service.waitReady();
    await eventually(
      'the journal to drain after the restart',
      async () => (await metric(base, 'paygrid_authorization_offline_count', 'currency="EUR"')) === 0,
      20_000,
    );
    const list = ids.map((i) => `'${i}'`).join(',');
    expect(
      await queryText(
        db.url,
        `SELECT count(*), count(DISTINCT id), sum(amount) FROM transfers WHERE id IN (${list})`,
      ),
    ).toBe('600|600|60000');
    // An answer given before the crash is still the answer after it.
    const first = await call(base, 'GET', `/v1/authorizations/${ids[0]!}`);
    expect(first.body).toMatchObject({ status: 'approved', mode: 'standIn' });
    await invariantsHold();
  }, 90_000);

  it('a role change in the contract stops approvals (503 NotServing) without a restart, and back', async () => {
    authz.volume.publish(
      authorizationContract({ ...LIMITS, 'ledger-endpoint': ledger.url, role: 'Draining' }),
    );
    await eventually('NotServing', async () => (await authorize(payment(100))).status === 503);
    const refused = await authorize(payment(100));
    expect(refused.body.error).toMatchObject({ reason: 'NotServing' });
    const ready = await call(base, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.stringify(ready.body)).toContain('NotServing');
    authz.volume.publish(authorizationContract({ ...LIMITS, 'ledger-endpoint': ledger.url, role: 'Active' }));
    await eventually('serving again', async () => (await authorize(payment(100))).status === 201);
    await invariantsHold();
  });

  it('fenced by the ledger (a newer placement replaced this site): 503 Fenced until a newer epoch', async () => {
    // The failover target edge-b, at epoch 4, names edge-a as the member it replaced.
    const res = await fetch(`${ledger.url}/v1/declines`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'paygrid-epoch': '4',
        'paygrid-member': 'edge-b',
        'paygrid-replaced-member': 'edge-a',
      },
      body: JSON.stringify({
        id: `authz_fence_${randomUUID()}`,
        amountMinor: 1,
        currency: 'EUR',
        reason: 'Test',
        metadata: {},
      }),
    });
    expect(res.status).toBeLessThan(300);
    const hold = await fetch(`${ledger.url}/v1/transfers`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'paygrid-epoch': '4',
        'paygrid-member': 'edge-b',
        'paygrid-replaced-member': 'edge-a',
      },
      body: JSON.stringify({
        id: `authz_fence_${randomUUID().replace(/-/g, '')}`,
        type: 'pending',
        debitAccountId: 'card:fence',
        creditAccountId: 'merchant:m-42',
        amountMinor: 1,
        currency: 'EUR',
        metadata: {},
      }),
    });
    expect(hold.status).toBe(201);
    const fenced = await authorize(payment(100));
    expect(fenced.status).toBe(503);
    expect(fenced.body.error).toMatchObject({ reason: 'Fenced' });
    expect((await authorize(payment(100))).body.error).toMatchObject({ reason: 'Fenced' });
    expect((await call(base, 'GET', '/readyz')).status).toBe(503);
    authz.volume.publish(
      authorizationContract({
        ...LIMITS,
        'ledger-endpoint': ledger.url,
        epoch: '4',
        'replaced-member': 'edge-c',
      }),
    );
    await eventually('approving at epoch 4', async () => (await authorize(payment(100))).status === 201);
    await invariantsHold();
  });

  it('a site that names a Lost member in fenced-members gets that member fenced: its old-epoch holds are refused', async () => {
    // The slot went home to this site after its stand-in edge-y was lost: nothing names edge-y as
    // replaced, so only fenced-members keeps a cut-off edge-y (still reaching the ledger) from booking.
    const hold = (member: string, epoch: string) =>
      fetch(`${ledger.url}/v1/transfers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'paygrid-epoch': epoch, 'paygrid-member': member },
        body: JSON.stringify({
          id: `authz_lost_${randomUUID().replace(/-/g, '')}`,
          type: 'pending',
          debitAccountId: 'card:lost',
          creditAccountId: 'merchant:m-42',
          amountMinor: 1,
          currency: 'EUR',
          metadata: {},
        }),
      });
    // Before: nothing fences edge-y.
    expect((await hold('edge-y', '5')).status).toBe(201);
    authz.volume.publish(
      authorizationContract({
        ...LIMITS,
        'ledger-endpoint': ledger.url,
        epoch: '6',
        'replaced-member': 'edge-c',
        'fenced-members': 'edge-y',
      }),
    );
    // Once the site runs on the new contract, its next approval raises edge-y's fence.
    let refused: Response | undefined;
    await eventually('edge-y fenced by the site', async () => {
      expect((await authorize(payment(100))).status).toBe(201);
      refused = await hold('edge-y', '5');
      return refused.status === 409;
    });
    expect(JSON.stringify(await refused!.json())).toContain('Fenced');
    // A newer epoch for edge-y (it serves again) passes.
    expect((await hold('edge-y', '6')).status).toBe(201);
    await invariantsHold();
  });

  it('no test PAN in any log line of either process; SIGTERM stops cleanly', async () => {
    expect(await authz.service.stop('SIGTERM')).toBe(0);
    const logs = authz.service.logs() + ledger.logs();
    expect(authz.service.logs()).toContain('journal open');
    for (const pan of PANS) expect(logs).not.toContain(pan);
  });
});
