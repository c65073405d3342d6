// The Deployment of one placement: restricted security, the services' own probes (/livez for
// liveness and startup, /readyz for readiness), a writable /tmp, the ConfigMap mounted read-only at
// /etc/paygrid, the component's Secret copy mounted read-only where the service reads it,
// authorization's store-and-forward journal on its own volume, a config-hash annotation that rolls
// the pods when configuration changes (but not on an epoch bump), and pods spread over nodes.
import type { V1Deployment, V1EnvVar, V1PodSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { Component, MemberWorkloads } from '../api/index.js';
import type { ResolvedGatewaySpec, ResolvedResources } from '../placement/gatewaySpec.js';
import { CONFIG_DIR } from './config.js';
import type { GatewayRef } from './labels.js';
import { componentLabels, componentSelector } from './labels.js';
import { componentObjectName } from './names.js';
import { HTTP_PORT, HTTP_PORT_NAME } from './ports.js';
import { componentSecretName, SECRET_MOUNTS, SECRET_VERSION_ANNOTATION } from './secrets.js';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './securityContext.js';

/** Pod template annotation holding configHash() of the ConfigMap. */
export const CONFIG_HASH_ANNOTATION = 'paygrid.io/config-hash';

/** Where authorization keeps its stand-in journal (workloads/kit settings.ts DEFAULT_PATHS.journalDir). */
export const JOURNAL_DIR = '/var/lib/paygrid/journal';

/** What a component runs, from the resolved spec; undefined when the spec has no such component. */
export interface ComponentWorkload {
  readonly image: string;
  readonly replicas: number;
  readonly resources: ResolvedResources;
  readonly env: readonly V1EnvVar[];
  /** The spec names a Secret for it: the Deployment mounts the member copy. */
  readonly mountsSecret: boolean;
}

export function componentWorkload(
  spec: ResolvedGatewaySpec,
  component: Component,
): ComponentWorkload | undefined {
  switch (component) {
    case 'authorization':
      return { ...spec.authorization, env: [], mountsSecret: !!spec.authorization.tokenizationKeySecretRef };
    case 'ledger':
      return { ...spec.ledger, env: [], mountsSecret: !!spec.ledger.databaseSecretRef };
    case 'analytics':
      return spec.analytics
        ? { ...spec.analytics, env: [], mountsSecret: !!spec.analytics.databaseSecretRef }
        : undefined;
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
  /** CopiedSecret.version of the component's Secret, when it was read this pass. */
  readonly secretVersion?: string;
  /** The member's spec.workloads: which of its nodes the pods may run on. */
  readonly scheduling?: MemberWorkloads;
}

export function renderDeployment({
  gw,
  component,
  workload,
  replicas,
  configHash,
  secretVersion,
  scheduling,
}: DeploymentInput): V1Deployment {
  const name = componentObjectName(gw.name, component);
  const labels = componentLabels(gw, component);
  const selector = componentSelector(gw, component);
  const secret = SECRET_MOUNTS[component];
  const volumes: V1Volume[] = [
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    { name: 'config', configMap: { name } },
  ];
  const mounts: V1VolumeMount[] = [
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
  ];
  if (workload.mountsSecret) {
    // 0440 with the pod's fsGroup: readable by the service's user only.
    volumes.push({
      name: secret.purpose,
      secret: { secretName: componentSecretName(gw.name, component), defaultMode: 0o440 },
    });
    mounts.push({ name: secret.purpose, mountPath: secret.mountPath, readOnly: true });
  }
  if (component === 'authorization') {
    // The stand-in journal: approvals the ledger has not booked yet. It survives container
    // restarts (SIGKILL, OOM, liveness); a deleted pod's journal goes with it.
    volumes.push({ name: 'journal', emptyDir: { sizeLimit: '256Mi' } });
    mounts.push({ name: 'journal', mountPath: JOURNAL_DIR });
  }
  const annotations: Record<string, string> = { [CONFIG_HASH_ANNOTATION]: configHash };
  if (secretVersion) annotations[SECRET_VERSION_ANNOTATION] = secretVersion;
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
        metadata: { labels, annotations },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: restrictedPodSecurityContext(),
          ...schedulingOf(scheduling),
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
                httpGet: { path: '/livez', port: HTTP_PORT_NAME },
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
                httpGet: { path: '/livez', port: HTTP_PORT_NAME },
                periodSeconds: 10,
                timeoutSeconds: 2,
                failureThreshold: 3,
              },
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}

/** The member's node selector and tolerations, copied (empty ones are left out of the pod spec). */
function schedulingOf(s: MemberWorkloads | undefined): Pick<V1PodSpec, 'nodeSelector' | 'tolerations'> {
  const out: Pick<V1PodSpec, 'nodeSelector' | 'tolerations'> = {};
  if (s?.nodeSelector && Object.keys(s.nodeSelector).length > 0) out.nodeSelector = { ...s.nodeSelector };
  if (s?.tolerations && s.tolerations.length > 0) out.tolerations = s.tolerations.map((t) => ({ ...t }));
  return out;
}
