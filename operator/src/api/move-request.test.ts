import {
  formatMoveRequest,
  isMoveRequestError,
  isMoveRequestExpired,
  MOVE_REQUEST_ANNOTATION,
  parseMoveRequest,
} from './move-request.js';

const req = {
  from: 'edge-a',
  to: 'edge-c',
  requestedAt: '2026-11-25T03:00:00Z',
  id: '6f1c2a3b-1111-4222-8333-944455556666',
};

describe('move request annotation', () => {
  it('is paygrid.io/move-request', () => {
    expect(MOVE_REQUEST_ANNOTATION).toBe('paygrid.io/move-request');
  });

  it('round-trips through format and parse, with fields in a fixed order', () => {
    const text = formatMoveRequest(req);
    expect(text).toBe(
      '{"from":"edge-a","to":"edge-c","requestedAt":"2026-11-25T03:00:00Z","id":"6f1c2a3b-1111-4222-8333-944455556666"}',
    );
    expect(parseMoveRequest(text)).toEqual(req);
  });

  it('ignores unknown fields and accepts fractional seconds and offsets', () => {
    const r = parseMoveRequest(
      JSON.stringify({ ...req, requestedAt: '2026-11-25T04:00:00.123+01:00', by: 'sre' }),
    );
    expect(r).toEqual({ ...req, requestedAt: '2026-11-25T04:00:00.123+01:00' });
  });

  it.each([
    [undefined, 'paygrid.io/move-request is empty'],
    ['  ', 'paygrid.io/move-request is empty'],
    [
      'edge-a->edge-c',
      'paygrid.io/move-request is not JSON: expected {"from":…,"to":…,"requestedAt":…,"id":…}',
    ],
    ['[1]', 'paygrid.io/move-request must be a JSON object'],
    ['null', 'paygrid.io/move-request must be a JSON object'],
    [JSON.stringify({ ...req, from: '' }), 'paygrid.io/move-request: from must be a non-empty string'],
    [JSON.stringify({ ...req, to: 3 }), 'paygrid.io/move-request: to must be a non-empty string'],
    [
      JSON.stringify({ ...req, to: 'Edge_C' }),
      'paygrid.io/move-request: to "Edge_C" is not a valid member name (lowercase letters, digits, - and .)',
    ],
    [JSON.stringify({ ...req, to: 'edge-a' }), 'paygrid.io/move-request: from and to are both edge-a'],
    [
      JSON.stringify({ ...req, requestedAt: 'yesterday' }),
      'paygrid.io/move-request: requestedAt must be an RFC 3339 date-time, for example 2026-01-01T00:00:00Z',
    ],
    [
      JSON.stringify({ ...req, requestedAt: '2026-13-45T03:00:00Z' }),
      'paygrid.io/move-request: requestedAt must be an RFC 3339 date-time, for example 2026-01-01T00:00:00Z',
    ],
    [
      JSON.stringify({ ...req, id: '' }),
      'paygrid.io/move-request: id must be 1 to 64 letters, digits and -, for example a UUID',
    ],
    ['x'.repeat(2000), 'paygrid.io/move-request is longer than 1024 characters'],
  ])('rejects %s', (value, error) => {
    const r = parseMoveRequest(value);
    expect(r).toEqual({ error });
    expect(isMoveRequestError(r)).toBe(true);
  });

  it('refuses to format an invalid request', () => {
    expect(() => formatMoveRequest({ ...req, to: 'edge-a' })).toThrow(
      'invalid move request: from and to are both edge-a',
    );
  });

  it('expires after the TTL (one hour by default)', () => {
    expect(isMoveRequestExpired(req, '2026-11-25T04:00:00Z')).toBe(false);
    expect(isMoveRequestExpired(req, new Date('2026-11-25T04:00:01Z'))).toBe(true);
    expect(isMoveRequestExpired(req, '2026-11-25T03:00:11Z', 10)).toBe(true);
  });
});
