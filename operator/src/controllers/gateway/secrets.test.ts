import type { V1Secret } from '@kubernetes/client-node';
import { judgeSecret } from './secrets.js';

const secret = (data: Record<string, string>): V1Secret => ({
  metadata: { name: 'card-key', namespace: 'payments', uid: 'u-1', resourceVersion: '17' },
  data,
});

describe('judgeSecret', () => {
  it('copies the named key with the Secret version, never a hash of the value', () => {
    const v = judgeSecret(
      'payments',
      'authorization',
      { name: 'card-key', key: 'key' },
      secret({ key: 'c2VjcmV0', other: 'eA==' }),
    );
    expect(v).toEqual({ ok: true, copied: { value: 'c2VjcmV0', version: 'u-1/17' } });
  });

  it('says which field names a missing Secret, and how to create it, without any value', () => {
    const v = judgeSecret('payments', 'authorization', { name: 'card-key', key: 'key' }, undefined);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.problem).toMatchObject({
      component: 'authorization',
      severity: 'Error',
      reason: 'SecretNotFound',
    });
    expect(v.problem.message).toMatch(
      /^spec\.authorization\.tokenizationKeySecretRef: Secret card-key does not exist in namespace payments/,
    );
    expect(v.problem.message).toContain(
      'kubectl -n payments create secret generic card-key --from-literal=key=',
    );
  });

  it('names the missing key and lists the keys the Secret has (names only, never values)', () => {
    const v = judgeSecret(
      'payments',
      'ledger',
      { name: 'db', key: 'url' },
      secret({ dsn: 'cG9zdGdyZXM6Ly9zZWNyZXQ=' }),
    );
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.problem.reason).toBe('SecretKeyNotFound');
    expect(v.problem.message).toContain(
      'spec.ledger.databaseSecretRef: Secret payments/db has no key url (its keys: dsn)',
    );
    expect(v.problem.message).not.toContain('cG9zdGdyZXM6Ly9zZWNyZXQ=');
  });

  it('refuses an empty value as a missing key', () => {
    const v = judgeSecret('payments', 'analytics', { name: 'db', key: 'url' }, secret({ url: '' }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problem.message).toContain('has no non-empty key url');
  });
});
