// The follower against the operator's real routes API on loopback (routes-source.ts): it reads the
// routes, then holds a long-poll with the ETag and sees a change as soon as it is published.
import { RoutesFollower } from './routes-follower.js';
import { RoutesSource } from './routes-source.js';

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('RoutesFollower', () => {
  let source: RoutesSource;
  let url: string;
  const followers: RoutesFollower[] = [];

  beforeEach(async () => {
    source = new RoutesSource('payments', 'checkout');
    url = await source.listen();
  });

  afterEach(async () => {
    await Promise.all(followers.splice(0).map((f) => f.stop()));
    await source.close();
  });

  it('reads the routes, long-polls with the ETag, and sees a failover at once', async () => {
    source.publish(3, [
      { member: 'edge-a', endpoint: 'http://127.0.0.1:1001' },
      { member: 'edge-b', endpoint: 'http://127.0.0.1:1002' },
    ]);
    const f = new RoutesFollower({
      baseUrl: url,
      namespace: 'payments',
      name: 'checkout',
      watchTimeoutSeconds: 60,
    });
    followers.push(f);
    f.start();
    await f.changedSince(0, 5000);
    expect(f.changes).toBe(1);
    expect(f.current?.epoch).toBe(3);
    expect(f.current?.routes.map((r) => [r.member, r.priority])).toEqual([
      ['edge-a', 0],
      ['edge-b', 1],
    ]);

    // Held by the server (not re-polled): one watch waits, and nothing new was seen.
    await until('the long-poll to be held', () => source.activeWatches() === 1);
    expect(f.changes).toBe(1);

    const published = Date.now();
    source.publish(4, [{ member: 'edge-b', endpoint: 'http://127.0.0.1:1002' }]);
    await f.changedSince(1, 5000);
    expect(Date.now() - published).toBeLessThan(1000);
    expect(f.changes).toBe(2);
    expect(f.current?.epoch).toBe(4);
    expect(f.current?.routes.map((r) => r.member)).toEqual(['edge-b']);
    await until('the next long-poll to be held', () => source.activeWatches() === 1);
  });

  it('reports an unknown gateway and keeps trying', async () => {
    const f = new RoutesFollower({ baseUrl: url, namespace: 'payments', name: 'nope', retryMs: 20 });
    followers.push(f);
    f.start();
    await until('an error', () => f.error !== undefined);
    expect(f.error).toBe('routes API answered 404');
    expect(f.current).toBeUndefined();
  });
});
