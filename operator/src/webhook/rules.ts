// The admission rules: what the CRD schema and CEL cannot say.
//
//   (schema)  the object matches its CRD schema (ajv over the generated schemas)     deny (422)
//   (a)       an EdgeSite's / CloudCluster's kubeconfig Secret exists in the
//             operator's namespace and holds a parseable kubeconfig under its key    deny (403)
//   (b)       a gateway's siteSelector currently matches enough usable EdgeSites
//             for spec.authorization.sites (and its ledger / analytics clusters
//             exist)                                                                 warning
//   (c)       every image is a valid reference                                       deny (403)
//             (unpinned or registry-less images)                                    warning
//   (d)       an EdgeSite or CloudCluster that still holds placements cannot be
//             deleted: cordon it (EdgeSite) and let its placements drain first       deny (403)
//
// Ratcheting: on UPDATE, only what changed is checked again. An update whose spec is
// unchanged (labels, annotations, finalizers, status) is always allowed, and so is any
// update of an object that is being deleted, so a later problem (a Secret deleted since) never
// blocks cordoning a site or removing a finalizer. Rule (a) runs on UPDATE only when
// kubeconfigSecretRef changed, rule (c) only for images that changed.
//
// Every lookup shares one deadline (3 s by default, below the webhook's 5 s timeout): a
// lookup that does not answer in time denies with a "try again" message (rule a, d) or adds a
// warning (rule b), so the apiserver always gets an answer before it gives up.
//
// Messages never contain a Secret's content: kubeconfig problems come from
// members/kubeconfig.ts, which only names fields and keys.
import { isDeepStrictEqual } from 'node:util';
import type { V1Secret } from '@kubernetes/client-node';
import {
  GROUP,
  MemberConditionType,
  isConditionTrue,
  type CloudCluster,
  type EdgeSite,
  type Kind,
  type PaymentGateway,
  type PlacementState,
  type SecretKeyRef,
} from '../api/index.js';
import {
  DEFAULT_KUBECONFIG_KEY,
  kubeConfigFromSecret,
  type KubeconfigParseOptions,
} from '../members/kubeconfig.js';
import { KubeconfigReason } from '../members/reasons.js';
import { describeLabelSelector, matchesLabelSelector } from '../placement/labelSelector.js';
import { allow, deny, type AdmissionRequest, type Verdict } from './admission.js';
import { checkImageReference } from './image.js';
import { SchemaValidator } from './schema.js';

/** What the rules read. Implementations may ignore `signal`; the rules enforce the deadline anyway. */
export interface WebhookLookups {
  /** A Secret in the operator's namespace; undefined when it does not exist. */
  getSecret(name: string, signal?: AbortSignal): Promise<V1Secret | undefined>;
  /** Every EdgeSite (from the operator's cache). */
  listEdgeSites(signal?: AbortSignal): readonly EdgeSite[] | Promise<readonly EdgeSite[]>;
  /** Every PaymentGateway, in all namespaces (from the operator's cache). */
  listGateways(signal?: AbortSignal): readonly PaymentGateway[] | Promise<readonly PaymentGateway[]>;
  /** Every CloudCluster; optional (without it, ledger/analytics references are not checked). */
  listCloudClusters?(signal?: AbortSignal): readonly CloudCluster[] | Promise<readonly CloudCluster[]>;
}

export interface RulesOptions {
  /** The operator's namespace, where kubeconfig Secrets live. */
  readonly namespace: string;
  readonly lookups: WebhookLookups;
  /** Deadline for all lookups of one request, in ms (default 3000). */
  readonly deadlineMs?: number;
  /** How the operator reads member kubeconfigs (the webhook must accept exactly what it accepts). */
  readonly kubeconfig?: Pick<KubeconfigParseOptions, 'allowCredentialPlugins' | 'allowFileReferences'>;
  readonly schema?: SchemaValidator;
}

export const DEFAULT_DEADLINE_MS = 3_000;

/**
 * Placement states that mean the member still runs (or is about to stop running) a workload
 * the operator must manage there: deleting the member would orphan it. Lost placements do not
 * hold a member: their member is unreachable, and an SRE must be able to delete a site that
 * is gone for good.
 */
export const HOLDING_STATES: readonly PlacementState[] = ['Active', 'Standby', 'FailoverTarget', 'Draining'];

/** The kind of a request, when it is one of paygrid's. */
export function paygridKind(request: AdmissionRequest): Kind | undefined {
  if (request.kind.group !== GROUP) return undefined;
  const k = request.kind.kind;
  return k === 'EdgeSite' || k === 'CloudCluster' || k === 'PaymentGateway' ? k : undefined;
}

