import { fencesAfterRaise, fencesToRaise, judgeLedger, judgeWriter } from './fencing.js';

describe('fencing', () => {
  it('refuses a ledger older than the fence, at the boundary too', () => {
    expect(judgeLedger(5, 5)).toEqual({ ok: true });
    expect(judgeLedger(6, 5)).toEqual({ ok: true });
    expect(judgeLedger(4, 5)).toEqual({ ok: false, fenceEpoch: 5 });
  });

  it('refuses online writes of a replaced member below the fence, never stand-in replays', () => {
    const a = { epoch: 3, member: 'edge-a' };
    expect(judgeWriter(a, false, undefined)).toEqual({ ok: true });
    expect(judgeWriter(a, false, 3)).toEqual({ ok: true });
    expect(judgeWriter(a, false, 4)).toEqual({ ok: false, fenceEpoch: 4 });
    expect(judgeWriter(a, true, 4)).toEqual({ ok: true });
  });

  it('raises each replaced member to the highest epoch that named it, ignoring self-replacement', () => {
    const raise = fencesToRaise([
      { epoch: 4, member: 'edge-b', replacedMember: 'edge-a' },
      { epoch: 6, member: 'cloud-eu', replacedMember: 'edge-a' },
      { epoch: 5, member: 'edge-c', replacedMember: 'edge-d' },
      { epoch: 9, member: 'edge-a', replacedMember: 'edge-a' },
      { epoch: 9, member: 'edge-e' },
    ]);
    expect([...raise]).toEqual([
      ['edge-a', 6],
      ['edge-d', 5],
    ]);
  });

  it('raises the fences of the Lost members a writer names, never its own', () => {
    // edge-a went home after its stand-in edge-b was lost: edge-a replaces nobody but names edge-b.
    const raise = fencesToRaise([
      { epoch: 7, member: 'edge-a', fencedMembers: ['edge-b', 'edge-a'] },
      { epoch: 5, member: 'edge-c', replacedMember: 'edge-d', fencedMembers: ['edge-b'] },
    ]);
    expect([...raise]).toEqual([
      ['edge-b', 7],
      ['edge-d', 5],
    ]);
    // From then on edge-b's online writes at its old epoch are refused.
    expect(judgeWriter({ epoch: 6, member: 'edge-b' }, false, raise.get('edge-b'))).toEqual({
      ok: false,
      fenceEpoch: 7,
    });
  });

  it('applies a raise as the database does: each fence the higher of read and raised', () => {
    const read = new Map([
      ['edge-a', 7],
      ['edge-b', 2],
    ]);
    const after = fencesAfterRaise(
      read,
      new Map([
        ['edge-a', 5],
        ['edge-b', 4],
        ['edge-c', 3],
      ]),
    );
    expect([...after]).toEqual([
      ['edge-a', 7],
      ['edge-b', 4],
      ['edge-c', 3],
    ]);
    expect(read.get('edge-b')).toBe(2);
  });
});
