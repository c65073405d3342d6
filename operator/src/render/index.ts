// Rendering what members need: pure functions from (gateway, placements, context) to objects.
export * from './context.js';
export * from './labels.js';
export * from './names.js';
export * from './ports.js';
export * from './config.js';
export * from './securityContext.js';
export * from './namespace.js';
export * from './serviceAccount.js';
export * from './configMap.js';
export * from './deployment.js';
export * from './service.js';
export * from './podDisruptionBudget.js';
export * from './networkPolicies.js';
export * from './order.js';
export * from './renderMember.js';
export * from './secrets.js';
