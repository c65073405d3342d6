// Names of rendered objects, `<gateway>-<component>`, checked against Kubernetes name rules so a
// bad name fails here, with a message, rather than as an apply error on every member.
import type { Component } from '../api/index.js';

/** A gateway cannot be rendered as asked; reason is CamelCase, message says what to change. */
export class RenderError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}

/** RFC 1035 label (Service names). */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 label (namespace names). */
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Name of a component's objects: `<gateway>-<component>`. */
export function componentObjectName(gatewayName: string, component: Component): string {
  return `${gatewayName}-${component}`;
}

/** Name of a gateway-wide object: `<gateway>-<suffix>`. */
export function gatewayObjectName(gatewayName: string, suffix: string): string {
  return `${gatewayName}-${suffix}`;
}

/** Longest gateway name whose `<gateway>-<component>` Services stay valid (63-character DNS labels). */
export const MAX_GATEWAY_NAME_LENGTH = 63 - '-authorization'.length;

/** Throws RenderError when the gateway's objects could not be created under these names. */
export function checkNames(namespace: string, gatewayName: string, components: readonly Component[]): void {
  if (!namespace || !gatewayName) {
    throw new RenderError('MissingName', 'the PaymentGateway has no metadata.namespace or metadata.name');
  }
  if (!DNS_1123_LABEL.test(namespace) || namespace.length > 63) {
    throw new RenderError('InvalidNamespace', `namespace ${namespace} is not a valid DNS label`);
  }
  for (const component of components) {
    const service = componentObjectName(gatewayName, component);
    if (service.length > 63 || !DNS_1035_LABEL.test(service)) {
      throw new RenderError(
        'InvalidGatewayName',
        `cannot name the ${component} Service ${service}: a Service name is a DNS label (lowercase letters, ` +
          `digits and '-', starting with a letter, at most 63 characters); rename the PaymentGateway to a ` +
          `DNS label of at most ${MAX_GATEWAY_NAME_LENGTH} characters`,
      );
    }
  }
  if (!DNS_SUBDOMAIN.test(gatewayName)) {
    throw new RenderError(
      'InvalidGatewayName',
      `PaymentGateway name ${gatewayName} is not a valid DNS subdomain`,
    );
  }
}
