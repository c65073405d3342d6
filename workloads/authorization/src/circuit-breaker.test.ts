import { CircuitBreaker } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  let t = 0;
  const breaker = () => new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => t });
  beforeEach(() => (t = 0));

  it('opens after the threshold of consecutive failures, not before', () => {
    const b = breaker();
    b.onFailure();
    b.onFailure();
    expect(b.allowsRequest()).toBe(true);
    b.onFailure();
    expect(b.allowsRequest()).toBe(false);
    expect(b.state).toBe('open');
  });

  it('a success in between resets the count', () => {
    const b = breaker();
    b.onFailure();
    b.onFailure();
    b.onSuccess();
    b.onFailure();
    b.onFailure();
    expect(b.allowsRequest()).toBe(true);
  });

  it('offers one probe per cooldown while open and closes on success', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.onFailure();
    t = 999;
    expect(b.probeDue()).toBe(false);
    t = 1000;
    expect(b.probeDue()).toBe(true);
    expect(b.probeDue()).toBe(false);
    b.onFailure();
    t = 1999;
    expect(b.probeDue()).toBe(false);
    t = 2000;
    expect(b.probeDue()).toBe(true);
    b.onSuccess();
    expect(b.allowsRequest()).toBe(true);
    expect(b.probeDue()).toBe(false);
  });
});
