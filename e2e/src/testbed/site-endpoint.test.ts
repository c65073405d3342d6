import type { V1Pod } from '@kubernetes/client-node';
import { parseRoute, pick, readyTargets, routeFor } from './site-endpoint.js';

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

describe('routeFor', () => {
  const routes = [parseRoute('/v1/authorizations=authorization'), parseRoute('/=ledger')];
  it('sends a path to the longest prefix that matches on a segment boundary', () => {
    expect(routeFor(routes, '/v1/authorizations')).toBe('authorization');
    expect(routeFor(routes, '/v1/authorizations/a-1/capture?x=1')).toBe('authorization');
    expect(routeFor(routes, '/v1/authorizationsx')).toBe('ledger');
    expect(routeFor(routes, '/v1/transfers')).toBe('ledger');
    expect(routeFor([parseRoute('/v1/authorizations=authorization')], '/v1/transfers')).toBeUndefined();
  });
  it('refuses a rule that is not PREFIX=COMPONENT, naming the flag', () => {
    expect(() => parseRoute('authorization')).toThrow(/--route must be PREFIX=COMPONENT/);
    expect(() => parseRoute('v1=ledger')).toThrow(/--route/);
    expect(() => parseRoute('/v1=Ledger')).toThrow(/--route/);
  });
});
