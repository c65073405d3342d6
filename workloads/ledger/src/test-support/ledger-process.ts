// Test support: the ledger as a real process on a real database, with a contract directory the
// test rewrites in place (write + rename, as atomic as the kubelet's swap).
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, ServiceProcess } from '@paygrid/workload-kit/testing';

export const LEDGER_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export class ContractDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'paygrid-ledger-contract-'));

  constructor(files: Record<string, string>) {
    this.write(files);
  }

  write(files: Record<string, string>): void {
    for (const [k, v] of Object.entries(files)) {
      writeFileSync(join(this.dir, `.${k}.tmp`), v);
      renameSync(join(this.dir, `.${k}.tmp`), join(this.dir, k));
    }
  }
}

export function ledgerContract(over: Record<string, string> = {}): Record<string, string> {
  return {
    gateway: 'payments/checkout',
    component: 'ledger',
    member: 'cloud-eu',
    'member-kind': 'CloudCluster',
    region: 'eu-west',
    role: 'Active',
    epoch: '3',
    ...over,
  };
}

export async function startLedger(
  databaseUrl: string,
  contract: ContractDir,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const p = new ServiceProcess({
    main: LEDGER_MAIN,
    port: await freePort(),
    env: { PAYGRID_CONFIG_DIR: contract.dir, PAYGRID_DATABASE_URL: databaseUrl, ...env },
  });
  p.start();
  await p.waitReady(30_000);
  return p;
}

export interface Answer {
  readonly status: number;
  readonly body: {
    transfer?: Record<string, unknown> & { seq: number; state: string; amountMinor: number };
    error?: { reason: string; message: string; field?: string; fenceEpoch?: number };
    events?: { seq: number; kind: string; transfer?: { id: string } }[];
    next?: number;
    results?: { status: number }[];
    account?: Record<string, number | string>;
  };
}

export const writer = (epoch = 3, member = 'edge-a', replaced?: string): Record<string, string> => ({
  'paygrid-epoch': String(epoch),
  'paygrid-member': member,
  ...(replaced ? { 'paygrid-replaced-member': replaced } : {}),
});

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = writer(),
): Promise<Answer> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}
