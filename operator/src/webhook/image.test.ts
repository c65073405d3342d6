import { checkImageReference } from './image.js';

const CRD_PATTERN = new RegExp(
  '^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*(:[0-9]+)?/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$',
);
const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('checkImageReference', () => {
  it.each([
    ['ghcr.io/paygrid/authorization:0.1.0', 'ghcr.io', 'paygrid/authorization', '0.1.0', undefined],
    [`ghcr.io/paygrid/ledger@${DIGEST}`, 'ghcr.io', 'paygrid/ledger', undefined, DIGEST],
    [
      `registry.example.com:5000/a/b/c:v1.2.3-rc.1@${DIGEST}`,
      'registry.example.com:5000',
      'a/b/c',
      'v1.2.3-rc.1',
      DIGEST,
    ],
    ['localhost/paygrid/x:1', 'localhost', 'paygrid/x', '1', undefined],
    ['Registry/paygrid:1', 'Registry', 'paygrid', '1', undefined],
    ['paygrid/authorization:0.1.0', undefined, 'paygrid/authorization', '0.1.0', undefined],
    ['ghcr.io/a__b/c-d--e.f_g:TAG_1', 'ghcr.io', 'a__b/c-d--e.f_g', 'TAG_1', undefined],
  ])('accepts %s', (image, domain, path, tag, digest) => {
    const r = checkImageReference(image);
    expect(r).toMatchObject({ ok: true, reference: { domain, path, tag, digest } });
  });

  it.each([
    ['', 'it is empty'],
    ['ghcr.io/paygrid/x :1', 'spaces'],
    ['registry.example.com:99999/paygrid/x:1', 'port 99999 is out of range'],
    ['registry.example.com:0/paygrid/x:1', 'port 0 is out of range'],
    [`${'a'.repeat(64)}.example.com/paygrid/x:1`, 'has a label of 64 characters'],
    [`ghcr.io/${'x'.repeat(250)}:1`, 'at most 255'],
    ['ghcr.io/paygrid/Auth:1', 'path component "Auth"'],
    ['ghcr.io/paygrid//x:1', 'empty component'],
    ['ghcr.io/paygrid/x:.bad', 'the tag ".bad" is not valid'],
    [`ghcr.io/paygrid/x:${'t'.repeat(129)}`, 'is not valid'],
    ['ghcr.io/paygrid/x@sha256:abc', 'is not algorithm:hex'],
    [`ghcr.io/paygrid/x@sha256:${'AB'.repeat(32)}`, '64 lowercase hex digits'],
    ['ghcr.io/', 'empty component'],
    ['-bad.io/x:1', 'not a valid DNS name'],
  ])('rejects %j (%s)', (image, problem) => {
    const r = checkImageReference(image);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toContain(problem);
  });

  it('catches what the CRD pattern lets through', () => {
    for (const image of [
      'registry.example.com:99999/paygrid/x:1',
      `ghcr.io/${'x'.repeat(250)}:1`,
      `${'a'.repeat(64)}.io/x:1`,
    ]) {
      expect(CRD_PATTERN.test(image)).toBe(true);
      expect(checkImageReference(image).ok).toBe(false);
    }
  });

  it('accepts everything valid that the CRD pattern accepts (sample)', () => {
    for (const image of ['ghcr.io/paygrid/authorization:0.1.0', 'a/b', `a.b:1/c@${DIGEST}`, 'x/y-z__w.v:T']) {
      expect(CRD_PATTERN.test(image)).toBe(true);
      expect(checkImageReference(image).ok).toBe(true);
    }
  });

  it('warns about unpinned and registry-less images', () => {
    const w = (image: string) => {
      const r = checkImageReference(image);
      return r.ok ? r.warnings : [];
    };
    expect(w('ghcr.io/paygrid/x:0.1.0')).toEqual([]);
    expect(w(`ghcr.io/paygrid/x@${DIGEST}`)).toEqual([]);
    expect(w(`ghcr.io/paygrid/x:latest@${DIGEST}`)).toEqual([]);
    expect(w('ghcr.io/paygrid/x:latest')).toEqual([expect.stringContaining(':latest tag')]);
    expect(w('ghcr.io/paygrid/x')).toEqual([expect.stringContaining('no tag or digest')]);
    expect(w('nginx:1')).toEqual([expect.stringContaining('docker.io/library/nginx')]);
  });
});
