// The authorization service's settings, from the environment (kit conventions; secrets from files).
import { DEFAULT_HTTP_PORT, DEFAULT_PATHS, envInteger, envString, type Env } from '@paygrid/workload-kit';

export interface AuthorizationSettings {
  readonly port: number;
  readonly contractDir: string;
  readonly tokenizationKeyFile: string;
  readonly journalDir: string;
  /** Deadline of an online ledger call; past it the site stands in. */
  readonly ledgerTimeoutMs: number;
  /** Consecutive ledger failures that open the circuit breaker. */
  readonly breakerFailures: number;
  /** While open, how often the ledger is probed. */
  readonly breakerCooldownMs: number;
  readonly replayIntervalMs: number;
  readonly replayBatchSize: number;
  readonly replayTimeoutMs: number;
  readonly holdTimeoutSeconds: number;
  /** How long answers are kept for retries, and records for captures. */
  readonly retentionHours: number;
}

export function readSettings(env: Env): AuthorizationSettings {
  return {
    port: envInteger(env, 'PAYGRID_HTTP_PORT', DEFAULT_HTTP_PORT, 0, 65535),
    contractDir: envString(env, 'PAYGRID_CONFIG_DIR', DEFAULT_PATHS.contractDir),
    tokenizationKeyFile: envString(env, 'PAYGRID_TOKENIZATION_KEY_FILE', DEFAULT_PATHS.tokenizationKeyFile),
    journalDir: envString(env, 'PAYGRID_JOURNAL_DIR', DEFAULT_PATHS.journalDir),
    ledgerTimeoutMs: envInteger(env, 'PAYGRID_LEDGER_TIMEOUT_MS', 250, 1, 60_000),
    breakerFailures: envInteger(env, 'PAYGRID_LEDGER_BREAKER_FAILURES', 3, 1, 1000),
    breakerCooldownMs: envInteger(env, 'PAYGRID_LEDGER_BREAKER_COOLDOWN_MS', 1000, 10, 600_000),
    replayIntervalMs: envInteger(env, 'PAYGRID_REPLAY_INTERVAL_MS', 500, 10, 600_000),
    replayBatchSize: envInteger(env, 'PAYGRID_REPLAY_BATCH_SIZE', 500, 1, 1000),
    replayTimeoutMs: envInteger(env, 'PAYGRID_REPLAY_TIMEOUT_MS', 5000, 10, 600_000),
    holdTimeoutSeconds: envInteger(env, 'PAYGRID_HOLD_TIMEOUT_SECONDS', 7 * 24 * 3600, 0, 90 * 24 * 3600),
    retentionHours: envInteger(env, 'PAYGRID_RETENTION_HOURS', 8 * 24, 1, 24 * 365),
  };
}
