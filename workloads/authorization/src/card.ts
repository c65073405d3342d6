// Card validation, pure: the PAN (digits after stripping spaces, 12 to 19 of them, Luhn check
// digit) and the expiry (MM/YY, valid through the last day of that month, in UTC). A failure names
// the field and the rule; its message never quotes the PAN.

export interface ValidCard {
  /** Digits only. Never logged, never stored: tokenize it and drop it. */
  readonly pan: string;
  readonly last4: string;
  /** Normalised MM/YY. */
  readonly expiry: string;
}

export interface CardFault {
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

export type CardCheck =
  { readonly ok: true; readonly card: ValidCard } | ({ readonly ok: false } & CardFault);

const fault = (field: string, rule: string, message: string): CardCheck => ({
  ok: false,
  field,
  rule,
  message,
});

/** The Luhn (mod 10) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** True when a card expiring at MM/YY can still be used at `now` (through the end of that month). */
export function expiryValid(month: number, twoDigitYear: number, now: Date): boolean {
  const year = 2000 + twoDigitYear;
  const nowYear = now.getUTCFullYear();
  const nowMonth = now.getUTCMonth() + 1;
  return year > nowYear || (year === nowYear && month >= nowMonth);
}

export function validateCard(card: unknown, now: Date): CardCheck {
  if (typeof card !== 'object' || card === null || Array.isArray(card))
    return fault('card', 'required', 'card must be an object { pan, expiry }');
  const { pan, expiry } = card as { pan?: unknown; expiry?: unknown };
  if (typeof pan !== 'string') return fault('card.pan', 'required', 'card.pan must be a string of digits');
  const digits = pan.replace(/ /g, '');
  if (!/^\d+$/.test(digits))
    return fault('card.pan', 'digits', 'card.pan must hold only digits (spaces are allowed between groups)');
  if (digits.length < 12 || digits.length > 19)
    return fault('card.pan', 'length', `card.pan must have 12 to 19 digits, it has ${digits.length}`);
  if (!luhnValid(digits)) return fault('card.pan', 'luhn', 'card.pan fails the Luhn check digit');
  if (typeof expiry !== 'string')
    return fault('card.expiry', 'required', 'card.expiry must be a string MM/YY');
  const m = /^(0[1-9]|1[0-2])\/(\d{2})$/.exec(expiry);
  if (!m) return fault('card.expiry', 'format', 'card.expiry must be MM/YY with a month from 01 to 12');
  if (!expiryValid(Number(m[1]), Number(m[2]), now))
    return fault('card.expiry', 'notExpired', `card.expiry ${expiry} is in the past`);
  return { ok: true, card: { pan: digits, last4: digits.slice(-4), expiry } };
}
