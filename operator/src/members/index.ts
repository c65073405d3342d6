// Reaching member clusters (EdgeSite / CloudCluster): kubeconfigs, probes, health, status.
export * from './clock.js';
export * from './health.js';
export * from './kubeconfig.js';
export * from './member-registry.js';
export * from './member-status.js';
export * from './probe.js';
export * from './reasons.js';
export * from './transport.js';
