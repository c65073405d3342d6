import { cpuMsOfStat, histogramMean } from './load.js';

describe('histogramMean', () => {
  it('divides the sum by the count of the named histogram, labelled or not', () => {
    const text = [
      'paygrid_ledger_batch_size_bucket{le="1",service="ledger"} 3',
      'paygrid_ledger_batch_size_sum{service="ledger"} 310',
      'paygrid_ledger_batch_size_count{service="ledger"} 10',
      'paygrid_ledger_commit_duration_seconds_sum 0.5',
      'paygrid_ledger_commit_duration_seconds_count 4',
    ].join('\n');
    expect(histogramMean(text, 'paygrid_ledger_batch_size')).toEqual({ count: 10, mean: 31 });
    expect(histogramMean(text, 'paygrid_ledger_commit_duration_seconds')).toEqual({ count: 4, mean: 0.125 });
  });

  it('is undefined for a histogram that is absent or never observed', () => {
    expect(histogramMean('x_sum 0\nx_count 0', 'x')).toBeUndefined();
    expect(histogramMean('y_sum 1\ny_count 1', 'x')).toBeUndefined();
  });
});

describe('cpuMsOfStat', () => {
  it('adds utime and stime (ticks of 10 ms), whatever the process name holds', () => {
    const stat = '4242 (node a) b) S 1 4242 4242 0 -1 4194304 500 0 0 0 123 45 0 0 20 0 11 0 100 0 0';
    expect(cpuMsOfStat(stat)).toBe(1680);
  });
});
