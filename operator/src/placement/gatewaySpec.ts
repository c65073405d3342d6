// A PaymentGateway spec with every default filled in. The apiserver applies the CRD defaults, so
// these only matter for objects that never went through it (tests, dry runs, old clients); they
// mirror the defaults in crds/paygrid.io_paymentgateways.yaml (spec.failover's come from the API
// package).
import { failoverWithDefaults } from '../api/index.js';
import type { LabelSelector, PaymentGateway, ResourceRequirements } from '../api/index.js';
import type { FailoverMode, FallbackTier, SpreadBy } from './types.js';

export interface ResolvedResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** A Secret key named by the spec, the key's default filled in. */
export interface ResolvedSecretRef {
  readonly name: string;
  readonly key: string;
}

export interface ResolvedGatewaySpec {
  readonly namespace: string;
  readonly name: string;
  readonly authorization: {
    readonly image: string;
    readonly replicas: number;
    readonly siteSelector: LabelSelector;
    readonly sites: number;
    readonly spreadBy: SpreadBy;
    readonly authorizationsPerSecond: number;
    readonly standIn: {
      readonly floorLimitMinor: number;
      readonly maxOfflineCount: number;
      readonly maxOfflineAmountMinor: number;
      readonly currency: string;
    };
    readonly resources: ResolvedResources;
    readonly tokenizationKeySecretRef?: ResolvedSecretRef;
  };
  readonly ledger: {
    readonly image: string;
    readonly replicas: number;
    readonly primary: string;
    readonly standbys: readonly string[];
    readonly databaseSecretRef?: ResolvedSecretRef;
    readonly resources: ResolvedResources;
  };
  readonly analytics?: {
    readonly image: string;
    readonly replicas: number;
    readonly cloudSelector: LabelSelector;
    readonly resources: ResolvedResources;
    readonly databaseSecretRef?: ResolvedSecretRef;
  };
  readonly failover: {
    readonly mode: FailoverMode;
    readonly detectionWindowSeconds: number;
    readonly fallback: readonly FallbackTier[];
    readonly failbackStabilizationSeconds: number;
    readonly paused: boolean;
  };
}

/** Requests and limits for components whose spec has no resources field (ledger, analytics). */
export const DEFAULT_RESOURCES: ResolvedResources = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};

function quantity(value: string | number | undefined, fallback: string): string {
  return value === undefined || value === '' ? fallback : String(value);
}

function resolveResources(resources: ResourceRequirements | undefined): ResolvedResources {
  return {
    requests: {
      cpu: quantity(resources?.requests?.cpu, DEFAULT_RESOURCES.requests.cpu),
      memory: quantity(resources?.requests?.memory, DEFAULT_RESOURCES.requests.memory),
    },
    limits: {
      cpu: quantity(resources?.limits?.cpu, DEFAULT_RESOURCES.limits.cpu),
      memory: quantity(resources?.limits?.memory, DEFAULT_RESOURCES.limits.memory),
    },
  };
}

function secretRef<F extends string>(
  field: F,
  ref: { name: string; key?: string } | undefined,
  defaultKey: string,
): { [K in F]?: ResolvedSecretRef } {
  return (ref ? { [field]: { name: ref.name, key: ref.key ?? defaultKey } } : {}) as {
    [K in F]?: ResolvedSecretRef;
  };
}

/** The gateway's spec with CRD defaults applied, plus its namespace and name. */
export function resolveGatewaySpec(gateway: PaymentGateway): ResolvedGatewaySpec {
  const { authorization, ledger, analytics, failover } = gateway.spec;
  const standIn = authorization.standIn;
  return {
    namespace: gateway.metadata?.namespace ?? '',
    name: gateway.metadata?.name ?? '',
    authorization: {
      image: authorization.image,
      replicas: authorization.replicas ?? 2,
      siteSelector: authorization.siteSelector ?? {},
      sites: authorization.sites ?? 2,
      spreadBy: authorization.spreadBy ?? 'zone',
      authorizationsPerSecond: authorization.authorizationsPerSecond ?? 100,
      standIn: {
        floorLimitMinor: standIn?.floorLimitMinor ?? 5000,
        maxOfflineCount: standIn?.maxOfflineCount ?? 100,
        maxOfflineAmountMinor: standIn?.maxOfflineAmountMinor ?? 100000,
        currency: standIn?.currency ?? 'EUR',
      },
      resources: resolveResources(authorization.resources),
      ...secretRef('tokenizationKeySecretRef', authorization.tokenizationKeySecretRef, 'key'),
    },
    ledger: {
      image: ledger.image,
      replicas: ledger.replicas ?? 1,
      primary: ledger.primary,
      standbys: [...new Set(ledger.standbys ?? [])].filter((s) => s !== ledger.primary),
      ...secretRef('databaseSecretRef', ledger.databaseSecretRef, 'url'),
      resources: DEFAULT_RESOURCES,
    },
    ...(analytics
      ? {
          analytics: {
            image: analytics.image,
            replicas: analytics.replicas ?? 1,
            cloudSelector: analytics.cloudSelector ?? {},
            resources: DEFAULT_RESOURCES,
            ...secretRef('databaseSecretRef', analytics.databaseSecretRef, 'url'),
          },
        }
      : {}),
    failover: failoverWithDefaults(failover),
  };
}
