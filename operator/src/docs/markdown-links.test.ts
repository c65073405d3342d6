import { headingAnchors, headingSlug, isExternal, markdownLinks } from './markdown-links.js';

describe('markdownLinks', () => {
  it('finds inline links, images, titled links and reference definitions with their lines', () => {
    const md = [
      'See [the map](docs/architecture.md) and [`code`](operator/src/main.ts "title").',
      '![diagram](img/a.png) [anchor](#the-two-commands)',
      '[ref]: ../README.md',
    ].join('\n');
    expect(markdownLinks(md)).toEqual([
      { target: 'docs/architecture.md', line: 1 },
      { target: 'operator/src/main.ts', line: 1 },
      { target: 'img/a.png', line: 2 },
      { target: '#the-two-commands', line: 2 },
      { target: '../README.md', line: 3 },
    ]);
  });

  it('ignores links in fenced code blocks and inline code', () => {
    const md = ['```sh', 'echo [x](not/a/link.md)', '```', 'Text `[y](nor/this.md)` [z](real.md)'].join('\n');
    expect(markdownLinks(md).map((l) => l.target)).toEqual(['real.md']);
  });
});

describe('headingAnchors', () => {
  it("follows GitHub's slugs, numbering repeated headings and skipping code blocks", () => {
    const md = [
      '# paygrid — design',
      '## The two commands',
      '### `kubectl paygrid`',
      '## Install (Helm)',
      '## Benchmark: time to fail over',
      '```',
      '# not a heading',
      '```',
      '## Install (Helm)',
    ].join('\n');
    expect([...headingAnchors(md)]).toEqual([
      'paygrid--design',
      'the-two-commands',
      'kubectl-paygrid',
      'install-helm',
      'benchmark-time-to-fail-over',
      'install-helm-1',
    ]);
    expect(headingSlug('EdgeSite: spec')).toBe('edgesite-spec');
  });
});

test('isExternal', () => {
  expect(isExternal('https://example.com')).toBe(true);
  expect(isExternal('mailto:a@b.c')).toBe(true);
  expect(isExternal('docs/x.md')).toBe(false);
  expect(isExternal('#x')).toBe(false);
});
