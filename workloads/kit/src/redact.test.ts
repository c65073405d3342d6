import { Writable } from 'node:stream';
import { createLogger } from './logger.js';
import { scrubText } from './redact.js';

const PANS = ['4111111111111111', '5555555555554444', '378282246310005'];

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('redaction', () => {
  it('masks card-like digit runs, grouped or not, keeping the last four', () => {
    expect(scrubText('card 4111 1111 1111 1111 declined')).toBe('card [PAN ****1111] declined');
    expect(scrubText('pan=5555-5555-5555-4444')).toBe('pan=[PAN ****4444]');
    expect(scrubText('amount 12500 at 2026-12-06')).toBe('amount 12500 at 2026-12-06');
  });

  it('masks passwords in URLs', () => {
    expect(scrubText('connect postgres://paygrid:s3cr3t@db:5432/ledger failed')).toBe(
      'connect postgres://paygrid:[REDACTED]@db:5432/ledger failed',
    );
  });

  it('no test PAN or secret reaches a log line, by field or inside text', async () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'test', destination: stream, level: 'debug' });
    logger.info({ pan: PANS[0], card: { pan: PANS[1], number: PANS[1] } }, 'authorizing');
    logger.warn({ body: { card: { pan: PANS[2] } } }, 'bad body');
    logger.error({ err: new Error(`ledger refused card ${PANS[0]}`) }, `retry for ${PANS[1]}`);
    logger.info({ databaseUrl: 'postgres://u:hunter2@h/db', key: 'k'.repeat(40) }, 'settings');
    logger.debug(`dsn postgres://u:hunter2@h/db`);
    await new Promise((r) => setImmediate(r));
    const text = lines.join('');
    expect(lines.length).toBe(5);
    for (const pan of PANS) expect(text).not.toContain(pan);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('k'.repeat(40));
    expect(text).toContain('****1111');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
