// README.md and docs/*.md link only to files that exist in the repository (a user who clones it
// has nothing else), and their #anchors name headings of the page they point to.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { headingAnchors, isExternal, markdownLinks } from './markdown-links.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

const anchorsOf = new Map<string, Set<string>>();
const anchors = (file: string) => {
  let a = anchorsOf.get(file);
  if (!a) anchorsOf.set(file, (a = headingAnchors(readFileSync(file, 'utf8'))));
  return a;
};

test('the pages checked include the README and the docs', () => {
  expect(pages).toEqual(
    expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/failover.md', 'docs/runbook.md']),
  );
});

describe.each(pages)('%s', (page) => {
  const file = join(root, page);
  const links = markdownLinks(readFileSync(file, 'utf8')).filter((l) => !isExternal(l.target));

  it('links only to files inside the repository that exist', () => {
    const bad = links.flatMap(({ target, line }) => {
      const path = decodeURIComponent(target.split('#')[0]!);
      if (path === '') return [];
      const to = resolve(dirname(file), path);
      if (relative(root, to).startsWith('..'))
        return [`${page}:${line}: ${target} is outside the repository`];
      if (!existsSync(to)) return [`${page}:${line}: ${target} does not exist (${relative(root, to)})`];
      return [];
    });
    expect(bad).toEqual([]);
  });

  it('has anchors that name headings of the page linked', () => {
    const bad = links.flatMap(({ target, line }) => {
      const hash = target.indexOf('#');
      if (hash < 0) return [];
      const path = target.slice(0, hash);
      const to = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      if (!to.endsWith('.md') || !existsSync(to) || statSync(to).isDirectory()) return [];
      return anchors(to).has(target.slice(hash + 1)) ? [] : [`${page}:${line}: ${target} names no heading`];
    });
    expect(bad).toEqual([]);
  });
});
