// Settings from the environment, each named in the error when it is wrong. Secrets are read from
// mounted files (a Secret volume), never from variables, so rotating a Secret needs no restart of
// the Deployment object and the value never shows in `kubectl describe pod`.
import { readFileSync } from 'node:fs';

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export function envString(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

export function envInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new SettingsError(`${name} must be an integer from ${min} to ${max}, got "${raw.slice(0, 40)}"`);
  return Number(raw);
}

/** The trimmed content of a mounted secret file; an error names the file, never its content. */
export function readSecretFile(path: string, what: string): string {
  let value: string;
  try {
    value = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new SettingsError(
      `${what}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}); mount the Secret there`,
    );
  }
  if (value === '') throw new SettingsError(`${what}: ${path} is empty; put the value in the Secret`);
  return value;
}

/** Where the services find things, with the operator's defaults (operator/src/render). */
export const DEFAULT_PATHS = {
  contractDir: '/etc/paygrid',
  tokenizationKeyFile: '/var/run/secrets/paygrid/tokenization/key',
  databaseUrlFile: '/var/run/secrets/paygrid/database/url',
  journalDir: '/var/lib/paygrid/journal',
} as const;

export const DEFAULT_HTTP_PORT = 8080;