class DeadlineExceeded extends Error {
  constructor(
    readonly what: string,
    ms: number,
  ) {
    super(`${what} did not answer within ${ms / 1000} s`);
  }
}

class LookupFailed extends Error {
  constructor(
    readonly what: string,
    cause: unknown,
  ) {
    super(`${what} failed: ${describeLookupError(cause)}`);
  }
}

function describeLookupError(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'number') return `HTTP ${code}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** One request's deadline, shared by its lookups. */
class Deadline {
  private readonly controller = new AbortController();
  private readonly end: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly ms: number) {
    this.end = Date.now() + ms;
    this.timer = setTimeout(() => this.controller.abort(new Error('deadline exceeded')), ms);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Runs a lookup; rejects with DeadlineExceeded when the deadline passes first. */
  async run<T>(what: string, lookup: (signal: AbortSignal) => T | Promise<T>): Promise<T> {
    const remaining = this.end - Date.now();
    if (remaining <= 0) throw new DeadlineExceeded(what, this.ms);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineExceeded(what, this.ms)), remaining);
      timer.unref();
    });
    try {
      const value = Promise.resolve().then(() => lookup(this.signal));
      return await Promise.race([
        value.catch((err: unknown) => {
          throw err instanceof DeadlineExceeded ? err : new LookupFailed(what, err);
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The request is answered: cancel whatever lookup is still running. */
  dispose(): void {
    clearTimeout(this.timer);
    this.controller.abort(new Error('admission request answered'));
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const nameOf = (o: unknown): string => (isObj(o) && isObj(o.metadata) ? String(o.metadata.name ?? '') : '');

/** A problem with one field, and how to fix it. */
interface Problem {
  readonly field: string;
  readonly message: string;
}
const joinProblems = (problems: readonly Problem[]) =>
  problems.map((p) => `${p.field}: ${p.message}`).join('; ');

export class AdmissionRules {
  private readonly schema: SchemaValidator;
  private readonly deadlineMs: number;

  constructor(private readonly options: RulesOptions) {
    this.schema = options.schema ?? new SchemaValidator();
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  }

  /** Decides one admission request. Never throws. */
  async review(request: AdmissionRequest): Promise<Verdict> {
    const kind = paygridKind(request);
    // Not ours (a misconfigured webhook rule), or a subresource (status, finalizers): no opinion.
    if (!kind || request.subResource) return allow();
    const deadline = new Deadline(this.deadlineMs);
    try {
      switch (request.operation) {
        case 'DELETE':
          return kind === 'PaymentGateway'
            ? allow()
            : await this.memberDeletion(kind, request.oldObject, request.name ?? '', deadline);
        case 'CREATE':
        case 'UPDATE':
          return await this.createOrUpdate(kind, request, deadline);
        default:
          return allow();
      }
    } catch (err) {
      // A lookup that failed or timed out: the webhook cannot vouch for the object.
      const detail = err instanceof Error ? err.message : String(err);
      return deny(
        `paygrid could not check this ${kind} (${detail}); nothing is wrong with it as far as paygrid knows: try again in a few seconds`,
        { code: 503, reason: 'ServiceUnavailable' },
      );
    } finally {
      deadline.dispose();
    }
  }

  private async createOrUpdate(kind: Kind, request: AdmissionRequest, deadline: Deadline): Promise<Verdict> {
    const object = request.object;
    const old = request.operation === 'UPDATE' ? request.oldObject : undefined;
    if (!isObj(object))
      return deny(`the request carries no ${kind} object`, { code: 400, reason: 'BadRequest' });
    if (isObj(old)) {
      const meta = isObj(object.metadata) ? object.metadata : {};
      if (meta.deletionTimestamp) return allow();
      if (isDeepStrictEqual(object.spec, old.spec)) return allow();
    }

    const invalid = this.schema.validate(kind, object);
    if (invalid.length > 0) {
      return deny(`${kind} ${nameOf(object)} does not match its CRD schema: ${joinProblems(invalid)}`, {
        code: 422,
        reason: 'Invalid',
      });
    }

    switch (kind) {
      case 'EdgeSite':
      case 'CloudCluster':
        return this.member(
          kind,
          object as unknown as EdgeSite | CloudCluster,
          old as EdgeSite | undefined,
          deadline,
        );
      case 'PaymentGateway':
        return this.gateway(object as unknown as PaymentGateway, old as PaymentGateway | undefined, deadline);
    }
  }

  // ---------------------------------------------------------------- rule (a)

  private async member(
    kind: 'EdgeSite' | 'CloudCluster',
    member: EdgeSite | CloudCluster,
    old: EdgeSite | CloudCluster | undefined,
    deadline: Deadline,
  ): Promise<Verdict> {
    const ref = member.spec.kubeconfigSecretRef;
    // A CloudCluster without a reference is the hub itself.
    if (!ref) return allow();
    if (old && isDeepStrictEqual(old.spec?.kubeconfigSecretRef, ref)) return allow();
    const problem = await this.kubeconfigProblem(ref, deadline);
    if (!problem) return allow();
    return deny(`${kind} ${nameOf(member)}: ${joinProblems([problem])}`);
  }

  private async kubeconfigProblem(ref: SecretKeyRef, deadline: Deadline): Promise<Problem | undefined> {
    const { namespace, lookups } = this.options;
    const secret = await deadline.run(`reading Secret ${namespace}/${ref.name}`, (signal) =>
      lookups.getSecret(ref.name, signal),
    );
    const result = kubeConfigFromSecret(secret, ref, { namespace, ...this.options.kubeconfig });
    if (result.ok) return undefined;
    const key = ref.key || DEFAULT_KUBECONFIG_KEY;
    switch (result.reason) {
      case KubeconfigReason.SecretNotFound:
        return { field: 'spec.kubeconfigSecretRef.name', message: result.message };
      case KubeconfigReason.SecretKeyMissing:
        return { field: 'spec.kubeconfigSecretRef.key', message: result.message };
      default:
        return {
          field: 'spec.kubeconfigSecretRef',
          message:
            `${result.message}; fix the kubeconfig and replace the Secret: kubectl -n ${namespace} create secret generic ` +
            `${ref.name} --from-file=${key}=<member.kubeconfig> --dry-run=client -o yaml | kubectl apply -f -`,
        };
    }
  }

  // ---------------------------------------------------------------- rules (b) and (c)

  private async gateway(
    gw: PaymentGateway,
    old: PaymentGateway | undefined,
    deadline: Deadline,
  ): Promise<Verdict> {
    const warnings: string[] = [];
    const problems: Problem[] = [];

    const images: [string, string | undefined, string | undefined][] = [
      ['spec.authorization.image', gw.spec.authorization?.image, old?.spec?.authorization?.image],
      ['spec.ledger.image', gw.spec.ledger?.image, old?.spec?.ledger?.image],
      ['spec.analytics.image', gw.spec.analytics?.image, old?.spec?.analytics?.image],
    ];
    for (const [field, image, before] of images) {
      if (image === undefined || (old && image === before)) continue;
      const check = checkImageReference(image);
      if (!check.ok) {
        problems.push({
          field,
          message: `"${image}" is not a valid image reference: ${check.problem}; write it as registry/repository:tag or registry/repository@sha256:<digest>, e.g. ghcr.io/paygrid/authorization:0.1.0`,
        });
      } else {
        for (const w of check.warnings) warnings.push(`${field} "${image}" ${w}`);
      }
    }
    if (problems.length > 0) {
      return deny(`PaymentGateway ${nameOf(gw)}: ${joinProblems(problems)}`, { warnings });
    }

    try {
      warnings.push(...(await this.siteWarnings(gw, deadline)));
      warnings.push(...(await this.cloudWarnings(gw, deadline)));
    } catch (err) {
      // Warnings are advice: a lookup that cannot answer must not block the gateway.
      warnings.push(
        `paygrid could not check the gateway's sites now (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    return allow(warnings);
  }

  private async siteWarnings(gw: PaymentGateway, deadline: Deadline): Promise<string[]> {
    const auth = gw.spec.authorization;
    if (!auth) return [];
    const want = auth.sites ?? 2;
    const sites = await deadline.run('listing EdgeSites', (signal) =>
      this.options.lookups.listEdgeSites(signal),
    );
    const selected = sites.filter((s) => matchesLabelSelector(auth.siteSelector, s.metadata?.labels ?? {}));
    const usable = selected.filter((s) => s.spec?.cordoned !== true);
    const names = (list: readonly EdgeSite[]) =>
      list.length === 0
        ? 'none'
        : list
            .map((s) => s.metadata?.name ?? '?')
            .sort()
            .join(', ');
    const selector = `spec.authorization.siteSelector (${describeLabelSelector(auth.siteSelector)})`;
    if (usable.length < want) {
      const cordoned = selected.length - usable.length;
      return [
        `${selector} matches ${usable.length} uncordoned EdgeSite(s) [${names(usable)}]` +
          `${cordoned > 0 ? ` and ${cordoned} cordoned` : ''}, fewer than spec.authorization.sites=${want}: ` +
          'the gateway will run Degraded on fewer sites; label more EdgeSites or lower sites',
      ];
    }
    const ready = usable.filter((s) => isConditionTrue(s.status?.conditions, MemberConditionType.Ready));
    if (ready.length < want) {
      return [
        `only ${ready.length} of the ${usable.length} EdgeSites matching ${selector} are Ready now ` +
          `[${names(ready)}], fewer than spec.authorization.sites=${want}: the gateway starts Degraded until more are Ready`,
      ];
    }
    return [];
  }

  private async cloudWarnings(gw: PaymentGateway, deadline: Deadline): Promise<string[]> {
    const list = this.options.lookups.listCloudClusters;
    if (!list) return [];
    const clouds = await deadline.run('listing CloudClusters', (signal) =>
      list.call(this.options.lookups, signal),
    );
    const names = new Set(clouds.map((c) => c.metadata?.name ?? ''));
    const out: string[] = [];
    const ledger = gw.spec.ledger;
    if (ledger?.primary && !names.has(ledger.primary)) {
      out.push(
        `spec.ledger.primary: CloudCluster ${ledger.primary} does not exist (yet): the ledger is not placed until it does`,
      );
    }
    for (const [i, standby] of (ledger?.standbys ?? []).entries()) {
      if (!names.has(standby))
        out.push(`spec.ledger.standbys[${i}]: CloudCluster ${standby} does not exist (yet)`);
    }
    const analytics = gw.spec.analytics;
    if (
      analytics &&
      !clouds.some((c) => matchesLabelSelector(analytics.cloudSelector, c.metadata?.labels ?? {}))
    ) {
      out.push(
        `spec.analytics.cloudSelector (${describeLabelSelector(analytics.cloudSelector)}) matches no CloudCluster: analytics is not placed until one matches`,
      );
    }
    return out;
  }

  // ---------------------------------------------------------------- rule (d)

  private async memberDeletion(
    kind: 'EdgeSite' | 'CloudCluster',
    oldObject: unknown,
    requestName: string,
    deadline: Deadline,
  ): Promise<Verdict> {
    const name = nameOf(oldObject) || requestName;
    const gateways = await deadline.run('listing PaymentGateways', (signal) =>
      this.options.lookups.listGateways(signal),
    );
    const holding: string[] = [];
    let lost = 0;
    for (const gw of gateways) {
      for (const p of gw.status?.placements ?? []) {
        if (p.member !== name || p.memberKind !== kind) continue;
        if (p.state === 'Lost') lost++;
        else if (HOLDING_STATES.includes(p.state)) {
          holding.push(
            `${gw.metadata?.namespace ?? ''}/${gw.metadata?.name ?? ''} ${p.component} ${p.state}`,
          );
        }
      }
    }
    const lostWarning =
      lost > 0
        ? [
            `${kind} ${name} had ${lost} Lost placement(s): if its cluster comes back, paygrid no longer manages their workloads there; delete them by hand (label app.kubernetes.io/managed-by=paygrid)`,
          ]
        : [];
    if (holding.length === 0) return allow(lostWarning);

    holding.sort();
    const shown =
      holding.slice(0, 5).join(', ') + (holding.length > 5 ? `, and ${holding.length - 5} more` : '');
    const what = `${kind} ${name} still holds ${holding.length} placement(s) (${shown})`;
    const watch = 'kubectl get pgw -A -o wide shows where each gateway serves';
    if (kind === 'CloudCluster') {
      return deny(
        `${what}: move them first: point spec.ledger.primary / spec.ledger.standbys of those PaymentGateways at another ` +
          `CloudCluster, or narrow spec.analytics.cloudSelector, and wait until their status.placements no longer name ${name} (${watch}); then delete it`,
      );
    }
    const cordoned = isObj(oldObject) && isObj(oldObject.spec) && oldObject.spec.cordoned === true;
    if (!cordoned) {
      return deny(
        `${what} and spec.cordoned is not true: cordon it first: kubectl patch es ${name} --type merge -p '{"spec":{"cordoned":true}}' ` +
          `and wait until its placements drain (status.placements of those PaymentGateways no longer name ${name}; ${watch}); then delete it`,
      );
    }
    return deny(
      `${what}; it is cordoned (spec.cordoned: true), so they are moving to other sites: wait until its placements drain ` +
        `(status.placements of those PaymentGateways no longer name ${name}; ${watch}), then delete it again`,
    );
  }
}
