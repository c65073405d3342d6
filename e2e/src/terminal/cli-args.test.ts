import { parseFlags, UsageError } from './cli-args.js';

const specs = [
  { name: 'routes', kind: 'string', required: true },
  { name: 'rate', kind: 'number' },
  { name: 'results', kind: 'string', repeatable: true },
] as const;

describe('parseFlags', () => {
  it('reads values after the flag or after =, numbers as numbers, repeatable flags as lists', () => {
    expect(
      parseFlags(['--routes', 'http://127.0.0.1:1', '--rate=2.5', '--results', 'a', '--results=b'], specs),
    ).toEqual({ routes: 'http://127.0.0.1:1', rate: 2.5, results: ['a', 'b'] });
  });

  it('names the flag at fault', () => {
    expect(() => parseFlags(['--rate', 'x', '--routes', 'u'], specs)).toThrow('--rate must be a number');
    expect(() => parseFlags(['--rate', '1'], specs)).toThrow('--routes is required');
    expect(() => parseFlags(['--routes', 'u', '--routes', 'v'], specs)).toThrow('--routes given twice');
    expect(() => parseFlags(['--routes'], specs)).toThrow('--routes needs a value');
    expect(() => parseFlags(['--nope', '1'], specs)).toThrow(UsageError);
    expect(() => parseFlags(['stray'], specs)).toThrow('unknown argument stray');
  });
});
