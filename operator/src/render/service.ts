// The in-cluster Service of one component: ClusterIP, port 8080 named http.
import type { V1Service } from '@kubernetes/client-node';
import type { Component } from '../api/index.js';
import type { GatewayRef } from './labels.js';
import { componentLabels, componentSelector } from './labels.js';
import { componentObjectName } from './names.js';
import { HTTP_PORT, HTTP_PORT_NAME } from './ports.js';

export function renderService(gw: GatewayRef, component: Component): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: componentObjectName(gw.name, component),
      namespace: gw.namespace,
      labels: componentLabels(gw, component),
    },
    spec: {
      type: 'ClusterIP',
      selector: componentSelector(gw, component),
      ports: [{ name: HTTP_PORT_NAME, port: HTTP_PORT, targetPort: HTTP_PORT_NAME, protocol: 'TCP' }],
    },
  };
}
