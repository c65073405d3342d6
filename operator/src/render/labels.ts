// Labels and selectors of the objects paygrid renders onto members. The label keys and the
// `<namespace>.<name>` gateway value come from the API package (one definition for all).
import {
  gatewayLabelValue,
  LABEL_GATEWAY,
  LABEL_INSTANCE,
  LABEL_MANAGED_BY,
  LABEL_NAME,
  LABEL_PART_OF,
  LABEL_PAYGRID_COMPONENT,
  MANAGED_BY,
  PART_OF,
  workloadLabels,
} from '../api/index.js';
import type { Component, PaymentGateway } from '../api/index.js';

/** Namespace and name of a gateway (empty strings when metadata is missing). */
export interface GatewayRef {
  readonly namespace: string;
  readonly name: string;
}

export function gatewayRef(gateway: PaymentGateway): GatewayRef {
  return { namespace: gateway.metadata?.namespace ?? '', name: gateway.metadata?.name ?? '' };
}

/** Labels of every object of one component of a gateway (the shape doc's full set). */
export function componentLabels(gw: GatewayRef, component: Component): Record<string, string> {
  return workloadLabels(gw, component);
}

/** Labels of gateway-wide objects on a member (shared network policies): no component labels. */
export function gatewayLabels(gw: GatewayRef): Record<string, string> {
  return {
    [LABEL_NAME]: PART_OF,
    [LABEL_INSTANCE]: gw.name,
    [LABEL_PART_OF]: PART_OF,
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_GATEWAY]: gatewayLabelValue(gw.namespace, gw.name),
  };
}

/** Pod selector of one component (immutable in a Deployment, so kept to the two stable keys). */
export function componentSelector(gw: GatewayRef, component: Component): Record<string, string> {
  return { [LABEL_GATEWAY]: gatewayLabelValue(gw.namespace, gw.name), [LABEL_PAYGRID_COMPONENT]: component };
}

/** Pod selector of every pod of the gateway. */
export function gatewaySelector(gw: GatewayRef): Record<string, string> {
  return { [LABEL_GATEWAY]: gatewayLabelValue(gw.namespace, gw.name) };
}

/**
 * Label selector (as a string for list calls) of everything paygrid rendered for this gateway on a
 * member: what pruning compares with the desired objects.
 */
export function pruneLabelSelector(gw: GatewayRef): string {
  return `${LABEL_GATEWAY}=${gatewayLabelValue(gw.namespace, gw.name)},${LABEL_MANAGED_BY}=${MANAGED_BY}`;
}
