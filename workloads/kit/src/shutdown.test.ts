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
});
