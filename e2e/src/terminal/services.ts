// Test support: the ledger and authorization services as real processes (their dist/main.js), each
// with an /etc/paygrid-style contract directory the test rewrites in place (write + rename, as
// atomic as the kubelet's swap), a tokenization key file and a journal directory that survives a
// restart, all under the test's temporary directory.
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, ServiceProcess } from '@paygrid/workload-kit/testing';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const LEDGER_MAIN = join(repo, 'workloads/ledger/dist/main.js');
const AUTHORIZATION_MAIN = join(repo, 'workloads/authorization/dist/main.js');

export class ContractDir {
  readonly dir: string;

  /** A new directory under `parent` (the test's temporary directory, removed after it). */
  constructor(files: Record<string, string>, parent: string) {
    this.dir = mkdtempSync(join(parent, 'contract-'));
    this.write(files);
  }

  write(files: Record<string, string>): void {
    for (const [k, v] of Object.entries(files)) {
      writeFileSync(join(this.dir, `.${k}.tmp`), v);
      renameSync(join(this.dir, `.${k}.tmp`), join(this.dir, k));
    }
  }
}

const common = { gateway: 'payments/checkout', region: 'eu-west', role: 'Active', epoch: '3' };

export async function startLedgerProcess(databaseUrl: string, parent: string): Promise<ServiceProcess> {
  const contract = new ContractDir(
    { ...common, component: 'ledger', member: 'cloud-eu', 'member-kind': 'CloudCluster' },
    parent,
  );
  const p = new ServiceProcess({
    main: LEDGER_MAIN,
    port: await freePort(),
    env: { PAYGRID_CONFIG_DIR: contract.dir, PAYGRID_DATABASE_URL: databaseUrl },
  });
  p.start();
  await p.waitReady(30_000);
  return p;
}

export interface AuthorizationSite {
  readonly member: string;
  readonly service: ServiceProcess;
  readonly contract: ContractDir;
  readonly journalDir: string;
}

export async function startAuthorizationSite(
  member: string,
  ledgerUrl: string,
  parent: string,
): Promise<AuthorizationSite> {
  const root = mkdtempSync(join(parent, `${member}-`));
  const keyFile = join(root, 'key');
  writeFileSync(keyFile, 'terminal-fleet-test-key-0123456789abcdef\n');
  const journalDir = join(root, 'journal');
  mkdirSync(journalDir);
  const contract = new ContractDir(
    {
      ...common,
      component: 'authorization',
      member,
      'member-kind': 'EdgeSite',
      'ledger-endpoint': ledgerUrl,
      // Wide limits: every payment of the fleet may stand in while the ledger is down.
      'stand-in-floor-limit-minor': '100000',
      'stand-in-max-offline-count': '100000',
      'stand-in-max-offline-amount-minor': '1000000000',
      'stand-in-currency': 'EUR',
    },
    root,
  );
  const service = new ServiceProcess({
    main: AUTHORIZATION_MAIN,
    port: await freePort(),
    env: {
      PAYGRID_CONFIG_DIR: contract.dir,
      PAYGRID_TOKENIZATION_KEY_FILE: keyFile,
      PAYGRID_JOURNAL_DIR: journalDir,
      PAYGRID_LEDGER_TIMEOUT_MS: '250',
      PAYGRID_LEDGER_BREAKER_COOLDOWN_MS: '100',
      PAYGRID_REPLAY_INTERVAL_MS: '100',
      PAYGRID_LOG_LEVEL: 'debug',
    },
  });
  service.start();
  await service.waitReady();
  return { member, service, contract, journalDir };
}
