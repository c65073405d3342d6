// The ConfigMap of one placement (see config.ts for what is in it).
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Component } from '../api/index.js';
import type { GatewayRef } from './labels.js';
import { componentLabels } from './labels.js';
import { componentObjectName } from './names.js';

export function renderConfigMap(
  gw: GatewayRef,
  component: Component,
  data: Record<string, string>,
): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: componentObjectName(gw.name, component),
      namespace: gw.namespace,
      labels: componentLabels(gw, component),
    },
    data: { ...data },
  };
}
