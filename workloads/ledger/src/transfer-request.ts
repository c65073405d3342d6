// What a client may ask the ledger to book, validated field by field (a 400 names the field and
// the rule), and its fingerprint: the content that makes two requests with one id "the same".
import { createHash } from 'node:crypto';
import { invalidField } from '@paygrid/workload-kit';

export const TRANSFER_TYPES = ['single', 'pending', 'post', 'void'] as const;
export type TransferType = (typeof TRANSFER_TYPES)[number];

const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const CURRENCY = /^[A-Z]{3}$/;
const METADATA_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_TIMEOUT_SECONDS = 31 * 24 * 3600;

export type Metadata = Readonly<Record<string, string | number>>;

export interface TransferRequest {
  readonly id: string;
  readonly type: TransferType;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  /** Required for single and pending; optional for post (default: all of the pending); absent for void. */
  readonly amountMinor?: number;
  readonly currency: string;
  readonly pendingId?: string;
  readonly timeoutSeconds: number;
  readonly standIn: boolean;
  readonly metadata: Metadata;
}

export interface AccountRequest {
  readonly id: string;
  readonly currency: string;
  readonly debitsMustNotExceedCredits: boolean;
  readonly creditsMustNotExceedDebits: boolean;
}

export interface DeclineRequest {
  readonly id: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly reason: string;
  readonly metadata: Metadata;
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidField(field, 'object', `${field} must be a JSON object`);
  return value as Record<string, unknown>;
}

function id(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ID.test(value))
    throw invalidField(field, 'id', `${field} must be 1-128 characters of A-Z a-z 0-9 _ . : -`);
  return value;
}

function currency(value: unknown, field: string): string {
  if (typeof value !== 'string' || !CURRENCY.test(value))
    throw invalidField(field, 'currency', `${field} must be an ISO 4217 code of three capitals, like EUR`);
  return value;
}

function amount(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
    throw invalidField(
      field,
      'positiveInteger',
      `${field} must be a positive integer number of minor units (cents), at most ${Number.MAX_SAFE_INTEGER}`,
    );
  return value;
}

function flag(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalidField(field, 'boolean', `${field} must be true or false`);
  return value;
}

function metadata(value: unknown, field: string): Metadata {
  if (value === undefined) return {};
  const o = object(value, field);
  const keys = Object.keys(o);
  if (keys.length > 16) throw invalidField(field, 'maxKeys', `${field} may hold at most 16 keys`);
  for (const k of keys) {
    if (!METADATA_KEY.test(k))
      throw invalidField(`${field}.${k}`, 'key', `${field} keys are identifiers of at most 64 characters`);
    const v = o[k];
    const ok =
      (typeof v === 'string' && v.length <= 256) || (typeof v === 'number' && Number.isSafeInteger(v));
    if (!ok)
      throw invalidField(
        `${field}.${k}`,
        'value',
        `${field}.${k} must be a string (≤ 256) or a safe integer`,
      );
  }
  return o as Metadata;
}

export function parseTransfer(body: unknown, at = 'body'): TransferRequest {
  const o = object(body, at);
  const f = (name: string) => (at === 'body' ? name : `${at}.${name}`);
  const type = o.type;
  if (typeof type !== 'string' || !(TRANSFER_TYPES as readonly string[]).includes(type))
    throw invalidField(f('type'), 'enum', `${f('type')} must be one of ${TRANSFER_TYPES.join(', ')}`);
  const t = type as TransferType;
  const debitAccountId = id(o.debitAccountId, f('debitAccountId'));
  const creditAccountId = id(o.creditAccountId, f('creditAccountId'));
  if (debitAccountId === creditAccountId)
    throw invalidField(
      f('creditAccountId'),
      'distinct',
      `${f('creditAccountId')} must differ from debitAccountId`,
    );
  let amountMinor: number | undefined;
  if (t === 'single' || t === 'pending') amountMinor = amount(o.amountMinor, f('amountMinor'));
  else if (t === 'post' && o.amountMinor !== undefined) amountMinor = amount(o.amountMinor, f('amountMinor'));
  else if (t === 'void' && o.amountMinor !== undefined)
    throw invalidField(
      f('amountMinor'),
      'absent',
      `a void releases the whole pending transfer: omit ${f('amountMinor')}`,
    );
  let pendingId: string | undefined;
  if (t === 'post' || t === 'void') pendingId = id(o.pendingId, f('pendingId'));
  else if (o.pendingId !== undefined)
    throw invalidField(f('pendingId'), 'absent', `${f('pendingId')} is only for post and void`);
  let timeoutSeconds = 0;
  if (o.timeoutSeconds !== undefined) {
    const v = o.timeoutSeconds;
    if (t !== 'pending')
      throw invalidField(
        f('timeoutSeconds'),
        'absent',
        `${f('timeoutSeconds')} is only for pending transfers`,
      );
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_TIMEOUT_SECONDS)
      throw invalidField(
        f('timeoutSeconds'),
        'range',
        `${f('timeoutSeconds')} must be an integer from 0 (never) to ${MAX_TIMEOUT_SECONDS}`,
      );
    timeoutSeconds = v;
  }
  return {
    id: id(o.id, f('id')),
    type: t,
    debitAccountId,
    creditAccountId,
    ...(amountMinor !== undefined ? { amountMinor } : {}),
    currency: currency(o.currency, f('currency')),
    ...(pendingId !== undefined ? { pendingId } : {}),
    timeoutSeconds,
    standIn: flag(o.standIn, f('standIn')),
    metadata: metadata(o.metadata, f('metadata')),
  };
}

export function parseAccount(body: unknown): AccountRequest {
  const o = object(body, 'body');
  const flags = o.flags === undefined ? {} : object(o.flags, 'flags');
  const debitsMustNotExceedCredits = flag(
    flags.debitsMustNotExceedCredits,
    'flags.debitsMustNotExceedCredits',
  );
  const creditsMustNotExceedDebits = flag(
    flags.creditsMustNotExceedDebits,
    'flags.creditsMustNotExceedDebits',
  );
  if (debitsMustNotExceedCredits && creditsMustNotExceedDebits)
    throw invalidField('flags', 'exclusive', 'an account cannot have both flags: it could never move');
  return {
    id: id(o.id, 'id'),
    currency: currency(o.currency, 'currency'),
    debitsMustNotExceedCredits,
    creditsMustNotExceedDebits,
  };
}

export function parseDecline(body: unknown): DeclineRequest {
  const o = object(body, 'body');
  if (typeof o.reason !== 'string' || !/^[A-Za-z]{1,64}$/.test(o.reason))
    throw invalidField('reason', 'reasonCode', 'reason must be a CamelCase code of at most 64 letters');
  return {
    id: id(o.id, 'id'),
    amountMinor: amount(o.amountMinor, 'amountMinor'),
    currency: currency(o.currency, 'currency'),
    reason: o.reason,
    metadata: metadata(o.metadata, 'metadata'),
  };
}

/**
 * What makes two requests with one id the same transfer: not metadata (a retry measures another
 * latency) and not standIn (a replayed stand-in hold that was also booked online is the same hold).
 */
export function fingerprint(t: TransferRequest): string {
  const content = [
    t.type,
    t.debitAccountId,
    t.creditAccountId,
    t.amountMinor ?? null,
    t.currency,
    t.pendingId ?? null,
    t.timeoutSeconds,
  ];
  return createHash('sha256').update(JSON.stringify(content)).digest('base64url');
}
