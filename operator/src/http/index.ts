// The operator's own HTTP APIs (the generic /healthz, /readyz and /metrics are in runtime/http-server).
export * from './routes-api.js';
export * from './console-api.js';
