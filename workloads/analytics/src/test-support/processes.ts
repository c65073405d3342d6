// Test support: the real ledger (workloads/ledger/dist/main.js) and analytics
// (workloads/analytics/dist/main.js) as processes on real databases, each with a contract directory
// written the way the kubelet swaps a ConfigMap (write + rename).
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, ServiceProcess } from '@paygrid/workload-kit/testing';

export const LEDGER_MAIN = fileURLToPath(new URL('../../../ledger/dist/main.js', import.meta.url));
export const ANALYTICS_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export function contractDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'paygrid-analytics-contract-'));
  for (const [k, v] of Object.entries(files)) {
    writeFileSync(join(dir, `.${k}.tmp`), v);
    renameSync(join(dir, `.${k}.tmp`), join(dir, k));
  }
  return dir;
}

const placement = (component: string, member: string): Record<string, string> => ({
  gateway: 'payments/checkout',
  component,
  member,
  'member-kind': 'CloudCluster',
  region: 'eu-west',
  role: 'Active',
  epoch: '3',
});

export async function startLedger(databaseUrl: string): Promise<ServiceProcess> {
  const p = new ServiceProcess({
    main: LEDGER_MAIN,
    port: await freePort(),
    env: {
      PAYGRID_CONFIG_DIR: contractDir(placement('ledger', 'cloud-eu')),
      PAYGRID_DATABASE_URL: databaseUrl,
    },
  });
  p.start();
  await p.waitReady(30_000);
  return p;
}

/** Analytics, told where the ledger is by its contract's ledger-endpoint (what the operator should render). */
export async function analyticsProcess(
  databaseUrl: string,
  ledgerUrl: string,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  return new ServiceProcess({
    main: ANALYTICS_MAIN,
    port: await freePort(),
    env: {
      PAYGRID_CONFIG_DIR: contractDir({
        ...placement('analytics', 'cloud-eu'),
        'ledger-endpoint': ledgerUrl,
      }),
      PAYGRID_DATABASE_URL: databaseUrl,
      PAYGRID_FEED_WAIT_SECONDS: '2',
      ...env,
    },
  });
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

/** Polls `probe` until it returns true; fails with `what` after timeoutMs. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
