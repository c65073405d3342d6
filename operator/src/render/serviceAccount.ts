// One ServiceAccount per component, with no API token mounted (the workloads never call the API).
import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { Component } from '../api/index.js';
import type { GatewayRef } from './labels.js';
import { componentLabels } from './labels.js';
import { componentObjectName } from './names.js';

export function renderServiceAccount(gw: GatewayRef, component: Component): V1ServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: componentObjectName(gw.name, component),
      namespace: gw.namespace,
      labels: componentLabels(gw, component),
    },
    automountServiceAccountToken: false,
  };
}
