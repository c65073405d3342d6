import { parseResults, type ResultRecord } from './results.js';

const good: ResultRecord = {
  at: '2026-12-07T10:00:00.000Z',
  gateway: 'payments/checkout',
  terminal: 't-1',
  op: 'authorize',
  key: 'run.t-1.0',
  attempt: 1,
  endpoint: 'http://127.0.0.1:8080',
  status: 201,
  authId: 'authz_1',
  amountMinor: 1250,
  currency: 'EUR',
  last4: '1111',
  decision: 'approved',
  mode: 'online',
  latencyMs: 4,
};

describe('parseResults', () => {
  it('reads JSON lines, skipping blank ones', () => {
    const text = `${JSON.stringify(good)}\n\n${JSON.stringify({ ...good, endpoint: null, status: 0, failure: 'gaveUp' })}\n`;
    expect(parseResults(text, 'f.jsonl')).toHaveLength(2);
  });

  it('names the file, line and field of a bad record', () => {
    expect(() => parseResults(`${JSON.stringify(good)}\n{oops`, 'f.jsonl')).toThrow('f.jsonl:2: not JSON');
    expect(() => parseResults(JSON.stringify({ ...good, op: 'refund' }), 'f')).toThrow('f:1: field op');
    expect(() => parseResults(JSON.stringify({ ...good, amountMinor: 12.5 }), 'f')).toThrow(
      'field amountMinor',
    );
    // A record holding more than the last four digits is refused.
    expect(() => parseResults(JSON.stringify({ ...good, last4: '4111111111111111' }), 'f')).toThrow(
      'field last4',
    );
  });
});
