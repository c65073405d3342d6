// Request validation, pure: each body becomes a typed request or a 400 naming the field and the
// rule. Identifiers become ledger account ids (`merchant:<id>`), so they keep to the ledger's id
// alphabet and length.
import { invalidField, type HttpError } from '@paygrid/workload-kit';
import { validateCard, type ValidCard } from './card.js';

export interface AuthorizeRequest {
  readonly amountMinor: number;
  readonly currency: string;
  readonly card: ValidCard;
  readonly merchantId: string;
  readonly terminalId: string;
}

export interface CaptureRequest {
  /** Absent: capture the whole authorized amount. */
  readonly amountMinor?: number;
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: HttpError };

const IDENTIFIER = /^[A-Za-z0-9_.:-]{1,64}$/;
const CURRENCY = /^[A-Z]{3}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const bad = <T>(field: string, rule: string, message: string): Parsed<T> => ({
  ok: false,
  error: invalidField(field, rule, message),
});

export function isPositiveSafeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseAuthorize(body: unknown, now: Date): Parsed<AuthorizeRequest> {
  if (!isObject(body))
    return bad(
      'body',
      'required',
      'send a JSON object { amountMinor, currency, card, merchantId, terminalId }',
    );
  const { amountMinor, currency, merchantId, terminalId } = body;
  if (!isPositiveSafeInteger(amountMinor))
    return bad(
      'amountMinor',
      'positiveSafeInteger',
      'amountMinor must be a positive integer in minor units (cents)',
    );
  if (typeof currency !== 'string' || !CURRENCY.test(currency))
    return bad('currency', 'iso4217', 'currency must be an ISO 4217 code of three capitals, e.g. EUR');
  const card = validateCard(body.card, now);
  if (!card.ok) return bad(card.field, card.rule, card.message);
  if (typeof merchantId !== 'string' || !IDENTIFIER.test(merchantId))
    return bad('merchantId', 'identifier', 'merchantId must be 1-64 characters of A-Z a-z 0-9 _ . : -');
  if (typeof terminalId !== 'string' || !IDENTIFIER.test(terminalId))
    return bad('terminalId', 'identifier', 'terminalId must be 1-64 characters of A-Z a-z 0-9 _ . : -');
  return { ok: true, value: { amountMinor, currency, card: card.card, merchantId, terminalId } };
}

export function parseCapture(body: unknown): Parsed<CaptureRequest> {
  if (body === undefined) return { ok: true, value: {} };
  if (!isObject(body)) return bad('body', 'object', 'send a JSON object { amountMinor? } or no body');
  if (body.amountMinor === undefined) return { ok: true, value: {} };
  if (!isPositiveSafeInteger(body.amountMinor))
    return bad(
      'amountMinor',
      'positiveSafeInteger',
      'amountMinor must be a positive integer in minor units (cents)',
    );
  return { ok: true, value: { amountMinor: body.amountMinor } };
}

export function parseReversal(body: unknown): Parsed<Record<string, never>> {
  if (body === undefined || (isObject(body) && Object.keys(body).length === 0))
    return { ok: true, value: {} };
  return bad('body', 'empty', 'a reversal takes no body (or {})');
}

/** The Idempotency-Key header, or a 400 naming it. */
export function parseIdempotencyKey(header: string | string[] | undefined): Parsed<string> {
  if (header === undefined || header === '')
    return bad(
      'Idempotency-Key',
      'required',
      'every write needs an Idempotency-Key header (e.g. a UUID per payment attempt)',
    );
  if (Array.isArray(header) || !IDEMPOTENCY_KEY.test(header))
    return bad(
      'Idempotency-Key',
      'format',
      'Idempotency-Key must be one value of 1-255 visible ASCII characters',
    );
  return { ok: true, value: header };
}

/** The authorization id in a path: what this service hands out (`authz_<hex>`). */
export function isAuthorizationId(id: string): boolean {
  return /^authz_[0-9a-f]{48}$/.test(id);
}
