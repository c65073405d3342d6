// A TCP proxy in front of each member apiserver, so a test can partition a
// member: the cluster keeps running, but the operator's connections to it go
// silent (packets "dropped": nothing forwarded, nothing refused), exactly as
// when a WAN link to an edge site dies. Healing resets the held connections,
// as a real link's stale TCP sessions would eventually be.
import net from 'node:net';

export interface ProxyTarget {
  host: string;
  port: number;
}

export class MemberProxy {
  private server: net.Server;
  private partitioned = false;
  private readonly live = new Set<net.Socket>();
  private readonly held = new Set<net.Socket>();

  constructor(
    readonly member: string,
    private readonly target: ProxyTarget,
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port));
    });
  }

  get isPartitioned(): boolean {
    return this.partitioned;
  }

  get connections(): number {
    return this.live.size;
  }

  partition(): void {
    this.partitioned = true;
    // Existing sessions stall mid-stream: stop moving bytes both ways.
    for (const s of this.live) this.hold(s);
  }

  heal(): void {
    this.partitioned = false;
    for (const s of this.held) s.destroy();
    this.held.clear();
  }

  close(): Promise<void> {
    for (const s of [...this.live, ...this.held]) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private hold(s: net.Socket): void {
    s.unpipe();
    s.pause();
    this.held.add(s);
  }

  private accept(client: net.Socket): void {
    client.on('error', () => client.destroy());
    if (this.partitioned) {
      // Accepted by the kernel, never answered: the client sees a timeout.
      client.pause();
      this.held.add(client);
      client.on('close', () => this.held.delete(client));
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      upstream.destroy();
      this.live.delete(client);
      this.live.delete(upstream);
      this.held.delete(client);
      this.held.delete(upstream);
    });
    upstream.on('close', () => {
      if (!this.held.has(client)) client.destroy();
    });
    this.live.add(client);
    this.live.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
