import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envInteger, readSecretFile, SettingsError } from './settings.js';

describe('settings', () => {
  it('reads integers within bounds and names the variable otherwise', () => {
    expect(envInteger({}, 'PORT', 8080, 1, 65535)).toBe(8080);
    expect(envInteger({ PORT: '9090' }, 'PORT', 8080, 1, 65535)).toBe(9090);
    expect(() => envInteger({ PORT: '70000' }, 'PORT', 8080, 1, 65535)).toThrow(
      /PORT must be an integer from 1 to 65535/,
    );
    expect(() => envInteger({ PORT: '8080.5' }, 'PORT', 8080, 1, 65535)).toThrow(SettingsError);
  });

  it('reads a secret file trimmed, and never puts its content in an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paygrid-secret-'));
    writeFileSync(join(dir, 'key'), 'top-secret-value\n');
    expect(readSecretFile(join(dir, 'key'), 'tokenization key')).toBe('top-secret-value');
    writeFileSync(join(dir, 'empty'), '  \n');
    expect(() => readSecretFile(join(dir, 'empty'), 'tokenization key')).toThrow(/is empty/);
    expect(() => readSecretFile(join(dir, 'absent'), 'tokenization key')).toThrow(
      /cannot read .*absent \(ENOENT\); mount the Secret there/,
    );
  });
});
