/**
 * The generic controller runtime: informers, work queues, controllers, leader election, metrics,
 * HTTP probes, logging, Events, configuration and shutdown. It knows nothing of payments.
 */
export * from './clock.js';
export * from './config.js';
export * from './controller.js';
export * from './errors.js';
export * from './events.js';
export * from './http-server.js';
export * from './informer.js';
export * from './leader-election.js';
export * from './logger.js';
export * from './metrics.js';
export * from './ratelimiter.js';
export * from './shutdown.js';
export * from './workqueue.js';
export * from './kubeconfig.js';
