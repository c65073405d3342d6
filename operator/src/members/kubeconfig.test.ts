import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, type V1Secret } from '@kubernetes/client-node';
import fc from 'fast-check';
import { stringify } from 'yaml';
import {
  kubeConfigFromSecret,
  memberKubeConfig,
  parseKubeconfig,
  redactServer,
  secretFingerprint,
  type KubeconfigResult,
} from './kubeconfig.js';
import { b64, TEST_CA_CERT, TEST_SERVER_CERT, TEST_SERVER_KEY } from './testdata/certs.js';

const TOKEN = 'sha256~S3cr3tT0kenValue-do-not-leak';

interface KcOptions {
  server?: string;
  user?: Record<string, unknown>;
  cluster?: Record<string, unknown>;
  current?: string | null;
}

function kubeconfigObject(o: KcOptions = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'edge-a', cluster: { server: o.server ?? 'https://127.0.0.1:32001/', ...o.cluster } },
      { name: 'other', cluster: { server: 'https://10.0.0.1:6443' } },
    ],
    users: [
      { name: 'edge-a-admin', user: o.user ?? { token: TOKEN } },
      { name: 'other-admin', user: { token: 'other-token' } },
    ],
    contexts: [
      { name: 'other', context: { cluster: 'other', user: 'other-admin' } },
      { name: 'edge-a', context: { cluster: 'edge-a', user: 'edge-a-admin', namespace: 'payments' } },
    ],
    ...(o.current === null ? {} : { 'current-context': o.current ?? 'edge-a' }),
  };
}
const kubeconfigText = (o: KcOptions = {}) => stringify(kubeconfigObject(o));

function secret(data: Record<string, string> | undefined, rv = '100', uid = 'uid-1'): V1Secret {
  return {
    metadata: { name: 'edge-a-kubeconfig', namespace: 'paygrid-system', resourceVersion: rv, uid },
    ...(data ? { data } : {}),
  };
}

const OPTS = { namespace: 'paygrid-system' };
const REF = { name: 'edge-a-kubeconfig' };

function expectFailure(r: KubeconfigResult, reason: string): string {
  if (r.ok) throw new Error(`expected ${reason}, got ok`);
  expect(r.reason).toBe(reason);
  expect(r.message).not.toContain(TOKEN);
  return r.message;
}

