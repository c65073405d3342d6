// Card numbers and secrets never reach a log line. Two layers: pino's path redaction for the
// fields that hold them by name, and a scrub of every string written, which masks any run of
// 12 to 19 digits (optionally grouped by spaces or dashes) that looks like a card number, wherever
// it hides (an error message quoting a body, a URL).

/** Field paths whose values are replaced by "[REDACTED]" in every log line. */
export const REDACT_PATHS: readonly string[] = [
  'pan',
  '*.pan',
  '*.*.pan',
  'card.number',
  '*.card.number',
  'cvv',
  '*.cvv',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'key',
  '*.key',
  'hmacKey',
  'databaseUrl',
  '*.databaseUrl',
  'dsn',
  '*.dsn',
  'connectionString',
  '*.connectionString',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

const CARD_LIKE = /\b\d(?:[ -]?\d){11,18}\b/g;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;

/** Masks card-like digit runs (keeping the last four) and passwords in URLs. */
export function scrubText(text: string): string {
  return text
    .replace(CARD_LIKE, (run) => {
      const digits = run.replace(/[ -]/g, '');
      return `[PAN ****${digits.slice(-4)}]`;
    })
    .replace(URL_PASSWORD, '$1[REDACTED]@');
}
