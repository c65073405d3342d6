// Test support: the ledger and the authorization service as real processes on a real PostgreSQL,
// and small readers of their HTTP answers and metrics.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, ServiceProcess } from '@paygrid/workload-kit/testing';
import {
  authorizationContract,
  authorizationFiles,
  ContractVolume,
  type ContractData,
} from './contract-volume.js';

const here = fileURLToPath(new URL('.', import.meta.url));
export const LEDGER_MAIN = join(here, '../../../ledger/dist/main.js');
export const AUTHORIZATION_MAIN = join(here, '../../dist/main.js');

export function ledgerContract(overrides: ContractData = {}): ContractData {
  return {
    gateway: 'payments/checkout',
    component: 'ledger',
    member: 'cloud-eu',
    'member-kind': 'CloudCluster',
    region: 'eu-west',
    role: 'Active',
    epoch: '3',
    ...overrides,
  };
}

export async function startLedger(databaseUrl: string): Promise<ServiceProcess & { volume: ContractVolume }> {
  const volume = new ContractVolume();
  volume.publish(ledgerContract());
  const files = authorizationFiles();
  const urlFile = join(files.root, 'database-url');
  writeFileSync(urlFile, databaseUrl);
  const port = await freePort();
  const ledger = new ServiceProcess({
    main: LEDGER_MAIN,
    port,
    env: { PAYGRID_CONFIG_DIR: volume.dir, PAYGRID_DATABASE_URL_FILE: urlFile },
  });
  ledger.start();
  await ledger.waitReady(30_000);
  return Object.assign(ledger, { volume });
}

export interface AuthorizationProcess {
  readonly service: ServiceProcess;
  readonly volume: ContractVolume;
  readonly contract: ContractData;
}

export async function startAuthorization(
  contract: ContractData,
  env: Record<string, string> = {},
): Promise<AuthorizationProcess> {
  const volume = new ContractVolume();
  const full = authorizationContract(contract);
  volume.publish(full);
  const files = authorizationFiles();
  const service = new ServiceProcess({
    main: AUTHORIZATION_MAIN,
    port: await freePort(),
    env: {
      PAYGRID_CONFIG_DIR: volume.dir,
      PAYGRID_TOKENIZATION_KEY_FILE: files.keyFile,
      PAYGRID_JOURNAL_DIR: files.journalDir,
      PAYGRID_LEDGER_TIMEOUT_MS: '250',
      PAYGRID_LEDGER_BREAKER_COOLDOWN_MS: '100',
      PAYGRID_REPLAY_INTERVAL_MS: '100',
      PAYGRID_REPLAY_BATCH_SIZE: '5',
      PAYGRID_LOG_LEVEL: 'debug',
      ...env,
    },
  });
  service.start();
  await service.waitReady();
  return { service, volume, contract: full };
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: Record<string, unknown> & { error?: Record<string, unknown> };
  readonly headers: Headers;
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  key?: string,
): Promise<HttpAnswer> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(key ? { 'idempotency-key': key } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as HttpAnswer['body']) : {},
    headers: res.headers,
  };
}

/** One sample of a Prometheus metric (first series whose labels include `labels`), or 0. */
export async function metric(base: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (labels && !line.includes(labels)) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** Polls `check` every 20 ms until it holds or `timeoutMs` passes (then throws naming `what`). */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
