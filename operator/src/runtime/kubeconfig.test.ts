import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfigError, loadKubeConfig } from './kubeconfig.js';

function kubeconfig(name: string, server: string, current = true): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{ name: ${name}, cluster: { server: "${server}" } }]`,
    `users: [{ name: ${name}, user: { token: "t" } }]`,
    `contexts: [{ name: ${name}, context: { cluster: ${name}, user: ${name} } }]`,
    current ? `current-context: ${name}` : '',
  ].join('\n');
}

describe('loadKubeConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'paygrid-kc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the given file', () => {
    const file = join(dir, 'hub');
    writeFileSync(file, kubeconfig('hub', 'https://hub.example:6443'));
    expect(loadKubeConfig(file).getCurrentCluster()?.server).toBe('https://hub.example:6443');
  });

  it('merges a KUBECONFIG-style list, keeping the first file’s context', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    writeFileSync(a, kubeconfig('a', 'https://a:6443'));
    writeFileSync(b, kubeconfig('b', 'https://b:6443'));
    const kc = loadKubeConfig(`${a}${delimiter}${b}`);
    expect(kc.getCurrentCluster()?.server).toBe('https://a:6443');
    expect(kc.getContexts().map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('names a missing file', () => {
    expect(() => loadKubeConfig(join(dir, 'nope'))).toThrow(/kubeconfig ".*nope" does not exist/);
  });

  it('falls back to ~/.kube/config, and never to localhost:8080', () => {
    const none = { home: dir, inClusterTokenPath: join(dir, 'no-token'), env: {} };
    expect(() => loadKubeConfig(undefined, none)).toThrow(KubeConfigError);
    mkdirSync(join(dir, '.kube'));
    writeFileSync(join(dir, '.kube', 'config'), kubeconfig('home', 'https://home:6443'));
    expect(loadKubeConfig(undefined, none).getCurrentCluster()?.server).toBe('https://home:6443');
  });

  it('rejects a kubeconfig without a current context', () => {
    const file = join(dir, 'nocontext');
    writeFileSync(file, kubeconfig('x', 'https://x:6443', false));
    expect(() => loadKubeConfig(file)).toThrow(/no current context/);
  });
});
