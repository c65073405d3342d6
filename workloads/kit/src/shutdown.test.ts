import { Writable } from 'node:stream';
import { Health } from './health.js';
import { createLogger } from './logger.js';
import { handleShutdown } from './shutdown.js';

const quiet = () =>
  createLogger({ service: 't', destination: new Writable({ write: (_c, _e, done) => done() }) });

describe('handleShutdown', () => {
  afterEach(() => {
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGINT');
  });

  it('fails readiness first, runs the steps in order, exits 0', async () => {
    const health = new Health();
    const order: string[] = [];
    const codes: number[] = [];
    const { shutdown } = handleShutdown({
      logger: quiet(),
      health,
      exit: (c) => codes.push(c),
      steps: [
        ['server', () => order.push(`server ready=${health.readiness().ready}`)],
        ['journal', async () => order.push('journal')],
      ],
    });
    await shutdown('SIGTERM');
    await shutdown('SIGTERM');
    expect(order).toEqual(['server ready=false', 'journal']);
    expect(codes).toEqual([0]);
  });

  it('runs every step even when one fails, and exits 1', async () => {
    const ran: string[] = [];
    const codes: number[] = [];
    const { shutdown } = handleShutdown({
      logger: quiet(),
      health: new Health(),
      exit: (c) => codes.push(c),
      steps: [
        ['a', () => Promise.reject(new Error('pool gone'))],
        ['b', () => ran.push('b')],
      ],
    });
    await shutdown('SIGINT');
    expect(ran).toEqual(['b']);
    expect(codes).toEqual([1]);
  });

  it('past the grace period exits 1 and names the step that hung', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      service: 't',
      destination: new Writable({
        write: (c, _e, done) => {
          lines.push(String(c));
          done();
        },
      }),
    });
    const codes: number[] = [];
    let exited!: () => void;
    const gone = new Promise<void>((r) => (exited = r));
    void handleShutdown({
      logger,
      health: new Health(),
      graceMs: 50,
      exit: (c) => {
        codes.push(c);
        exited();
      },
      steps: [
        ['http', () => undefined],
        ['writer', () => new Promise(() => undefined)],
      ],
    }).shutdown('SIGTERM');
    await gone;
    expect(codes).toEqual([1]);
    const hung = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.graceMs === 50);
    expect(hung).toMatchObject({
      step: 'writer',
      msg: 'shutdown took longer than the grace period; exiting',
    });
  });
});
