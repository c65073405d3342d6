import { REDACTED, createLogger, isSensitiveKey, redact } from './logger.js';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'debug'): {
  lines: string[];
  log: ReturnType<typeof createLogger>;
} {
  const lines: string[] = [];
  const log = createLogger({ level, destination: { write: (s: string) => lines.push(s) } });
  return { lines, log };
}

describe('isSensitiveKey', () => {
  it.each([
    'token',
    'bearerToken',
    'access_token',
    'password',
    'dbPassword',
    'secret',
    'clientSecret',
    'kubeconfig',
    'Authorization',
    'authorization',
    'pan',
    'PAN',
    'cardNumber',
    'card_number',
    'cvv',
    'client-key-data',
    'apiKey',
  ])('%s is sensitive', (k) => expect(isSensitiveKey(k)).toBe(true));

  it.each([
    'name',
    'namespace',
    'company',
    'span',
    'expand',
    'kubeconfigSecretRef',
    'secretRef',
    'secretName',
    'amount',
  ])('%s is not', (k) => expect(isSensitiveKey(k)).toBe(false));
});

describe('createLogger', () => {
  it('writes JSON with a level label, time and message', () => {
    const { lines, log } = capture();
    log.info({ site: 'store-42' }, 'probe ok');
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', site: 'store-42', msg: 'probe ok' });
    expect(typeof line.time).toBe('string');
  });

  it('honours the level', () => {
    const { lines, log } = capture('warn');
    log.info('hidden');
    log.debug('hidden');
    log.warn('shown');
    expect(lines).toHaveLength(1);
  });

  it('never prints sensitive fields, at any depth, in objects, arrays, bindings and errors', () => {
    const { lines, log } = capture();
    const child = log.child({ token: 'tok-CHILD', site: 's1' });
    child.info(
      {
        request: { headers: { Authorization: 'Bearer tok-HEADER' } },
        member: {
          kubeconfig: 'apiVersion: v1 KUBECONFIG-BODY',
          kubeconfigSecretRef: { name: 'site-1-kubeconfig' },
        },
        cards: [{ pan: '4111111111111111', cardNumber: '5500005555555559', last4: '1111' }],
        deep: { a: { b: { c: { d: { password: 'pw-DEEP' } } } } },
      },
      'reconciling',
    );
    const err = Object.assign(new Error('apply failed'), { secret: 'sec-ERR', status: 422 });
    child.error({ err }, 'failed');
    const out = lines.join('');
    for (const leaked of [
      'tok-CHILD',
      'tok-HEADER',
      'KUBECONFIG-BODY',
      '4111111111111111',
      '5500005555555559',
      'pw-DEEP',
      'sec-ERR',
    ]) {
      expect(out).not.toContain(leaked);
    }
    const first = JSON.parse(lines[0] ?? '{}') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(first.token).toBe(REDACTED);
    expect(first.site).toBe('s1');
    expect(first.member.kubeconfigSecretRef).toEqual({ name: 'site-1-kubeconfig' });
    expect(first.cards[0]).toEqual({ pan: REDACTED, cardNumber: REDACTED, last4: '1111' });
    const second = JSON.parse(lines[1] ?? '{}') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(second.err).toMatchObject({
      type: 'Error',
      message: 'apply failed',
      secret: REDACTED,
      status: 422,
    });
    expect(second.err.stack).toContain('apply failed');
  });

  it('keeps parent bindings in grandchildren and scrubs theirs', () => {
    const { lines, log } = capture();
    log.child({ controller: 'gw' }).child({ key: 'ns/a', password: 'pw-GRAND' }).info('m');
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ controller: 'gw', key: 'ns/a', password: REDACTED });
    expect(lines[0]).not.toContain('pw-GRAND');
  });

  it('logs an Error passed directly, with its message', () => {
    const { lines, log } = capture();
    log.error(Object.assign(new Error('boom'), { password: 'pw-X' }));
    const line = JSON.parse(lines[0] ?? '{}') as { err: Record<string, unknown>; msg: string };
    expect(line.msg).toBe('boom');
    expect(line.err.password).toBe(REDACTED);
  });

  it('hides the data of a Secret object', () => {
    const { lines, log } = capture();
    log.info(
      { obj: { kind: 'Secret', metadata: { name: 's' }, data: { 'db-url': 'cG9zdGdyZXM6Ly8=' } } },
      'x',
    );
    expect(lines[0]).not.toContain('cG9zdGdyZXM6Ly8=');
    expect(lines[0]).toContain('"name":"s"');
  });

  it('supports extra redaction keys', () => {
    const lines: string[] = [];
    const log = createLogger({ redactKeys: ['iban'], destination: { write: (s: string) => lines.push(s) } });
    log.info({ payeeIban: 'DE89370400440532013000' }, 'x');
    expect(lines[0]).not.toContain('DE89');
  });
});

describe('redact', () => {
  it('copies without mutating the input and copes with cycles', () => {
    const input: Record<string, unknown> = { password: 'p', nested: { ok: 1 } };
    input.self = input;
    const out = redact(input) as Record<string, unknown>;
    expect(input.password).toBe('p');
    expect(out.password).toBe(REDACTED);
    expect(out.self).toBe('[Circular]');
    expect(out.nested).toEqual({ ok: 1 });
  });

  it('keeps dates and primitives', () => {
    const d = new Date(0);
    expect(redact({ at: d, n: 1, s: 'x', b: null })).toEqual({ at: d, n: 1, s: 'x', b: null });
  });
});
