// The metric names a PromQL expression reads, so dashboards can be held to the metrics the code
// really registers. A small scanner, not a parser: it drops what cannot be a metric name (strings,
// label matchers in {}, ranges in [], Grafana variables, numbers and durations, label lists of
// by/without/on/ignoring/group_left/group_right), functions (an identifier followed by "("),
// aggregation operators and keywords; every other identifier is a metric name. A metric named only
// through {__name__="..."} is not seen.

const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set([
  ...LABEL_LIST_KEYWORDS,
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
  // Aggregation operators may be followed by by/without before their "(".
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);

const IDENT_START = /[A-Za-z_:]/;
const IDENT = /[A-Za-z0-9_:]/;

/** Index just past the bracket that closes the one at `start`, skipping quoted strings. */
function skipBracketed(expr: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') i = skipString(expr, i) - 1;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced '${open}' at offset ${start} in PromQL: ${expr}`);
}

function skipString(expr: string, start: number): number {
  const quote = expr[start]!;
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === '\\' && quote !== '`') i++;
    else if (expr[i] === quote) return i + 1;
  }
  throw new Error(`unterminated string at offset ${start} in PromQL: ${expr}`);
}

function skipSpace(expr: string, i: number): number {
  while (i < expr.length && /\s/.test(expr[i]!)) i++;
  return i;
}

/** The distinct metric names `expr` selects, in order of first appearance. */
export function promqlMetricNames(expr: string): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') i = skipString(expr, i);
    else if (c === '{') i = skipBracketed(expr, i, '{', '}');
    else if (c === '[') i = skipBracketed(expr, i, '[', ']');
    else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '$') {
      // Grafana variables: $name, ${name}, ${name:format}, [[name]] (the last is a range to us).
      i = expr[i + 1] === '{' ? skipBracketed(expr, i + 1, '{', '}') : i + 1;
      while (i < expr.length && IDENT.test(expr[i]!)) i++;
    } else if (/[0-9.]/.test(c)) {
      // Numbers, hex, exponents and durations (5m, 1h30m) are one run of these characters.
      i++;
      while (
        i < expr.length &&
        (/[0-9A-Za-z_.]/.test(expr[i]!) || (/[+-]/.test(expr[i]!) && /[eE]/.test(expr[i - 1]!)))
      )
        i++;
    } else if (IDENT_START.test(c)) {
      const start = i;
      while (i < expr.length && IDENT.test(expr[i]!)) i++;
      const word = expr.slice(start, i);
      const next = skipSpace(expr, i);
      if (LABEL_LIST_KEYWORDS.has(word.toLowerCase())) {
        if (expr[next] === '(') i = skipBracketed(expr, next, '(', ')');
      } else if (expr[next] === '(' || KEYWORDS.has(word.toLowerCase())) {
        // A function or an aggregation: not a metric.
      } else if (!names.includes(word)) names.push(word);
    } else i++;
  }
  return names;
}

/** The label names in the by/without/on/ignoring/group_left/group_right lists of `expr`. */
export function promqlGroupingLabels(expr: string): string[] {
  const labels: string[] = [];
  const re = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)/gi;
  // Strings and matchers may hold the same words: blank them first.
  const code = expr.replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`|\{[^}]*\}/g, (m) =>
    ' '.repeat(m.length),
  );
  for (const m of code.matchAll(re))
    for (const l of m[2]!.split(',').map((x) => x.trim()))
      if (l !== '' && !labels.includes(l)) labels.push(l);
  return labels;
}
