// Ports the workloads and their network policies use.

/** Every workload serves HTTP (API, /healthz, /readyz, /metrics) here. */
export const HTTP_PORT = 8080;
export const HTTP_PORT_NAME = 'http';
/** Port of the ledger as exposed to other clusters (TLS), when its endpoint does not say. */
export const LEDGER_PORT = 8443;
export const POSTGRES_PORT = 5432;
export const DNS_PORT = 53;

/** The TCP port of a URL: explicit, or 443 / 80 by scheme; undefined when it does not parse. */
export function urlPort(url: string | undefined): number | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    if (u.port) return Number(u.port);
    if (u.protocol === 'https:') return 443;
    if (u.protocol === 'http:') return 80;
    return undefined;
  } catch {
    return undefined;
  }
}
