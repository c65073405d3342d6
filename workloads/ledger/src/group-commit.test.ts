import { GroupCommitter } from './group-commit.js';

describe('GroupCommitter', () => {
  it('batches what arrives while a flush is in flight, in order, one flush at a time', async () => {
    const batches: number[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let release: (() => void) | undefined;
    const gc = new GroupCommitter<number, string>({
      maxBatch: 3,
      flush: async (jobs) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        batches.push([...jobs]);
        if (batches.length === 1) await new Promise<void>((r) => (release = r));
        inFlight--;
        return jobs.map((j) => `r${j}`);
      },
    });
    const first = gc.submit(1);
    await new Promise((r) => setImmediate(r));
    const rest = [2, 3, 4, 5, 6, 7].map((j) => gc.submit(j));
    release?.();
    expect(await first).toBe('r1');
    expect(await Promise.all(rest)).toEqual(['r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6, 7]]);
    expect(maxInFlight).toBe(1);
  });

  it('fails every job of a failed flush and keeps serving the next ones', async () => {
    let calls = 0;
    const gc = new GroupCommitter<number, number>({
      maxBatch: 10,
      flush: async (jobs) => {
        if (++calls === 1) throw new Error('connection lost');
        return jobs.map((j) => j * 2);
      },
    });
    const failed = [gc.submit(1), gc.submit(2)];
    await expect(failed[0]).rejects.toThrow('connection lost');
    await expect(failed[1]).rejects.toThrow('connection lost');
    expect(await gc.submit(3)).toBe(6);
    await gc.idle();
    expect(gc.pending).toBe(0);
  });

  it('refuses a flush that returns the wrong number of results', async () => {
    const gc = new GroupCommitter<number, number>({ maxBatch: 10, flush: async () => [] });
    await expect(gc.submit(1)).rejects.toThrow(/0 results for 1 jobs/);
  });
});
