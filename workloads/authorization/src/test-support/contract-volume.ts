// Test and bench support: a contract directory laid out as the kubelet lays out a ConfigMap
// volume (files are symlinks into `..data`, itself a symlink swapped atomically by rename), and
// the other files an authorization process needs (tokenization key, journal directory).
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ContractData = Record<string, string>;

export function authorizationContract(overrides: ContractData = {}): ContractData {
  return {
    gateway: 'payments/checkout',
    component: 'authorization',
    member: 'edge-a',
    'member-kind': 'EdgeSite',
    region: 'eu-west',
    role: 'Active',
    epoch: '3',
    'ledger-endpoint': 'http://127.0.0.1:1',
    'stand-in-floor-limit-minor': '5000',
    'stand-in-max-offline-count': '10',
    'stand-in-max-offline-amount-minor': '20000',
    'stand-in-currency': 'EUR',
    ...overrides,
  };
}

export class ContractVolume {
  readonly dir = mkdtempSync(join(tmpdir(), 'paygrid-contract-'));
  private version = 0;

  /** Publishes a new version of every file at once, as the kubelet does. */
  publish(data: ContractData): void {
    const folder = `..${Date.now()}_${++this.version}`;
    mkdirSync(join(this.dir, folder));
    for (const [k, v] of Object.entries(data)) writeFileSync(join(this.dir, folder, k), v);
    symlinkSync(folder, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    for (const k of Object.keys(data)) {
      try {
        symlinkSync(join('..data', k), join(this.dir, k));
      } catch {
        // linked by an earlier version
      }
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A directory with a 32-byte tokenization key file and an empty journal directory. */
export function authorizationFiles(): {
  readonly keyFile: string;
  readonly journalDir: string;
  readonly root: string;
} {
  const root = mkdtempSync(join(tmpdir(), 'paygrid-authz-'));
  const keyFile = join(root, 'key');
  writeFileSync(keyFile, 'test-tokenization-key-0123456789abcdef\n');
  const journalDir = join(root, 'journal');
  return { keyFile, journalDir, root };
}
