// The owned-objects audit: every resync period, one metadata-only read per kind of what paygrid
// applied on each reachable member (label managed-by=paygrid and the member's own label), compared
// with what the applies answered (owned-drift.ts). Secret copies are never read (members grant no
// get, list or watch on Secrets): one deleted by hand comes back with its gateway's next re-apply —
// any other drift of that gateway on the member, a spec change, or the member reconnecting. What drifted is marked in the applied cache and its gateway
// woken: the next pass re-applies it in place and an Event says what was corrected. Reads only:
// a converged fleet writes nothing (issue 11); Deployments are watched live as well
// (member-workloads.ts), so a scaled-to-zero workload is healed in seconds, not at the next audit.
import { FIELD_MANAGER, LABEL_MANAGED_BY, LABEL_MEMBER, MANAGED_BY } from '../../api/index.js';
import type { MemberRegistry } from '../../members/index.js';
import { managedKinds } from '../../render/index.js';
import { errorText } from '../../runtime/errors.js';
import type { Logger } from '../../runtime/logger.js';
import { ownedFieldsFingerprint } from '../../runtime/managed-fields.js';
import { objectId, objectIdParts, type AppliedCache } from '../gateway/applied-cache.js';
import { isReachable } from '../gateway/member-views.js';
import type { MemberClients } from './member-clients.js';
import { findOwnedDrift, type DriftFindings } from './owned-drift.js';

export interface OwnedObjectsAuditOptions {
  registry: MemberRegistry;
  clients: MemberClients;
  applied: AppliedCache;
  /** How often every member is audited (the resync period); 0 turns the audit off. */
  intervalMs: number;
  logger: Logger;
  /** Wakes a gateway (namespace/name) whose objects drifted. */
  onDrift: (gatewayKey: string) => void;
}

const kindOf = (id: string) => {
  const { apiVersion, kind } = objectIdParts(id);
  return `${apiVersion}|${kind}`;
};

export class OwnedObjectsAudit {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly o: OwnedObjectsAuditOptions) {}

  start(): void {
    if (this.o.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.auditAll().finally(() => (this.running = undefined));
    }, this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Audits every reachable member, one after the other; one that fails never stops the others. */
  async auditAll(): Promise<void> {
    for (const key of this.o.registry.keys()) {
      if (!isReachable(this.o.registry, key)) continue;
      try {
        await this.audit(key);
      } catch (err) {
        this.o.logger.info(
          { member: key, err: errorText(err) },
          'owned-objects audit failed; next period retries',
        );
      }
    }
  }

  /** Reads one member's paygrid objects and marks what drifted. */
  async audit(key: string): Promise<DriftFindings> {
    const entries = this.o.applied.entriesOn(key);
    const client = this.o.clients.get(key);
    if (entries.length === 0 || !client) return { drifted: [], reapply: [], gateways: [] };
    const name = key.slice(key.indexOf('/') + 1);
    const selector = `${LABEL_MANAGED_BY}=${MANAGED_BY},${LABEL_MEMBER}=${name}`;
    const live = new Map<string, string | undefined>();
    const coveredKinds = new Set<string>();
    for (const kind of managedKinds().filter((k) => k.prune === 'label')) {
      const items = await client.listMetadataByLabel(kind.apiVersion, kind.kind, selector);
      for (const item of items) live.set(objectId(key, item), ownedFieldsFingerprint(item, FIELD_MANAGER));
      coveredKinds.add(`${kind.apiVersion}|${kind.kind}`);
    }
    const findings = findOwnedDrift(entries, live, (id) => coveredKinds.has(kindOf(id)));
    if (findings.drifted.length === 0) return findings;
    const owned = new Map(entries.map((e) => [e.id, e.owned]));
    const what = new Map(findings.drifted.map((d) => [d.id, d.what]));
    for (const id of findings.reapply) this.o.applied.markDrifted(id, what.get(id) ?? [], owned.get(id));
    this.o.logger.info(
      {
        member: key,
        drifted: findings.drifted.map((d) => {
          const o = objectIdParts(d.id);
          return `${o.kind}/${o.namespace}/${o.name}`;
        }),
      },
      'objects changed outside paygrid; re-applying',
    );
    for (const gw of findings.gateways) this.o.onDrift(gw);
    return findings;
  }
}
