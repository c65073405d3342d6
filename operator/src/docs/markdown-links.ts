// Links and heading anchors of a Markdown page, pure, for the check that the project's docs link
// only to files that exist in the repository. Links inside fenced code blocks and inline code are
// not links. Anchors follow GitHub's rule: lowercase, punctuation dropped, spaces to '-', and a
// repeated heading gets -1, -2, ...

export interface MarkdownLink {
  readonly target: string;
  readonly line: number;
}

/** The page's lines with fenced code blocks blanked and inline code removed (line numbers kept). */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((l) => {
    const m = /^\s*(```+|~~~+)/.exec(l);
    if (m) {
      if (fence === undefined) fence = m[1]![0]!;
      else if (m[1]![0] === fence) fence = undefined;
      return '';
    }
    return fence === undefined ? l.replace(/`[^`]*`/g, (c) => ' '.repeat(c.length)) : '';
  });
}

/** Every inline link and image target ([text](target), ![alt](target)) and reference definition. */
export function markdownLinks(text: string): MarkdownLink[] {
  const out: MarkdownLink[] = [];
  proseLines(text).forEach((l, i) => {
    for (const m of l.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      out.push({ target: m[1]!, line: i + 1 });
    const def = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$/.exec(l);
    if (def) out.push({ target: def[1]!, line: i + 1 });
  });
  return out;
}

/** GitHub's anchor of a heading text. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a page's headings give (ATX headings outside code blocks). */
export function headingAnchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fence: string | undefined;
  for (const l of text.split('\n')) {
    const f = /^\s*(```+|~~~+)/.exec(l);
    if (f) {
      if (fence === undefined) fence = f[1]![0]!;
      else if (f[1]![0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
    if (!h) continue;
    const base = headingSlug(h[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Whether a link target leaves the repository's files: a URL with a scheme, or mail. */
export const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target);
