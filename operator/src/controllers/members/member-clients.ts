// One ObjectClient per member, built from that member's own KubeConfig and
// rebuilt only when its kubeconfig Secret changes (fingerprint).
import { FIELD_MANAGER } from '../../api/index.js';
import type { MemberRegistry } from '../../members/index.js';
import { ObjectClient } from '../../runtime/object-client.js';

export class MemberClients {
  private readonly clients = new Map<string, { fingerprint: string; client: ObjectClient }>();

  constructor(
    private readonly registry: MemberRegistry,
    private readonly timeoutMs = 10_000,
  ) {}

  /** The member's client, or undefined while its kubeconfig is unusable. */
  get(memberKey: string): ObjectClient | undefined {
    const snap = this.registry.get(memberKey);
    if (!snap?.kubeConfig) {
      this.clients.delete(memberKey);
      return undefined;
    }
    const cached = this.clients.get(memberKey);
    if (cached && cached.fingerprint === snap.fingerprint) return cached.client;
    const client = ObjectClient.forConfig(snap.kubeConfig, {
      fieldManager: FIELD_MANAGER,
      timeoutMs: this.timeoutMs,
    });
    this.clients.set(memberKey, { fingerprint: snap.fingerprint, client });
    return client;
  }
}
