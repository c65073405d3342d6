// The ledger's settings: environment for knobs, a mounted Secret file for the database URL.
import {
  DEFAULT_HTTP_PORT,
  DEFAULT_PATHS,
  envInteger,
  envString,
  readSecretFile,
  type Env,
} from '@paygrid/workload-kit';

export interface LedgerSettings {
  readonly port: number;
  readonly contractDir: string;
  readonly databaseUrl: string;
  readonly poolSize: number;
  readonly maxBatch: number;
  readonly expiryIntervalMs: number;
}

export function readSettings(env: Env): LedgerSettings {
  const urlFile = envString(env, 'PAYGRID_DATABASE_URL_FILE', DEFAULT_PATHS.databaseUrlFile);
  // PAYGRID_DATABASE_URL is for development and tests only: in a cluster the URL is a Secret file.
  const databaseUrl = env.PAYGRID_DATABASE_URL || readSecretFile(urlFile, 'database URL');
  return {
    port: envInteger(env, 'PAYGRID_HTTP_PORT', DEFAULT_HTTP_PORT, 1, 65535),
    contractDir: envString(env, 'PAYGRID_CONFIG_DIR', DEFAULT_PATHS.contractDir),
    databaseUrl,
    poolSize: envInteger(env, 'PAYGRID_DB_POOL_SIZE', 8, 2, 100),
    maxBatch: envInteger(env, 'PAYGRID_MAX_BATCH', 1000, 1, 10_000),
    expiryIntervalMs: envInteger(env, 'PAYGRID_EXPIRY_INTERVAL_MS', 1000, 50, 3_600_000),
  };
}
