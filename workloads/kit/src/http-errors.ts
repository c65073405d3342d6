// The one error shape every service answers with:
//   { "error": { "reason": "FieldValueInvalid", "message": "...", "field": "amountMinor", "rule": "..." } }
// `reason` is CamelCase and stable (clients switch on it); `message` says what to change.

export interface ErrorBody {
  readonly reason: string;
  readonly message: string;
  /** The request field at fault, as a JSON path (`card.pan`), when one is. */
  readonly field?: string;
  /** The rule the field broke (`luhn`, `required`, `positiveInteger`, ...). */
  readonly rule?: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly extra: { readonly field?: string; readonly rule?: string } & Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): { error: ErrorBody & Record<string, unknown> } {
    return { error: { reason: this.reason, message: this.message, ...this.extra } };
  }
}

/** A 400 naming the field and the rule it broke. */
export function invalidField(field: string, rule: string, message: string): HttpError {
  return new HttpError(400, 'FieldValueInvalid', message, { field, rule });
}