function expectOk(r: KubeconfigResult) {
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}: ${r.message}`);
  return r;
}

describe('kubeConfigFromSecret', () => {
  it('builds a KubeConfig with only the current context, its cluster and its user', async () => {
    const r = expectOk(kubeConfigFromSecret(secret({ kubeconfig: b64(kubeconfigText()) }), REF, OPTS));
    expect(r.server).toBe('https://127.0.0.1:32001');
    expect(r.context).toBe('edge-a');
    const kc = r.kubeConfig;
    expect(kc.getCurrentContext()).toBe('edge-a');
    expect(kc.getContexts()).toEqual([
      { name: 'edge-a', cluster: 'edge-a', user: 'edge-a-admin', namespace: 'payments' },
    ]);
    expect(kc.getClusters().map((c) => c.name)).toEqual(['edge-a']);
    expect(kc.getUsers().map((u) => u.name)).toEqual(['edge-a-admin']);
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:32001');
    // The credentials really reach requests made with this KubeConfig.
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    expect((opts.headers as Record<string, string>).Authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('returns a new KubeConfig every time (never a shared one)', () => {
    const s = secret({ kubeconfig: b64(kubeconfigText()) });
    const a = expectOk(kubeConfigFromSecret(s, REF, OPTS)).kubeConfig;
    const b = expectOk(kubeConfigFromSecret(s, REF, OPTS)).kubeConfig;
    expect(a).not.toBe(b);
  });

  it('uses the key from the ref', () => {
    const r = kubeConfigFromSecret(
      secret({ value: b64(kubeconfigText()) }),
      { name: 'x', key: 'value' },
      OPTS,
    );
    expect(r.ok).toBe(true);
  });

  it('SecretNotFound names the Secret, namespace and key', () => {
    const msg = expectFailure(kubeConfigFromSecret(undefined, REF, OPTS), 'SecretNotFound');
    expect(msg).toBe(
      `Secret paygrid-system/edge-a-kubeconfig not found: create it in the operator's namespace with the member's kubeconfig under key "kubeconfig"`,
    );
  });

  it('SecretKeyMissing says which key is missing and which keys exist', () => {
    const msg = expectFailure(
      kubeConfigFromSecret(secret({ value: b64(kubeconfigText()), 'ca.crt': 'eA==' }), REF, OPTS),
      'SecretKeyMissing',
    );
    expect(msg).toBe(
      'Secret paygrid-system/edge-a-kubeconfig has no key "kubeconfig"; its keys are "ca.crt", "value": ' +
        'put the kubeconfig under "kubeconfig" or set kubeconfigSecretRef.key',
    );
    expect(expectFailure(kubeConfigFromSecret(secret(undefined), REF, OPTS), 'SecretKeyMissing')).toContain(
      'it has no data',
    );
  });

  it('an empty value is KubeconfigInvalid', () => {
    const msg = expectFailure(
      kubeConfigFromSecret(secret({ kubeconfig: '' }), REF, OPTS),
      'KubeconfigInvalid',
    );
    expect(msg).toBe('kubeconfig in Secret paygrid-system/edge-a-kubeconfig key "kubeconfig" is empty');
  });
});

describe('parseKubeconfig: what is wrong, without echoing content', () => {
  it('broken YAML reports the position, not the text', () => {
    const text = `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: ${TOKEN}\n   bad: [\n`;
    const msg = expectFailure(parseKubeconfig(text), 'KubeconfigInvalid');
    expect(msg).toMatch(/^kubeconfig is not valid YAML \([A-Z_]+ at line \d+, column \d+\)$/);
  });

  it('duplicate keys are invalid YAML', () => {
    expectFailure(parseKubeconfig('current-context: a\ncurrent-context: b\n'), 'KubeconfigInvalid');
  });

  it.each([
    ['a list', '- a\n- b\n', 'expected a mapping, got a list'],
    ['a scalar', TOKEN, 'expected a mapping, got a string'],
    ['whitespace', '  \n', 'is empty'],
    [
      'clusters not a list',
      'clusters: {a: 1}\ncurrent-context: x\n',
      '"clusters" that is a object, not a list',
    ],
  ])('%s', (_name, text, expected) => {
    expect(expectFailure(parseKubeconfig(text), 'KubeconfigInvalid')).toContain(expected);
  });

  it('no current-context lists the contexts', () => {
    const msg = expectFailure(
      parseKubeconfig(kubeconfigText({ current: null })),
      'KubeconfigNoCurrentContext',
    );
    expect(msg).toBe(
      'kubeconfig sets no current-context (its contexts are "other", "edge-a"): set current-context to the member\'s context',
    );
    expect(expectFailure(parseKubeconfig('apiVersion: v1\n'), 'KubeconfigNoCurrentContext')).toContain(
      'it defines no contexts',
    );
  });

  it('an undefined current-context is KubeconfigNoCurrentContext', () => {
    const msg = expectFailure(
      parseKubeconfig(kubeconfigText({ current: 'edge-b' })),
      'KubeconfigNoCurrentContext',
    );
    expect(msg).toContain('current-context "edge-b", which it does not define');
  });

  it('a context pointing at a missing cluster or user is invalid', () => {
    const o = kubeconfigObject();
    o.contexts[1]!.context.cluster = 'nope';
    expect(expectFailure(parseKubeconfig(stringify(o)), 'KubeconfigInvalid')).toContain(
      'context "edge-a" refers to cluster "nope", which is not defined',
    );
    const p = kubeconfigObject();
    p.contexts[1]!.context.user = 'ghost';
    expect(expectFailure(parseKubeconfig(stringify(p)), 'KubeconfigInvalid')).toContain('user "ghost"');
  });

  it('a context without a user is allowed (anonymous)', () => {
    const o = kubeconfigObject();
    delete (o.contexts[1]!.context as { user?: string }).user;
    const kc = expectOk(parseKubeconfig(stringify(o))).kubeConfig;
    expect(kc.getCurrentUser()).toBeNull();
    expect(kc.getCurrentCluster()?.name).toBe('edge-a');
  });

  it.each([
    ['no server', { server: '' }, 'has no server'],
    ['not a URL', { server: 'not a url' }, 'server that is not a URL'],
    ['wrong scheme', { server: 'ftp://x' }, 'scheme "ftp"'],
    ['plain http without skip', { server: 'http://127.0.0.1:8080' }, 'plain http://'],
  ])('cluster problems: %s', (_n, o, expected) => {
    expect(expectFailure(parseKubeconfig(kubeconfigText(o)), 'KubeconfigInvalid')).toContain(expected);
  });

  it('plain http with insecure-skip-tls-verify is accepted', () => {
    const r = parseKubeconfig(
      kubeconfigText({ server: 'http://127.0.0.1:8080', cluster: { 'insecure-skip-tls-verify': true } }),
    );
    expect(expectOk(r).kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(true);
  });

  it('strips user info from the server shown in results', () => {
    const r = expectOk(
      parseKubeconfig(kubeconfigText({ server: 'https://admin:hunter2@api.example:6443/' })),
    );
    expect(r.server).toBe('https://api.example:6443');
  });

  it('checks certificate data is PEM without quoting it', () => {
    const bogus = b64(`not a cert ${TOKEN}`);
    const msg = expectFailure(
      parseKubeconfig(kubeconfigText({ cluster: { 'certificate-authority-data': bogus } })),
      'KubeconfigInvalid',
    );
    expect(msg).toBe(
      'kubeconfig cluster "edge-a" has certificate-authority-data that is not a base64-encoded PEM certificate',
    );
    expect(msg).not.toContain(bogus);
    const ok = parseKubeconfig(
      kubeconfigText({ cluster: { 'certificate-authority-data': b64(TEST_CA_CERT) } }),
    );
    expect(expectOk(ok).kubeConfig.getCurrentCluster()?.caData).toBe(b64(TEST_CA_CERT));
  });

  it('client certificates: both halves, both PEM', () => {
    const good = {
      'client-certificate-data': b64(TEST_SERVER_CERT),
      'client-key-data': b64(TEST_SERVER_KEY),
    };
    const user = expectOk(parseKubeconfig(kubeconfigText({ user: good }))).kubeConfig.getCurrentUser();
    expect(user?.certData).toBe(good['client-certificate-data']);
    expect(user?.keyData).toBe(good['client-key-data']);
    expect(
      expectFailure(
        parseKubeconfig(
          kubeconfigText({ user: { 'client-certificate-data': good['client-certificate-data'] } }),
        ),
        'KubeconfigInvalid',
      ),
    ).toContain('client-certificate-data without client-key-data');
    expect(
      expectFailure(
        parseKubeconfig(
          kubeconfigText({ user: { ...good, 'client-key-data': good['client-certificate-data'] } }),
        ),
        'KubeconfigInvalid',
      ),
    ).toContain('client-key-data that is not a base64-encoded PEM private key');
  });

  it('refuses exec and auth-provider unless allowed', () => {
    const exec = { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws', args: ['eks'] } };
    expect(expectFailure(parseKubeconfig(kubeconfigText({ user: exec })), 'KubeconfigInvalid')).toContain(
      'exec credential plugin',
    );
    const ap = { 'auth-provider': { name: 'oidc', config: { 'id-token': TOKEN } } };
    expect(expectFailure(parseKubeconfig(kubeconfigText({ user: ap })), 'KubeconfigInvalid')).toContain(
      'auth-provider',
    );
    const allowed = parseKubeconfig(kubeconfigText({ user: exec }), { allowCredentialPlugins: true });
    expect(expectOk(allowed).kubeConfig.getCurrentUser()?.exec).toEqual(exec.exec);
  });

  it('refuses file references unless allowed, and then reads token-file', () => {
    for (const user of [
      { 'token-file': '/var/run/secrets/kubernetes.io/serviceaccount/token' },
      { 'client-certificate': '/etc/x.crt', 'client-key': '/etc/x.key' },
    ]) {
      expect(expectFailure(parseKubeconfig(kubeconfigText({ user })), 'KubeconfigInvalid')).toContain(
        'file, which the operator does not read',
      );
    }
    expect(
      expectFailure(
        parseKubeconfig(kubeconfigText({ cluster: { 'certificate-authority': '/etc/ca.crt' } })),
        'KubeconfigInvalid',
      ),
    ).toContain('certificate-authority file');

    const dir = mkdtempSync(join(tmpdir(), 'paygrid-kc-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, `${TOKEN}\n`);
      const r = parseKubeconfig(kubeconfigText({ user: { 'token-file': file } }), {
        allowFileReferences: true,
      });
      expect(expectOk(r).kubeConfig.getCurrentUser()?.token).toBe(TOKEN);
      const missing = parseKubeconfig(kubeconfigText({ user: { 'token-file': join(dir, 'nope') } }), {
        allowFileReferences: true,
      });
      expect(expectFailure(missing, 'KubeconfigInvalid')).toContain('token-file that cannot be read');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never echoes a secret value in any failure message (property)', () => {
    const secretArb = fc.stringMatching(/^[A-Za-z0-9~_-]{12,40}$/);
    const breakArb = fc.constantFrom(
      (s: string) => `users:\n- name: u\n  user: {token: ${s}\n`, // unterminated flow mapping
      (s: string) => `${s}`,
      (s: string) => `- ${s}\n`,
      (s: string) => kubeconfigText({ user: { token: s }, current: 'missing' }),
      (s: string) => kubeconfigText({ user: { token: s }, current: null }),
      (s: string) => kubeconfigText({ user: { token: s, 'client-certificate-data': b64(s) } }),
      (s: string) => kubeconfigText({ user: { password: s, username: 5 } }),
      (s: string) => kubeconfigText({ cluster: { 'certificate-authority-data': s } }),
      (s: string) => kubeconfigText({ server: `https://u:${s}@[bad`, user: { token: s } }),
    );
    fc.assert(
      fc.property(secretArb, breakArb, (s, make) => {
        const r = parseKubeconfig(make(s));
        if (!r.ok) expect(r.message).not.toContain(s);
      }),
    );
  });
});

