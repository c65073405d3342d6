// Watches paygrid's Deployments on every member (one informer per member,
// built from that member's own KubeConfig), so the gateway controller knows
// what is really running and is woken when a rollout progresses or breaks.
import type { KubeConfig, V1Deployment } from '@kubernetes/client-node';
import { LABEL_INSTANCE, LABEL_MANAGED_BY, MANAGED_BY } from '../../api/index.js';
import { Informer, KubeListWatchSource, type KubeObject } from '../../runtime/informer.js';
import type { Logger } from '../../runtime/logger.js';

type Deployment = V1Deployment & KubeObject;

interface Watched {
  fingerprint: string;
  informer: Informer<Deployment>;
  startedAt: number;
}

/** How long a member's first list may take before its workloads count as unobservable. */
const SYNC_GRACE_MS = 30_000;

export interface MemberWorkloadsOptions {
  logger: Logger;
  resyncPeriodMs: number;
  /** Called with the gateway (namespace/name) whose Deployment on some member changed. */
  onGatewayWorkloadChange: (gatewayKey: string) => void;
}

export class MemberWorkloads {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly opts: MemberWorkloadsOptions) {}

  /** Starts (or restarts, when the kubeconfig changed) the informer of one member. */
  sync(memberKey: string, kubeConfig: KubeConfig | undefined, fingerprint: string): void {
    const current = this.watched.get(memberKey);
    if (current && current.fingerprint === fingerprint && kubeConfig) return;
    if (current) {
      void current.informer.stop();
      this.watched.delete(memberKey);
    }
    if (!kubeConfig) return;
    const informer = new Informer<Deployment>({
      source: new KubeListWatchSource<Deployment>(kubeConfig, { apiVersion: 'apps/v1', kind: 'Deployment' }),
      name: `Deployment@${memberKey}`,
      labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY}`,
      resyncPeriodMs: this.opts.resyncPeriodMs,
      // The stall timeout stays the default (two bookmarks missed): a member that dies is found
      // by the health probes in seconds, not by this, and a timeout at the bookmark interval
      // restarted every quiet watch once a minute.
      logger: this.opts.logger.child({ member: memberKey }),
    });
    const notify = (d: Deployment) => {
      const name = d.metadata?.labels?.[LABEL_INSTANCE];
      if (name && d.metadata?.namespace) this.opts.onGatewayWorkloadChange(`${d.metadata.namespace}/${name}`);
    };
    informer.addEventHandler({ onAdd: notify, onUpdate: (_old, d) => notify(d), onDelete: notify });
    informer.start();
    this.watched.set(memberKey, { fingerprint, informer, startedAt: Date.now() });
  }

  remove(memberKey: string): void {
    const w = this.watched.get(memberKey);
    if (!w) return;
    void w.informer.stop();
    this.watched.delete(memberKey);
  }

  /** The cached Deployment, if the member's informer has synced and has it. */
  deployment(memberKey: string, namespace: string, name: string): V1Deployment | undefined {
    return this.watched.get(memberKey)?.informer.get(`${namespace}/${name}`);
  }

  /** The member's informer is still doing its first list (bounded by a grace period). */
  syncPending(memberKey: string): boolean {
    const w = this.watched.get(memberKey);
    if (!w) return true;
    return !w.informer.hasSynced() && Date.now() - w.startedAt < SYNC_GRACE_MS;
  }

  hasSynced(memberKey: string): boolean {
    return this.watched.get(memberKey)?.informer.hasSynced() ?? false;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.watched.values()].map((w) => w.informer.stop()));
    this.watched.clear();
  }
}
