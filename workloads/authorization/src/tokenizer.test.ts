import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@paygrid/workload-kit';
import { validateCard } from './card.js';
import { Tokenizer } from './tokenizer.js';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef');
const PANS = ['4111111111111111', '5555555555554444', '378282246310005'];

describe('Tokenizer', () => {
  it('is HMAC-SHA-256: stable per key, different across keys and cards, no PAN digits', () => {
    const a = Tokenizer.fromKey(KEY);
    const b = Tokenizer.fromKey(Buffer.from('another key of at least 32 bytes long!'));
    // Known answer, computed independently: printf %s 4111111111111111 | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef
    expect(a.token(PANS[0] as string)).toBe(
      '7b7e6cb2715c7b1c37110f035123abd3fe93c04fa302da2946c4bd9342d2fd2c',
    );
    expect(a.token(PANS[0] as string)).toBe(a.token(PANS[0] as string));
    expect(a.token(PANS[0] as string)).not.toBe(b.token(PANS[0] as string));
    expect(a.token(PANS[0] as string)).not.toBe(a.token(PANS[1] as string));
    expect(a.token(PANS[0] as string)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a key shorter than 32 bytes, reading the file, naming it, not quoting it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paygrid-key-'));
    writeFileSync(join(dir, 'short'), 'too-short-secret\n');
    expect(() => Tokenizer.fromFile(join(dir, 'short'))).toThrow(/short: the tokenization key has 16 bytes/);
    expect(() => Tokenizer.fromFile(join(dir, 'short'))).not.toThrow(/too-short-secret/);
    expect(() => Tokenizer.fromFile(join(dir, 'missing'))).toThrow(/cannot read .*missing \(ENOENT\)/);
    writeFileSync(join(dir, 'good'), Buffer.concat([KEY, Buffer.from('\n')]));
    expect(Tokenizer.fromFile(join(dir, 'good')).token('4111111111111111')).toBe(
      Tokenizer.fromKey(KEY).token('4111111111111111'),
    );
  });

  it('keeps every PAN out of every log line of a validation and tokenization flow', () => {
    const lines: string[] = [];
    const logger = createLogger({
      service: 'authorization',
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    const tokenizer = Tokenizer.fromKey(KEY);
    for (const pan of PANS) {
      const body = { amountMinor: 100, currency: 'EUR', card: { pan, expiry: '12/30' } };
      const check = validateCard(body.card, new Date('2026-12-06T00:00:00Z'));
      if (!check.ok) throw new Error('test card invalid');
      const token = tokenizer.token(check.card.pan);
      // What a careless handler might log: the whole body, the error, the token.
      logger.info({ body, token, last4: check.card.last4 }, 'authorization');
      logger.error({ err: new Error(`bad request ${JSON.stringify(body)}`) }, `failed for ${pan}`);
      logger.debug({ card: body.card }, 'card');
    }
    logger.flush?.();
    expect(lines.length).toBeGreaterThanOrEqual(9);
    const all = lines.join('');
    for (const pan of PANS) expect(all).not.toContain(pan);
    expect(all).toContain('1111');
  });
});
