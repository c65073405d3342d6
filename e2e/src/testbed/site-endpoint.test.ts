import type { V1Pod } from '@kubernetes/client-node';
import { pick, readyTargets } from './site-endpoint.js';

const pod = (
  name: string,
  over: { ip?: string; phase?: string; ready?: boolean; deleting?: boolean } = {},
): V1Pod => ({
  metadata: { name, ...(over.deleting ? { deletionTimestamp: new Date() } : {}) },
  status: {
    phase: over.phase ?? 'Running',
    ...(over.ip === '' ? {} : { podIP: over.ip ?? `10.88.2.${name.length}` }),
    conditions: [{ type: 'Ready', status: over.ready === false ? 'False' : 'True' }],
  },
});

describe('readyTargets', () => {
  it('keeps only running, ready pods with an IP that are not being deleted, in name order', () => {
    const pods = [
      pod('b', { ip: '10.88.2.3' }),
      pod('a', { ip: '10.88.2.2' }),
      pod('not-ready', { ready: false }),
      pod('pending', { phase: 'Pending' }),
      pod('no-ip', { ip: '' }),
      pod('leaving', { deleting: true }),
    ];
    expect(readyTargets(pods, 8080)).toEqual([
      { host: '10.88.2.2', port: 8080 },
      { host: '10.88.2.3', port: 8080 },
    ]);
  });
});

describe('pick', () => {
  it('goes round the targets and has none to give when there are none', () => {
    const t = [
      { host: 'a', port: 1 },
      { host: 'b', port: 1 },
    ];
    expect([0, 1, 2].map((i) => pick(t, i)?.host)).toEqual(['a', 'b', 'a']);
    expect(pick([], 0)).toBeUndefined();
  });
});
