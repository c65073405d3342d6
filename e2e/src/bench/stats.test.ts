import { HistogramSample, histogramQuantile, parseHistogram, quantile } from './stats.js';

const text = `# HELP controller_runtime_reconcile_time_seconds Length of time per reconciliation
controller_runtime_reconcile_time_seconds_bucket{le="0.1",controller="paymentgateway"} 10
controller_runtime_reconcile_time_seconds_bucket{le="0.5",controller="paymentgateway"} 90
controller_runtime_reconcile_time_seconds_bucket{le="1",controller="paymentgateway"} 100
controller_runtime_reconcile_time_seconds_bucket{le="+Inf",controller="paymentgateway"} 100
controller_runtime_reconcile_time_seconds_sum{controller="paymentgateway"} 30
controller_runtime_reconcile_time_seconds_count{controller="paymentgateway"} 100
controller_runtime_reconcile_time_seconds_bucket{le="0.1",controller="edgesite"} 500
controller_runtime_reconcile_time_seconds_bucket{le="+Inf",controller="edgesite"} 500
controller_runtime_reconcile_time_seconds_count{controller="edgesite"} 500
`;

describe('bench figures', () => {
  test('nearest-rank quantiles', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(v, 0.5)).toBe(5);
    expect(quantile(v, 0.99)).toBe(10);
    expect(quantile([7], 0.5)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  test('a histogram is read for the labels asked, and its quantiles interpolate as histogram_quantile does', () => {
    const h = parseHistogram(text, 'controller_runtime_reconcile_time_seconds', {
      controller: 'paymentgateway',
    });
    expect(h.count).toBe(100);
    expect(h.buckets).toEqual([
      [0.1, 10],
      [0.5, 90],
      [1, 100],
      [Infinity, 100],
    ]);
    // The 50th observation is the 40th of the 80 in (0.1, 0.5]: halfway.
    expect(histogramQuantile(h, 0.5)).toBeCloseTo(0.3, 10);
    // The 99th is the 9th of the 10 in (0.5, 1].
    expect(histogramQuantile(h, 0.99)).toBeCloseTo(0.95, 10);
  });

  test('the difference of two samples is what was observed in between', () => {
    const before = new HistogramSample(
      [
        [0.1, 10],
        [0.5, 10],
        [1, 10],
        [Infinity, 10],
      ],
      10,
    );
    const h = parseHistogram(text, 'controller_runtime_reconcile_time_seconds', {
      controller: 'paymentgateway',
    });
    const d = h.minus(before);
    expect(d.count).toBe(90);
    // Nothing new at or below 0.1: the median lies in (0.1, 0.5].
    expect(histogramQuantile(d, 0.5)).toBeCloseTo(0.1 + 0.4 * (45 / 80), 10);
  });

  test('observations beyond the largest finite bucket report that bound, and an empty histogram has none', () => {
    const h = new HistogramSample(
      [
        [1, 0],
        [Infinity, 5],
      ],
      5,
    );
    expect(histogramQuantile(h, 0.5)).toBe(1);
    expect(histogramQuantile(new HistogramSample([], 0), 0.5)).toBeNaN();
  });
});
