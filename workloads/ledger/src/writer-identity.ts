// Who is writing, from the fencing headers every write carries (docs/ledger.md, "Fencing").
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError, isMemberName, memberList } from '@paygrid/workload-kit';
import type { WriterIdentity } from './fencing.js';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const bad = (name: string, message: string) =>
  new HttpError(400, 'FieldValueInvalid', message, { field: `header:${name}`, rule: 'header' });

export function parseWriterIdentity(headers: IncomingHttpHeaders): WriterIdentity {
  const epoch = header(headers, 'paygrid-epoch');
  if (epoch === undefined || !/^\d{1,15}$/.test(epoch))
    throw bad(
      'Paygrid-Epoch',
      "Paygrid-Epoch must be the caller's epoch (/etc/paygrid/epoch), a non-negative integer",
    );
  const member = header(headers, 'paygrid-member');
  if (member === undefined || !isMemberName(member))
    throw bad('Paygrid-Member', "Paygrid-Member must name the caller's member cluster (/etc/paygrid/member)");
  const replaced = header(headers, 'paygrid-replaced-member');
  if (replaced !== undefined && replaced !== '' && !isMemberName(replaced))
    throw bad('Paygrid-Replaced-Member', 'Paygrid-Replaced-Member must be a member name or absent');
  const fenced = memberList(header(headers, 'paygrid-fenced-members'));
  if (fenced.length > 32 || fenced.some((m) => !isMemberName(m)))
    throw bad(
      'Paygrid-Fenced-Members',
      'Paygrid-Fenced-Members must be at most 32 member names separated by commas',
    );
  return {
    epoch: Number(epoch),
    member,
    ...(replaced ? { replacedMember: replaced } : {}),
    ...(fenced.length > 0 ? { fencedMembers: fenced } : {}),
  };
}
