import { checkFleetOptions, countRecord, emptyStats, type FleetOptions } from './fleet.js';
import type { ResultRecord } from './results.js';

const options: FleetOptions = {
  routesUrl: 'http://127.0.0.1:8082',
  namespace: 'payments',
  name: 'checkout',
  terminals: 4,
  ratePerSecond: 5,
  maxPayments: 100,
  durationMs: 10_000,
  resultFile: '/tmp/x.jsonl',
};

describe('checkFleetOptions', () => {
  it('accepts a sound fleet', () => {
    expect(() => checkFleetOptions(options)).not.toThrow();
  });

  it('refuses a non-loopback target and out-of-bounds values, naming the option', () => {
    expect(() => checkFleetOptions({ ...options, routesUrl: 'http://10.1.2.3:8082' })).toThrow(
      /^routesUrl must be a loopback/,
    );
    expect(() => checkFleetOptions({ ...options, terminals: 0 })).toThrow(/^terminals must be an integer/);
    expect(() => checkFleetOptions({ ...options, terminals: 5000 })).toThrow(/^terminals/);
    expect(() => checkFleetOptions({ ...options, ratePerSecond: 0 })).toThrow(/^ratePerSecond/);
    expect(() => checkFleetOptions({ ...options, maxPayments: 1.5 })).toThrow(/^maxPayments/);
    expect(() => checkFleetOptions({ ...options, captureShare: 0.9, reverseShare: 0.2 })).toThrow(
      /^captureShare \+ reverseShare/,
    );
    expect(() => checkFleetOptions({ ...options, currency: 'eur' })).toThrow(/^currency/);
    expect(() => checkFleetOptions({ ...options, amountMinMinor: 10, amountMaxMinor: 5 })).toThrow(
      /^amountMinMinor/,
    );
    expect(() => checkFleetOptions({ ...options, namespace: 'Payments' })).toThrow(/^namespace/);
  });

  it('takes a non-loopback target only inside a network allowed on purpose, and names a bad one', () => {
    const testbed = { ...options, routesUrl: 'http://10.88.1.1:8082' };
    expect(() => checkFleetOptions({ ...testbed, allowNetworks: ['10.88.0.0/16'] })).not.toThrow();
    expect(() => checkFleetOptions({ ...testbed, allowNetworks: ['10.89.0.0/16'] })).toThrow(/^routesUrl/);
    expect(() => checkFleetOptions({ ...testbed, allowNetworks: ['10.88.0.0'] })).toThrow(
      /^allowNetworks entry "10.88.0.0" must be an IPv4 CIDR/,
    );
  });
});

describe('countRecord', () => {
  const rec = (over: Partial<ResultRecord>): ResultRecord => ({
    at: '',
    gateway: 'payments/checkout',
    terminal: 't-1',
    op: 'authorize',
    key: 'k',
    attempt: 1,
    endpoint: 'http://127.0.0.1:1',
    status: 201,
    amountMinor: 1,
    currency: 'EUR',
    last4: '1111',
    latencyMs: 1,
    ...over,
  });

  it('counts approvals by mode and endpoint, declines, unanswered attempts, captures and give-ups', () => {
    const s = emptyStats();
    countRecord(s, rec({ decision: 'approved', mode: 'online' }));
    countRecord(s, rec({ decision: 'approved', mode: 'standIn', endpoint: 'http://127.0.0.1:2' }));
    countRecord(s, rec({ decision: 'declined' }));
    countRecord(s, rec({ status: 0, failure: 'timeout' }));
    countRecord(s, rec({ status: 503, reason: 'Fenced' }));
    countRecord(s, rec({ op: 'capture', status: 200 }));
    countRecord(s, rec({ op: 'reversal', status: 200 }));
    countRecord(s, rec({ status: 0, endpoint: null, failure: 'gaveUp' }));
    expect(s).toEqual({
      attempts: 7,
      approved: 2,
      approvedStandIn: 1,
      declined: 1,
      unanswered: 1,
      gaveUp: 1,
      captured: 1,
      reversed: 1,
      approvedAt: { 'http://127.0.0.1:1': 1, 'http://127.0.0.1:2': 1 },
    });
  });
});
