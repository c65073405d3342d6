// Network policies: deny everything for the gateway's pods, then allow DNS, and per component only
// what it needs.
import type { V1NetworkPolicy, V1NetworkPolicyPeer, V1NetworkPolicyPort } from '@kubernetes/client-node';
import type { Component } from '../api/index.js';
import type { GatewayRef } from './labels.js';
import { componentLabels, componentSelector, gatewayLabels, gatewaySelector } from './labels.js';
import { componentObjectName, gatewayObjectName } from './names.js';
import { DNS_PORT, HTTP_PORT, LEDGER_PORT, POSTGRES_PORT, urlPort } from './ports.js';

/** Any address: the ledger and databases live outside the member cluster. */
const ANYWHERE: V1NetworkPolicyPeer[] = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];

const tcp = (port: number): V1NetworkPolicyPort => ({ protocol: 'TCP', port });

function policy(
  gw: GatewayRef,
  name: string,
  labels: Record<string, string>,
  podSelector: Record<string, string>,
  spec: Omit<NonNullable<V1NetworkPolicy['spec']>, 'podSelector'>,
): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: gw.namespace, labels },
    spec: { podSelector: { matchLabels: podSelector }, ...spec },
  };
}

/** `<gateway>-default-deny`: no ingress, no egress for any pod of the gateway. */
export function renderDefaultDenyPolicy(gw: GatewayRef): V1NetworkPolicy {
  return policy(gw, gatewayObjectName(gw.name, 'default-deny'), gatewayLabels(gw), gatewaySelector(gw), {
    policyTypes: ['Ingress', 'Egress'],
  });
}

/** `<gateway>-allow-dns`: DNS to kube-system on port 53, UDP and TCP. */
export function renderAllowDnsPolicy(gw: GatewayRef): V1NetworkPolicy {
  return policy(gw, gatewayObjectName(gw.name, 'allow-dns'), gatewayLabels(gw), gatewaySelector(gw), {
    policyTypes: ['Egress'],
    egress: [
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
        ports: [
          { protocol: 'UDP', port: DNS_PORT },
          { protocol: 'TCP', port: DNS_PORT },
        ],
      },
    ],
  });
}

/**
 * `<gateway>-<component>`: ingress on 8080 from anywhere (terminals, load balancers, ingress
 * controllers, the ledger's clients on other clusters). Egress: authorization reaches the ledger
 * and nothing else (8443, and the port of ledgerEndpoint when it names another) — never a database;
 * the ledger its PostgreSQL (5432); analytics the ledger's feed and its own PostgreSQL. With the
 * default deny, no other pod of the gateway can open the database port.
 */
export function renderComponentPolicy(
  gw: GatewayRef,
  component: Component,
  ledgerEndpoint?: string,
): V1NetworkPolicy {
  const ingress = [{ ports: [tcp(HTTP_PORT)] }];
  let egressPorts: number[] = [];
  if (component === 'authorization')
    egressPorts = [...new Set([LEDGER_PORT, urlPort(ledgerEndpoint) ?? LEDGER_PORT])];
  if (component === 'ledger') egressPorts = [POSTGRES_PORT];
  if (component === 'analytics')
    egressPorts = [...new Set([POSTGRES_PORT, LEDGER_PORT, urlPort(ledgerEndpoint) ?? LEDGER_PORT])];
  return policy(
    gw,
    componentObjectName(gw.name, component),
    componentLabels(gw, component),
    componentSelector(gw, component),
    egressPorts.length > 0
      ? {
          policyTypes: ['Ingress', 'Egress'],
          ingress,
          egress: [{ to: ANYWHERE, ports: egressPorts.sort((a, b) => a - b).map(tcp) }],
        }
      : { policyTypes: ['Ingress'], ingress },
  );
}
