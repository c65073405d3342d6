// Keeps voluntary disruptions (node drains) from taking a component's last pod.
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { Component } from '../api/index.js';
import type { GatewayRef } from './labels.js';
import { componentLabels, componentSelector } from './labels.js';
import { componentObjectName } from './names.js';

/**
 * minAvailable 1 with several replicas; with one replica, maxUnavailable 1 (minAvailable 1 would
 * block every node drain). Unhealthy pods may always be evicted, so a broken pod never blocks one.
 */
export function renderPodDisruptionBudget(
  gw: GatewayRef,
  component: Component,
  replicas: number,
): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: componentObjectName(gw.name, component),
      namespace: gw.namespace,
      labels: componentLabels(gw, component),
    },
    spec: {
      ...(replicas > 1 ? { minAvailable: 1 } : { maxUnavailable: 1 }),
      selector: { matchLabels: componentSelector(gw, component) },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  };
}
