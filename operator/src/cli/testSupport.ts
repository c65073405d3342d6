// Builders of hub objects for the plugin's tests: EdgeSites, CloudClusters and gateways whose
// status is what the planner would write.
import type { CloudCluster, EdgeSite, PaymentGateway } from '../api/index.js';
import { planGateway } from '../failover/index.js';
import { gateway, type GatewayOptions } from '../placement/testSupport.js';
import { memberViewsFor, type HubSnapshot } from './commands.js';

export const NOW = '2026-11-25T03:00:00Z';

export function edgeSite(
  name: string,
  opts: { zone?: string; health?: 'Healthy' | 'Unreachable'; cordoned?: boolean; placements?: number } = {},
): EdgeSite {
  const healthy = (opts.health ?? 'Healthy') === 'Healthy';
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'EdgeSite',
    metadata: { name, creationTimestamp: new Date('2026-11-25T02:00:00Z') },
    spec: {
      region: 'eu-west',
      zone: opts.zone ?? `${name}-zone`,
      endpoint: `https://${name}.pay.example.com`,
      kubeconfigSecretRef: { name: `paygrid-member-${name}` },
      ...(opts.cordoned ? { cordoned: true } : {}),
    },
    status: {
      health: opts.health ?? 'Healthy',
      healthSince: '2026-11-25T02:00:00Z',
      conditions: [
        {
          type: 'Ready',
          status: healthy && !opts.cordoned ? 'True' : 'False',
          reason: healthy ? (opts.cordoned ? 'Cordoned' : 'Healthy') : 'ProbeFailed',
          message: '',
          lastTransitionTime: '2026-11-25T02:00:00Z',
        },
      ],
      kubernetesVersion: 'v1.33.4+k3s1',
      placements: opts.placements ?? 0,
    },
  };
}

export function cloudCluster(name: string): CloudCluster {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'CloudCluster',
    metadata: { name, creationTimestamp: new Date('2026-11-25T01:00:00Z') },
    spec: { region: 'eu-west', provider: 'aws' },
    status: {
      health: 'Healthy',
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Healthy',
          message: '',
          lastTransitionTime: '2026-11-25T01:00:00Z',
        },
      ],
      kubernetesVersion: 'v1.33.1-eks-1',
      placements: 2,
    },
  };
}

/** The gateway with the status the planner gives it on this hub (every workload available). */
export function placedGateway(
  hub: Omit<HubSnapshot, 'gateways'>,
  options: GatewayOptions = {},
): PaymentGateway {
  const gw = gateway({ ...options, ledger: { primary: 'cloud-a', ...options.ledger } });
  const members = memberViewsFor({ ...hub, gateways: [] });
  const plan = planGateway({ gateway: gw, members, workloads: [], now: NOW });
  const routes = plan.placements
    .filter((p) => p.component === 'authorization' && p.state === 'Active')
    .map((p, priority) => ({ member: p.member, endpoint: `https://${p.member}.pay.example.com`, priority }));
  return {
    ...gw,
    metadata: { ...gw.metadata, creationTimestamp: new Date('2026-11-25T02:30:00Z') },
    status: {
      ...gw.status,
      placements: plan.placements,
      epoch: plan.epoch,
      routes,
      serving: routes.map((r) => r.member).join(','),
      conditions: [
        { type: 'Ready', status: 'True', reason: 'Serving', message: '', lastTransitionTime: NOW },
        { type: 'FailedOver', status: 'False', reason: 'NoFailover', message: '', lastTransitionTime: NOW },
      ],
    },
  };
}
