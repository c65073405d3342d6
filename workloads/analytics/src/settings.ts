// The analytics service's settings. The database URL is a mounted Secret file
// (PAYGRID_DATABASE_URL_FILE, default /var/run/secrets/paygrid/database/url); PAYGRID_DATABASE_URL
// is a development and test fallback only. The ledger's URL: see ledgerBaseUrl.
import {
  DEFAULT_HTTP_PORT,
  DEFAULT_PATHS,
  envInteger,
  envString,
  readSecretFile,
  SettingsError,
  type Contract,
  type Env,
} from '@paygrid/workload-kit';

export interface AnalyticsSettings {
  readonly port: number;
  readonly contractDir: string;
  readonly databaseUrl: string;
  readonly poolSize: number;
  /** PAYGRID_LEDGER_URL: used when the contract names no ledger-endpoint. */
  readonly ledgerUrl: string | undefined;
  /** Long-poll wait per feed request (the ledger allows 0-60 s). */
  readonly feedWaitSeconds: number;
  /** Events per feed request (the ledger allows 1-1000). */
  readonly feedBatch: number;
}

const URL_SHAPE = /^https?:\/\/[^\s/]+(?:\/\S*)?$/;

export function readSettings(env: Env): AnalyticsSettings {
  const urlFile = envString(env, 'PAYGRID_DATABASE_URL_FILE', DEFAULT_PATHS.databaseUrlFile);
  const databaseUrl = env.PAYGRID_DATABASE_URL || readSecretFile(urlFile, 'database URL');
  const ledgerUrl = env.PAYGRID_LEDGER_URL || undefined;
  if (ledgerUrl !== undefined && !URL_SHAPE.test(ledgerUrl))
    throw new SettingsError(`PAYGRID_LEDGER_URL must be an http(s) URL, got "${ledgerUrl.slice(0, 80)}"`);
  return {
    port: envInteger(env, 'PAYGRID_HTTP_PORT', DEFAULT_HTTP_PORT, 1, 65535),
    contractDir: envString(env, 'PAYGRID_CONFIG_DIR', DEFAULT_PATHS.contractDir),
    databaseUrl,
    poolSize: envInteger(env, 'PAYGRID_DB_POOL_SIZE', 4, 2, 50),
    ledgerUrl: ledgerUrl?.replace(/\/+$/, ''),
    feedWaitSeconds: envInteger(env, 'PAYGRID_FEED_WAIT_SECONDS', 20, 0, 60),
    feedBatch: envInteger(env, 'PAYGRID_FEED_BATCH', 500, 1, 1000),
  };
}

/**
 * Where the change feed is read. The contract's `ledger-endpoint` wins: the operator rewrites it in
 * place when the ledger fails over, so following it needs no restart. PAYGRID_LEDGER_URL is the
 * fallback for clusters whose operator renders no ledger-endpoint for analytics (today's), and for
 * development. undefined: nowhere to read from (analytics stays ready and says so in feed_up).
 */
export function ledgerBaseUrl(
  contract: Contract | undefined,
  settings: AnalyticsSettings,
): string | undefined {
  return contract?.ledgerEndpoint ?? settings.ledgerUrl;
}
