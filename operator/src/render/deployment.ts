// The Deployment of one placement: restricted security, probes, a writable /tmp, the ConfigMap
// mounted read-only, a config-hash annotation that rolls the pods when configuration changes
// (but not on an epoch bump), and pods spread over nodes.
import type { V1Deployment, V1EnvVar } from '@kubernetes/client-node';
import type { Component } from '../api/index.js';
import type { ResolvedGatewaySpec, ResolvedResources } from '../placement/gatewaySpec.js';
import { CONFIG_DIR } from './config.js';
import type { GatewayRef } from './labels.js';
import { componentLabels, componentSelector } from './labels.js';
import { componentObjectName } from './names.js';
import { HTTP_PORT, HTTP_PORT_NAME } from './ports.js';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './securityContext.js';

/** Pod template annotation holding configHash() of the ConfigMap. */
export const CONFIG_HASH_ANNOTATION = 'paygrid.io/config-hash';

/** What a component runs, from the resolved spec; undefined when the spec has no such component. */
export interface ComponentWorkload {
  readonly image: string;
  readonly replicas: number;
  readonly resources: ResolvedResources;
  readonly env: readonly V1EnvVar[];
}

export function componentWorkload(
  spec: ResolvedGatewaySpec,
  component: Component,
): ComponentWorkload | undefined {
  switch (component) {
    case 'authorization':
      return { ...spec.authorization, env: [] };
    case 'ledger': {
      const ref = spec.ledger.databaseSecretRef;
      const env: V1EnvVar[] = ref
        ? [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } }]
        : [];
      return { ...spec.ledger, env };
    }
    case 'analytics':
      return spec.analytics ? { ...spec.analytics, env: [] } : undefined;
    default:
      return undefined;
  }
}

export interface DeploymentInput {
  readonly gw: GatewayRef;
  readonly component: Component;
  readonly workload: ComponentWorkload;
  readonly replicas: number;
  readonly configHash: string;
}

export function renderDeployment({
  gw,
  component,
  workload,
  replicas,
  configHash,
}: DeploymentInput): V1Deployment {
  const name = componentObjectName(gw.name, component);
  const labels = componentLabels(gw, component);
  const selector = componentSelector(gw, component);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: gw.namespace, labels },
    spec: {
      replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      // Never below the desired count while rolling: payments keep their capacity.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels, annotations: { [CONFIG_HASH_ANNOTATION]: configHash } },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: restrictedPodSecurityContext(),
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              // Edge sites are often a single node: spread when possible, never refuse to schedule.
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selector },
              matchLabelKeys: ['pod-template-hash'],
            },
          ],
          containers: [
            {
              name: component,
              image: workload.image,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: HTTP_PORT_NAME, containerPort: HTTP_PORT, protocol: 'TCP' }],
              env: [
                { name: 'PAYGRID_CONFIG_DIR', value: CONFIG_DIR },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                ...workload.env,
              ],
              resources: {
                requests: { ...workload.resources.requests },
                limits: { ...workload.resources.limits },
              },
              securityContext: restrictedContainerSecurityContext(),
              startupProbe: {
                httpGet: { path: '/healthz', port: HTTP_PORT_NAME },
                periodSeconds: 2,
                timeoutSeconds: 1,
                failureThreshold: 30,
              },
              readinessProbe: {
                httpGet: { path: '/readyz', port: HTTP_PORT_NAME },
                periodSeconds: 2,
                timeoutSeconds: 1,
                failureThreshold: 2,
                successThreshold: 1,
              },
              livenessProbe: {
                httpGet: { path: '/healthz', port: HTTP_PORT_NAME },
                periodSeconds: 10,
                timeoutSeconds: 2,
                failureThreshold: 3,
              },
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            { name: 'config', configMap: { name } },
          ],
        },
      },
    },
  };
}
