// The Secrets the payment services read: which spec field names each, where the copy lives on a
// member (`<gateway>-<component>-<purpose>`) and where the service finds it in its container. The
// SRE creates the Secret once, in the gateway's namespace on the hub; the operator copies the one
// key the spec names to every member that runs the component (controllers/gateway/secrets.ts reads
// it). Only that key is copied, under the file name the service reads, nothing else of the Secret.
import type { V1Secret } from '@kubernetes/client-node';
import type { Component } from '../api/index.js';
import type { ResolvedGatewaySpec, ResolvedSecretRef } from '../placement/gatewaySpec.js';
import type { GatewayRef } from './labels.js';
import { componentLabels } from './labels.js';
import { componentObjectName } from './names.js';

export interface ComponentSecretMount {
  /** The spec field that names the hub Secret, for messages. */
  readonly field: string;
  /** Suffix of the member copy's name, and the volume's. */
  readonly purpose: 'tokenization' | 'database';
  /** Directory of the volume in the container (the services' default paths, workloads/kit settings.ts). */
  readonly mountPath: string;
  /** File name in that directory. */
  readonly file: string;
}

export const SECRET_MOUNTS: Readonly<Record<Component, ComponentSecretMount>> = {
  authorization: {
    field: 'spec.authorization.tokenizationKeySecretRef',
    purpose: 'tokenization',
    mountPath: '/var/run/secrets/paygrid/tokenization',
    file: 'key',
  },
  ledger: {
    field: 'spec.ledger.databaseSecretRef',
    purpose: 'database',
    mountPath: '/var/run/secrets/paygrid/database',
    file: 'url',
  },
  analytics: {
    field: 'spec.analytics.databaseSecretRef',
    purpose: 'database',
    mountPath: '/var/run/secrets/paygrid/database',
    file: 'url',
  },
};

/** The hub Secret a component's spec names, if any. */
export function componentSecretRef(
  spec: ResolvedGatewaySpec,
  component: Component,
): ResolvedSecretRef | undefined {
  switch (component) {
    case 'authorization':
      return spec.authorization.tokenizationKeySecretRef;
    case 'ledger':
      return spec.ledger.databaseSecretRef;
    case 'analytics':
      return spec.analytics?.databaseSecretRef;
    default:
      return undefined;
  }
}

/** Name of the member copy: `<gateway>-<component>-<purpose>`. */
export function componentSecretName(gatewayName: string, component: Component): string {
  return `${componentObjectName(gatewayName, component)}-${SECRET_MOUNTS[component].purpose}`;
}

/** The member copy's identity (apiVersion, kind, namespace, name): what is held, pruned and deleted by name. */
export function componentSecretIdentity(gw: GatewayRef, component: Component) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace: gw.namespace, name: componentSecretName(gw.name, component) },
  };
}

/** Every member copy this gateway can have (deleted by name: members never list Secrets). */
export function allComponentSecretIdentities(gw: GatewayRef) {
  return (Object.keys(SECRET_MOUNTS) as Component[]).map((c) => componentSecretIdentity(gw, c));
}

/** A hub Secret's key as read for copying. */
export interface CopiedSecret {
  /** The key's value, base64 as in the hub Secret's data. */
  readonly value: string;
  /**
   * `<uid>/<resourceVersion>` of the hub Secret: on the pod template, so a change of the Secret
   * rolls the pods (the services read their Secret at start). Not a hash of the value, which an
   * offline guess could test a weak database password against.
   */
  readonly version: string;
}

/** Pod template annotation with CopiedSecret.version. */
export const SECRET_VERSION_ANNOTATION = 'paygrid.io/secret-version';

export function renderComponentSecret(gw: GatewayRef, component: Component, copied: CopiedSecret): V1Secret {
  const identity = componentSecretIdentity(gw, component);
  return {
    ...identity,
    metadata: { ...identity.metadata, labels: componentLabels(gw, component) },
    type: 'Opaque',
    immutable: false,
    data: { [SECRET_MOUNTS[component].file]: copied.value },
  };
}
