// The watcher against a real directory laid out as the kubelet lays out a ConfigMap volume:
// files are symlinks into `..data`, itself a symlink to a timestamped folder swapped atomically.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contract } from './contract.js';
import { ContractWatcher } from './contract-watcher.js';

function base(epoch: number, role = 'Active'): Record<string, string> {
  return {
    gateway: 'payments/checkout',
    component: 'ledger',
    member: 'cloud-eu',
    'member-kind': 'CloudCluster',
    region: 'eu-west',
    role,
    epoch: String(epoch),
  };
}

class ConfigMapVolume {
  readonly dir = mkdtempSync(join(tmpdir(), 'paygrid-contract-'));
  private version = 0;

  publish(data: Record<string, string>): void {
    const folder = `..${Date.now()}_${++this.version}`;
    mkdirSync(join(this.dir, folder));
    for (const [k, v] of Object.entries(data)) writeFileSync(join(this.dir, folder, k), v);
    symlinkSync(folder, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    for (const k of Object.keys(data)) {
      try {
        symlinkSync(join('..data', k), join(this.dir, k));
      } catch {
        // already linked from an earlier version
      }
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function nextChange(w: ContractWatcher): Promise<Contract> {
  return new Promise((resolve) => w.once('change', (c) => resolve(c)));
}

describe('ContractWatcher', () => {
  let volume: ConfigMapVolume;
  let watcher: ContractWatcher;
  beforeEach(() => {
    volume = new ConfigMapVolume();
  });
  afterEach(() => {
    watcher?.stop();
    volume.remove();
  });

  it('sees an in-place update of the epoch and role without a restart', async () => {
    volume.publish(base(3));
    watcher = new ContractWatcher({ dir: volume.dir, pollMs: 50 });
    await watcher.start();
    expect(watcher.current?.epoch).toBe(3);
    const changed = nextChange(watcher);
    volume.publish(base(4, 'Draining'));
    const next = await changed;
    expect(next.epoch).toBe(4);
    expect(next.role).toBe('Draining');
    expect(watcher.current).toBe(next);
  });

  it('keeps the last good contract when an update is broken, and reports it', async () => {
    volume.publish(base(5));
    watcher = new ContractWatcher({ dir: volume.dir, pollMs: 50 });
    await watcher.start();
    const failed = new Promise<Error>((resolve) => watcher.once('invalid', resolve));
    volume.publish({ ...base(6), epoch: 'six' });
    expect((await failed).message).toMatch(/^epoch: /);
    expect(watcher.current?.epoch).toBe(5);
    expect(watcher.error?.message).toMatch(/^epoch: /);
    const recovered = nextChange(watcher);
    volume.publish(base(7));
    expect((await recovered).epoch).toBe(7);
    expect(watcher.error).toBeUndefined();
  });

  it('starts without a contract when the directory is missing, and reports why', async () => {
    watcher = new ContractWatcher({ dir: join(volume.dir, 'absent'), pollMs: 50 });
    await watcher.start();
    expect(watcher.current).toBeUndefined();
    expect(watcher.error?.message).toMatch(/ENOENT/);
  });
});
