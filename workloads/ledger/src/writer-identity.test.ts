import { parseWriterIdentity } from './writer-identity.js';

describe('parseWriterIdentity', () => {
  const base = { 'paygrid-epoch': '7', 'paygrid-member': 'edge-a' };
  it('reads epoch, member, the replaced member and the fenced members', () => {
    expect(parseWriterIdentity(base)).toEqual({ epoch: 7, member: 'edge-a' });
    expect(
      parseWriterIdentity({
        ...base,
        'paygrid-replaced-member': 'edge-c',
        'paygrid-fenced-members': 'edge-b, edge-d',
      }),
    ).toEqual({ epoch: 7, member: 'edge-a', replacedMember: 'edge-c', fencedMembers: ['edge-b', 'edge-d'] });
  });
  it('refuses bad fenced members with a 400 naming the header', () => {
    expect(() => parseWriterIdentity({ ...base, 'paygrid-fenced-members': 'edge-b,EDGE_C' })).toThrow(
      /Paygrid-Fenced-Members must be at most 32 member names/,
    );
    const many = Array.from({ length: 33 }, (_, i) => `edge-${i}`).join(',');
    expect(() => parseWriterIdentity({ ...base, 'paygrid-fenced-members': many })).toThrow(
      /Paygrid-Fenced-Members/,
    );
  });
});
