// Test cards: Luhn-valid PANs made from a seeded PRNG, so terminals pay with numbers the
// authorization service accepts and tests can look for them in logs. Only last4 ever leaves.
import { randomInt, type Random } from './prng.js';

/** The Luhn check digit that makes `body` + digit valid. */
export function luhnCheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) throw new Error('luhnCheckDigit: body must be digits');
  let sum = 0;
  // From the right, the digits of body sit at odd positions once the check digit is appended.
  for (let i = body.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = body.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isLuhnValid(pan: string): boolean {
  return /^\d{2,}$/.test(pan) && luhnCheckDigit(pan.slice(0, -1)) === Number(pan.slice(-1));
}

/** A 16-digit Visa-like test PAN (prefix 4). */
export function testPan(random: Random): string {
  let body = '4';
  while (body.length < 15) body += String(randomInt(random, 0, 9));
  return body + String(luhnCheckDigit(body));
}

export const last4 = (pan: string): string => pan.slice(-4);
