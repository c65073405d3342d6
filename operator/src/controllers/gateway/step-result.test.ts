import {
  afterSummary,
  CACHE_WAIT_MS,
  CONTINUE,
  foldSteps,
  IN_FLIGHT_REQUEUE_MS,
  STEADY_REQUEUE_MS,
  type StepResult,
} from './step-result.js';

const within = (ms: number | undefined): StepResult => ({ next: 'continue', requeueWithinMs: ms });

describe('foldSteps', () => {
  it('summarises when every step continues, with no requeue of their own', () => {
    expect(foldSteps([CONTINUE, CONTINUE], false)).toEqual({ summarise: true, requeueWithinMs: undefined });
    expect(foldSteps([], false)).toEqual({ summarise: true, requeueWithinMs: undefined });
  });

  it('ends the pass with nothing more written when a step stops (the finalizer released it)', () => {
    expect(foldSteps([CONTINUE, { next: 'stop' }], true)).toEqual({ summarise: false, result: undefined });
  });

  it('ends the pass with the requeue a step asked for (a move rewrote status)', () => {
    expect(foldSteps([CONTINUE, { next: 'requeue', afterMs: 100 }], false)).toEqual({
      summarise: false,
      result: { requeueAfter: 100 },
    });
  });

  it('lets the first step that does not continue decide, even over pending caches', () => {
    const cachesPending: StepResult = { next: 'continue', cachesPending: true };
    expect(foldSteps([cachesPending, { next: 'requeue', afterMs: 100 }, { next: 'stop' }], false)).toEqual({
      summarise: false,
      result: { requeueAfter: 100 },
    });
    expect(foldSteps([within(5), { next: 'stop' }, { next: 'requeue', afterMs: 100 }], false)).toEqual({
      summarise: false,
      result: undefined,
    });
  });

  it('keeps the shortest requeue the steps asked for, 0 included', () => {
    expect(foldSteps([within(5_000), CONTINUE], false)).toEqual({ summarise: true, requeueWithinMs: 5_000 });
    expect(foldSteps([within(5_000), within(10_000)], false)).toEqual({
      summarise: true,
      requeueWithinMs: 5_000,
    });
    expect(foldSteps([within(5_000), within(250), within(undefined)], false)).toEqual({
      summarise: true,
      requeueWithinMs: 250,
    });
    expect(foldSteps([within(0), within(100)], false)).toEqual({ summarise: true, requeueWithinMs: 0 });
  });

  it('waits for the member caches instead of judging readiness, unless the gateway is being deleted', () => {
    const results: StepResult[] = [within(5_000), { next: 'continue', cachesPending: true }, CONTINUE];
    expect(foldSteps(results, false)).toEqual({ summarise: false, result: { requeueAfter: CACHE_WAIT_MS } });
    expect(foldSteps(results, true)).toEqual({ summarise: true, requeueWithinMs: 5_000 });
    expect(foldSteps([{ next: 'continue', cachesPending: false }], false)).toEqual({
      summarise: true,
      requeueWithinMs: undefined,
    });
  });
});

describe('afterSummary', () => {
  it('requeues when the steps asked, whatever is in flight', () => {
    expect(afterSummary(5_000, false)).toEqual({ requeueAfter: 5_000 });
    expect(afterSummary(5_000, true)).toEqual({ requeueAfter: 5_000 });
    expect(afterSummary(0, false)).toEqual({ requeueAfter: 0 });
  });

  it('otherwise looks again soon while work is in flight, and rarely once converged', () => {
    expect(afterSummary(undefined, true)).toEqual({ requeueAfter: IN_FLIGHT_REQUEUE_MS });
    expect(afterSummary(undefined, false)).toEqual({ requeueAfter: STEADY_REQUEUE_MS });
    expect(IN_FLIGHT_REQUEUE_MS).toBeLessThan(STEADY_REQUEUE_MS);
  });
});
