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
  };
  readonly ledger: {
    readonly image: string;
    readonly replicas: number;
    readonly primary: string;
    readonly standbys: readonly string[];
    readonly databaseSecretRef?: { readonly name: string; readonly key: string };
    readonly resources: ResolvedResources;
  };
  readonly analytics?: {
    readonly image: string;
    readonly replicas: number;
    readonly cloudSelector: LabelSelector;
    readonly resources: ResolvedResources;
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

/** The gateway's spec with CRD defaults applied, plus its namespace and name. */
export function resolveGatewaySpec(gateway: PaymentGateway): ResolvedGatewaySpec {
  const { authorization, ledger, analytics, failover } = gateway.spec;
  const standIn = authorization.standIn;
  const secretRef = ledger.databaseSecretRef;
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
    },
    ledger: {
      image: ledger.image,
      replicas: ledger.replicas ?? 1,
      primary: ledger.primary,
      standbys: [...new Set(ledger.standbys ?? [])].filter((s) => s !== ledger.primary),
      ...(secretRef ? { databaseSecretRef: { name: secretRef.name, key: secretRef.key ?? 'url' } } : {}),
      resources: DEFAULT_RESOURCES,
    },
    ...(analytics
      ? {
          analytics: {
            image: analytics.image,
            replicas: analytics.replicas ?? 1,
            cloudSelector: analytics.cloudSelector ?? {},
            resources: DEFAULT_RESOURCES,
          },
        }
      : {}),
    failover: failoverWithDefaults(failover),
  };
}
