// PAN tokenization: HMAC-SHA-256 under a key mounted from a Secret. The token is stable for a key
// (the same card always maps to the same ledger account `card:<token>`) and reveals nothing of the
// PAN without the key. The key file's raw bytes are the key (a trailing newline is dropped); fewer
// than 32 bytes is refused, because a short HMAC key makes the 10^n PAN space searchable.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const MIN_KEY_BYTES = 32;

export class Tokenizer {
  // A KeyObject made once: createHmac with a raw Buffer re-imports the key on every call.
  private constructor(private readonly key: KeyObject) {}

  static fromKey(key: Buffer): Tokenizer {
    if (key.length < MIN_KEY_BYTES)
      throw new Error(`the tokenization key has ${key.length} bytes; it needs at least ${MIN_KEY_BYTES}`);
    return new Tokenizer(createSecretKey(Buffer.from(key)));
  }

  /** Reads the key file; the error names the file and the problem, never the content. */
  static fromFile(path: string): Tokenizer {
    let raw: Buffer;
    try {
      raw = readFileSync(path);
    } catch (err) {
      throw new Error(
        `tokenization key: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}); mount the Secret there`,
      );
    }
    let end = raw.length;
    while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
    try {
      return Tokenizer.fromKey(raw.subarray(0, end));
    } catch (err) {
      throw new Error(`tokenization key ${path}: ${(err as Error).message}`);
    }
  }

  /** 64 hex characters: the card's token. */
  token(pan: string): string {
    return createHmac('sha256', this.key).update(pan).digest('hex');
  }
}
