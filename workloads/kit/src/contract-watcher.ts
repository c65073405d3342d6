// Keeps the current contract: reads it at start, then again whenever the directory changes
// (fs.watch) and at a fixed period in case a change notification is lost (they are, on some
// filesystems and across the kubelet's symlink swap). Listeners hear only real changes. A bad
// reload keeps the last good contract and reports the error, so a broken ConfigMap edit never
// takes a serving site down by itself.
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { parseContract, sameContract, type Contract } from './contract.js';
import { readContractFiles } from './contract-files.js';

export interface ContractWatcherOptions {
  readonly dir: string;
  /** Re-read period when no notification arrives. Default 1000 ms. */
  readonly pollMs?: number;
}

export interface ContractWatcherEvents {
  change: [next: Contract, previous: Contract | undefined];
  invalid: [error: Error];
}

export class ContractWatcher extends EventEmitter<ContractWatcherEvents> {
  private currentContract: Contract | undefined;
  private lastError: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private reloading: Promise<void> | undefined;
  private again = false;

  constructor(private readonly options: ContractWatcherOptions) {
    super();
  }

  /** The last good contract; undefined until one was read. */
  get current(): Contract | undefined {
    return this.currentContract;
  }

  /** The error of the last read, when it failed; cleared by a good read. */
  get error(): Error | undefined {
    return this.lastError;
  }

  /** Reads the contract once and starts watching. Resolves after the first read, good or bad. */
  async start(): Promise<void> {
    await this.reload();
    try {
      this.watcher = watch(this.options.dir, { persistent: false }, () => void this.reload());
      this.watcher.on('error', () => undefined);
    } catch {
      // No directory yet or no inotify: the poll still picks changes up.
    }
    this.timer = setInterval(() => void this.reload(), this.options.pollMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.watcher?.close();
  }

  /** Reads the directory now; concurrent calls coalesce into one more read. */
  async reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.again = false;
        await this.readOnce();
      } while (this.again);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async readOnce(): Promise<void> {
    let next: Contract;
    try {
      next = parseContract(await readContractFiles(this.options.dir));
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.lastError?.message !== error.message) this.emit('invalid', error);
      this.lastError = error;
      return;
    }
    this.lastError = undefined;
    if (sameContract(next, this.currentContract)) return;
    const previous = this.currentContract;
    this.currentContract = next;
    this.emit('change', next, previous);
  }
}