describe('memberKubeConfig', () => {
  it('uses the hub KubeConfig itself when there is no secret ref', () => {
    const hub = new KubeConfig();
    hub.loadFromClusterAndUser(
      { name: 'hub', server: 'https://hub:6443', skipTLSVerify: false },
      { name: 'op' },
    );
    const r = expectOk(memberKubeConfig(undefined, undefined, { ...OPTS, hub }));
    expect(r.kubeConfig).toBe(hub);
    expect(r.server).toBe('https://hub:6443');
  });

  it('reports a hub without a current cluster', () => {
    expectFailure(
      memberKubeConfig(undefined, undefined, { ...OPTS, hub: new KubeConfig() }),
      'KubeconfigNoCurrentContext',
    );
  });

  it('reads the Secret when there is a ref', () => {
    const hub = new KubeConfig();
    expectFailure(memberKubeConfig(REF, undefined, { ...OPTS, hub }), 'SecretNotFound');
    const r = memberKubeConfig(REF, secret({ kubeconfig: b64(kubeconfigText()) }), { ...OPTS, hub });
    expect(expectOk(r).kubeConfig).not.toBe(hub);
  });
});

describe('secretFingerprint', () => {
  const data = { kubeconfig: b64('a'), other: b64('b') };
  it('is stable for the same content regardless of key order', () => {
    expect(secretFingerprint(secret(data))).toBe(
      secretFingerprint(secret({ other: data.other, kubeconfig: data.kubeconfig })),
    );
    expect(secretFingerprint(secret(data))).toMatch(/^[0-9a-f]{64}$/);
  });
  it('changes with data, resourceVersion or identity, and marks absence', () => {
    const base = secretFingerprint(secret(data));
    expect(secretFingerprint(secret({ ...data, kubeconfig: b64('c') }))).not.toBe(base);
    expect(secretFingerprint(secret(data, '101'))).not.toBe(base);
    expect(secretFingerprint(secret(data, '100', 'uid-2'))).not.toBe(base);
    expect(secretFingerprint(undefined)).toBe('absent');
  });
});

describe('redactServer', () => {
  it.each([
    ['https://u:p@h:6443/k8s/clusters/c-1?token=x#f', 'https://h:6443/k8s/clusters/c-1'],
    ['https://127.0.0.1:32001', 'https://127.0.0.1:32001'],
    ['::', '<invalid URL>'],
  ])('%s -> %s', (input, output) => {
    expect(redactServer(input)).toBe(output);
  });
});
