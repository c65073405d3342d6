import { FeedFormatError, parseFeedPage } from './feed-event.js';

const at = '2026-03-01T12:00:00.000Z';
const transfer = (seq: number, t: Record<string, unknown> = {}) => ({
  seq,
  kind: 'transfer',
  at,
  transfer: { id: `t${seq}`, type: 'pending', amountMinor: 100, currency: 'EUR', metadata: {}, ...t },
});

describe('parsing a change-feed page', () => {
  it('keeps the fields analytics needs, amounts as safe integers (digit strings accepted)', () => {
    const page = parseFeedPage(
      {
        events: [
          transfer(5, { amountMinor: '250', standIn: true, member: 'edge-b' }),
          transfer(7, { type: 'post', pendingId: 't5', expiry: 'yes' }),
        ],
        next: 7,
      },
      4,
    );
    expect(page.next).toBe(7);
    expect(page.events[0]).toEqual({
      seq: 5,
      atMs: Date.parse(at),
      kind: 'transfer',
      transfer: {
        id: 't5',
        type: 'pending',
        amountMinor: 250,
        currency: 'EUR',
        standIn: true,
        expiry: false,
        member: 'edge-b',
        metadata: {},
      },
    });
    expect(page.events[1]).toMatchObject({ kind: 'transfer', transfer: { pendingId: 't5', expiry: false } });
  });

  it('refuses a page whose seqs cannot be trusted', () => {
    expect(() => parseFeedPage({ events: [transfer(3)], next: 3 }, 3)).toThrow(FeedFormatError);
    expect(() => parseFeedPage({ events: [transfer(5), transfer(4)], next: 5 }, 0)).toThrow(/went backwards/);
    expect(() => parseFeedPage({ events: [{ ...transfer(1), seq: 1.5 }], next: 2 }, 0)).toThrow(
      /integer seq/,
    );
    expect(() => parseFeedPage({ events: [transfer(2)], next: 1 }, 0)).toThrow(/next cursor/);
    expect(() => parseFeedPage({ next: 1 }, 0)).toThrow(/events array/);
  });

  it('keeps an event with unusable content as skipped, with what was wrong', () => {
    const page = parseFeedPage(
      {
        events: [
          transfer(1, { amountMinor: 1.5 }),
          transfer(2, { amountMinor: 2 ** 53 }),
          transfer(3, { currency: 'eur' }),
          transfer(4, { type: 'post' }),
          { seq: 5, kind: 'decline', at, decline: { id: 'd', amountMinor: 1, currency: 'EUR' } },
          { seq: 6, kind: 'transfer', at: 'soon', transfer: {} },
        ],
        next: 6,
      },
      0,
    );
    expect(page.events.map((e) => (e.kind === 'skipped' ? e.why : e.kind))).toEqual([
      'transfer.amountMinor invalid',
      'transfer.amountMinor invalid',
      'transfer.currency invalid',
      'transfer.pendingId missing',
      'decline.reason invalid',
      'at invalid',
    ]);
  });
});
