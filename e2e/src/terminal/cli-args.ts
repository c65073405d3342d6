// `--name value` command-line flags for the fleet and reconciliation mains: known flags only, each
// given once unless repeatable, numbers checked; an error names the flag.
export interface FlagSpec {
  readonly name: string;
  readonly kind: 'string' | 'number';
  readonly repeatable?: boolean;
  readonly required?: boolean;
}

export type ParsedFlags = Record<string, string | number | (string | number)[]>;

export class UsageError extends Error {}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: ParsedFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq > 0 ? eq : undefined) : undefined;
    const spec = name === undefined ? undefined : byName.get(name);
    if (!spec) throw new UsageError(`unknown argument ${arg}`);
    const text = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (text === undefined) throw new UsageError(`--${spec.name} needs a value`);
    let value: string | number = text;
    if (spec.kind === 'number') {
      value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value))
        throw new UsageError(`--${spec.name} must be a number`);
    }
    if (spec.repeatable) {
      const list = (out[spec.name] ?? []) as (string | number)[];
      list.push(value);
      out[spec.name] = list;
    } else {
      if (out[spec.name] !== undefined) throw new UsageError(`--${spec.name} given twice`);
      out[spec.name] = value;
    }
  }
  for (const s of specs)
    if (s.required && out[s.name] === undefined) throw new UsageError(`--${s.name} is required`);
  return out;
}
