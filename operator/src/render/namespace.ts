// The gateway's namespace on a member, with the restricted Pod Security Standard enforced.
import type { V1Namespace } from '@kubernetes/client-node';
import { LABEL_MANAGED_BY, LABEL_PART_OF, MANAGED_BY, PART_OF } from '../api/index.js';

export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
};

/**
 * The namespace has the gateway's own namespace name (payments → payments), so names and RBAC read
 * the same on the hub and on members. Several gateways of one namespace share it, so it carries
 * no gateway or component label (pruning one gateway must never delete it) and paygrid never
 * deletes it.
 */
export function renderNamespace(name: string): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { [LABEL_PART_OF]: PART_OF, [LABEL_MANAGED_BY]: MANAGED_BY, ...POD_SECURITY_LABELS },
    },
  };
}
