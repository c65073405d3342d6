import { ownedFieldsFingerprint } from './managed-fields.js';

const entry = (manager: string, fieldsV1: unknown, extra: Record<string, string> = {}) => ({
  manager,
  operation: 'Apply',
  apiVersion: 'v1',
  time: '2026-12-07T10:00:00Z',
  fieldsType: 'FieldsV1',
  fieldsV1,
  ...extra,
});

const ours = { 'f:data': { 'f:epoch': {} }, 'f:metadata': { 'f:labels': { 'f:a': {}, 'f:b': {} } } };

const object = (uid: string | undefined, ...managedFields: object[]) => ({
  metadata: { ...(uid ? { uid } : {}), managedFields },
});

describe('ownedFieldsFingerprint', () => {
  const base = ownedFieldsFingerprint(object('u1', entry('paygrid', ours)), 'paygrid');

  it('is the same for another read of the same object, whatever the key order, time and others do', () => {
    const reordered = { 'f:metadata': { 'f:labels': { 'f:b': {}, 'f:a': {} } }, 'f:data': { 'f:epoch': {} } };
    const again = object(
      'u1',
      entry('kubectl-edit', { 'f:data': { 'f:other': {} } }, { operation: 'Update' }),
      entry('paygrid', reordered, { time: '2026-12-07T11:00:00Z', apiVersion: 'v2' }),
      entry('paygrid', { 'f:status': {} }, { subresource: 'status' }),
    );
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(ownedFieldsFingerprint(again, 'paygrid')).toBe(base);
  });

  it('changes when someone else took or removed one of our fields', () => {
    const lostLabel = { 'f:data': { 'f:epoch': {} }, 'f:metadata': { 'f:labels': { 'f:a': {} } } };
    expect(ownedFieldsFingerprint(object('u1', entry('paygrid', lostLabel)), 'paygrid')).not.toBe(base);
    expect(ownedFieldsFingerprint(object('u1'), 'paygrid')).not.toBe(base);
  });

  it('changes when the object was deleted and made again (new uid)', () => {
    expect(ownedFieldsFingerprint(object('u2', entry('paygrid', ours)), 'paygrid')).not.toBe(base);
  });

  it('is undefined for an object that did not come from a server', () => {
    expect(ownedFieldsFingerprint(object(undefined, entry('paygrid', ours)), 'paygrid')).toBeUndefined();
  });
});
