// Reads the contract directory. A mounted ConfigMap is a directory of symlinks into a `..data`
// folder that the kubelet swaps atomically; reading every regular file name (not the dot entries)
// through the symlinks sees one consistent version, or the next one.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function readContractFiles(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
  const files: Record<string, string> = {};
  await Promise.all(
    names.map(async (name) => {
      try {
        files[name] = await readFile(join(dir, name), 'utf8');
      } catch (err) {
        // A directory, or a file swapped away between readdir and read: the next reload sees it.
        if (
          (err as NodeJS.ErrnoException).code !== 'EISDIR' &&
          (err as NodeJS.ErrnoException).code !== 'ENOENT'
        )
          throw err;
      }
    }),
  );
  return files;
}
