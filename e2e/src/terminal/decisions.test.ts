import {
  chooseFollowUp,
  dueAt,
  isAllowedTarget,
  isIpv4Cidr,
  isLoopbackUrl,
  nextStep,
  pickEndpoint,
} from './decisions.js';
import { seededRandom } from './prng.js';

describe('nextStep', () => {
  const answered = (status: number, reason?: string) =>
    ({ kind: 'answered', status, ...(reason ? { reason } : {}) }) as const;

  it('stops on an answer that decides: approved, declined, bad request, conflict, not found', () => {
    for (const s of [200, 201, 400, 404, 409, 422]) expect(nextStep(answered(s), 1, 3)).toBe('final');
  });

  it('goes to the next route at once when the site is unreachable or says it does not serve', () => {
    expect(nextStep({ kind: 'unreachable', code: 'ECONNREFUSED' }, 1, 3)).toBe('nextRoute');
    expect(nextStep({ kind: 'unreachable', code: 'ECONNRESET' }, 1, 3)).toBe('nextRoute');
    for (const r of ['NotServing', 'Fenced', 'NotReady', 'ContractNotLoaded'])
      expect(nextStep(answered(503, r), 1, 3)).toBe('nextRoute');
  });

  it('repeats a timeout or a transient 5xx at the same site, then moves on', () => {
    expect(nextStep({ kind: 'timeout' }, 1, 3)).toBe('retrySame');
    expect(nextStep({ kind: 'timeout' }, 2, 3)).toBe('retrySame');
    expect(nextStep({ kind: 'timeout' }, 3, 3)).toBe('nextRoute');
    expect(nextStep(answered(503, 'JournalUnavailable'), 1, 3)).toBe('retrySame');
    expect(nextStep(answered(502, 'LedgerRefused'), 3, 3)).toBe('nextRoute');
    expect(nextStep(answered(429), 1, 2)).toBe('retrySame');
  });
});

describe('pickEndpoint', () => {
  const routes = [
    { endpoint: 'http://127.0.0.1:2', priority: 1 },
    { endpoint: 'http://127.0.0.1:1', priority: 0 },
    { endpoint: 'http://127.0.0.1:3', priority: 2 },
  ];
  it('takes the lowest priority not yet failed, and nothing when all failed', () => {
    expect(pickEndpoint(routes, new Set())).toBe('http://127.0.0.1:1');
    expect(pickEndpoint(routes, new Set(['http://127.0.0.1:1']))).toBe('http://127.0.0.1:2');
    expect(pickEndpoint(routes, new Set(['http://127.0.0.1:1', 'http://127.0.0.1:2']))).toBe(
      'http://127.0.0.1:3',
    );
    expect(pickEndpoint(routes, new Set(routes.map((r) => r.endpoint)))).toBeUndefined();
    expect(pickEndpoint([], new Set())).toBeUndefined();
  });
});

describe('chooseFollowUp', () => {
  it('captures, reverses and leaves approvals in the configured shares, repeatably', () => {
    const shares = { capture: 0.5, reverse: 0.2, partial: 0.5 };
    const run = (seed: number) => {
      const r = seededRandom(seed);
      return Array.from({ length: 2000 }, () => chooseFollowUp(r, shares, 1000));
    };
    const a = run(11);
    expect(run(11)).toEqual(a);
    const count = (k: string) => a.filter((f) => f.kind === k).length;
    expect(count('capture')).toBeGreaterThan(900);
    expect(count('capture')).toBeLessThan(1100);
    expect(count('reverse')).toBeGreaterThan(320);
    expect(count('reverse')).toBeLessThan(480);
    const captures = a.filter((f) => f.kind === 'capture');
    expect(captures.some((c) => c.amountMinor === 500)).toBe(true);
    expect(captures.some((c) => c.amountMinor === 1000)).toBe(true);
    expect(captures.every((c) => c.amountMinor === 500 || c.amountMinor === 1000)).toBe(true);
  });

  it('never captures less than 1 minor unit, and never with shares at 0', () => {
    const r = seededRandom(5);
    for (let i = 0; i < 200; i++)
      expect(chooseFollowUp(r, { capture: 1, reverse: 0, partial: 1 }, 1)).toEqual({
        kind: 'capture',
        amountMinor: 1,
      });
    for (let i = 0; i < 200; i++)
      expect(chooseFollowUp(r, { capture: 0, reverse: 0, partial: 0 }, 10)).toEqual({ kind: 'none' });
  });
});

describe('isLoopbackUrl', () => {
  it('accepts only this machine', () => {
    expect(isLoopbackUrl('http://127.0.0.1:8080')).toBe(true);
    expect(isLoopbackUrl('http://127.1.2.3:8080/x')).toBe(true);
    expect(isLoopbackUrl('http://localhost:1')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:1')).toBe(true);
    expect(isLoopbackUrl('http://10.0.0.1:8080')).toBe(false);
    expect(isLoopbackUrl('http://127.0.0.1.example.com')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });
});

describe('dueAt', () => {
  it('spaces payments at the rate and does not burst after falling behind', () => {
    expect(dueAt(1000, 0, 10, 0)).toBe(1000);
    expect(dueAt(1000, 5, 10, 0)).toBe(1500);
    expect(dueAt(1000, 5, 10, 4000)).toBe(4000);
  });
});

describe('isAllowedTarget', () => {
  it('allows loopback always, and an IPv4 host only inside an allowed network', () => {
    expect(isAllowedTarget('http://127.0.0.1:8080')).toBe(true);
    expect(isAllowedTarget('http://10.88.2.1:8080')).toBe(false);
    expect(isAllowedTarget('http://10.88.2.1:8080', ['10.88.0.0/16'])).toBe(true);
    expect(isAllowedTarget('http://10.88.255.254:1', ['10.88.0.0/16'])).toBe(true);
    expect(isAllowedTarget('http://10.89.0.1:8080', ['10.88.0.0/16'])).toBe(false);
    expect(isAllowedTarget('http://10.88.2.7:8080', ['10.88.2.7/32'])).toBe(true);
    expect(isAllowedTarget('http://10.88.2.8:8080', ['10.88.2.7/32'])).toBe(false);
    expect(isAllowedTarget('http://8.8.8.8', ['0.0.0.0/0'])).toBe(true);
  });

  it('never allows a name, a malformed network or a malformed URL', () => {
    expect(isAllowedTarget('http://site.example.com', ['0.0.0.0/0'])).toBe(false);
    expect(isAllowedTarget('http://10.88.2.1', ['10.88.0.0'])).toBe(false);
    expect(isAllowedTarget('http://10.88.2.1', ['10.88.0.0/33'])).toBe(false);
    expect(isAllowedTarget('not a url', ['0.0.0.0/0'])).toBe(false);
  });
});

describe('isIpv4Cidr', () => {
  it('takes a.b.c.d/n with octets up to 255 and n up to 32', () => {
    expect(isIpv4Cidr('10.88.0.0/16')).toBe(true);
    expect(isIpv4Cidr('0.0.0.0/0')).toBe(true);
    expect(isIpv4Cidr('10.88.0.256/16')).toBe(false);
    expect(isIpv4Cidr('10.88.0.0/16/1')).toBe(false);
    expect(isIpv4Cidr('10.88.0.0')).toBe(false);
    expect(isIpv4Cidr('::1/128')).toBe(false);
  });
});
