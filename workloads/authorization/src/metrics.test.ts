import { Registry } from 'prom-client';
import type { QueuedResolution } from './journal.js';
import { createMetrics } from './metrics.js';

describe('journal queue gauges', () => {
  it('show what the journal holds at each scrape, and nothing once it is drained or closed', async () => {
    const registry = new Registry();
    let queued: QueuedResolution[] | undefined = [
      { kind: 'post', currency: 'EUR', count: 2, amountMinor: 310 },
      { kind: 'void', currency: 'USD', count: 1, amountMinor: 40 },
    ];
    createMetrics(registry, () => queued);
    const lines = async () =>
      (await registry.metrics())
        .split('\n')
        .filter((l) => l.startsWith('paygrid_authorization_journal_queued'));
    expect(await lines()).toEqual([
      'paygrid_authorization_journal_queued{kind="post",currency="EUR"} 2',
      'paygrid_authorization_journal_queued{kind="void",currency="USD"} 1',
      'paygrid_authorization_journal_queued_amount_minor{kind="post",currency="EUR"} 310',
      'paygrid_authorization_journal_queued_amount_minor{kind="void",currency="USD"} 40',
    ]);
    queued = [{ kind: 'post', currency: 'EUR', count: 1, amountMinor: 250 }];
    expect(await lines()).toEqual([
      'paygrid_authorization_journal_queued{kind="post",currency="EUR"} 1',
      'paygrid_authorization_journal_queued_amount_minor{kind="post",currency="EUR"} 250',
    ]);
    queued = undefined;
    expect(await lines()).toEqual([]);
  });
});
