import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The README and the manual in docs/ are what a bank receives with the code: every relative link
 * must lead somewhere in the repository (and a `#anchor` to a heading of that page), nothing may point
 * outside it or name the project's internal notes, and the README stays a map that fits on a few
 * screens. The settings table of docs/configuration.md has its own test beside the configuration
 * class (src/config/configuration-docs.spec.ts).
 */
const ROOT = join(__dirname, '..');
const pages = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The page's prose: fenced code blocks and inline code hold commands and JSON, not links. */
const prose = (md: string) => md.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's anchor for each heading of a page: lower-case, punctuation dropped, spaces as '-', repeats numbered. */
function anchorsOf(md: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of md.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const plain = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const base = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Every link and image target of a page that is not a URL: [text](target) and ![alt](target). */
function relativeLinks(md: string): string[] {
  return [...prose(md).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?: "[^"]*")?\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('README and docs/', () => {
  it('has the pages the README links to', () => {
    expect(pages).toEqual(expect.arrayContaining(['docs/README.md', 'docs/api.md', 'docs/configuration.md']));
  });

  it.each(pages)('%s: every relative link resolves to a file of the repository, and an anchor to a heading', (page) => {
    const broken: string[] = [];
    for (const link of relativeLinks(text(page))) {
      const [path, anchor] = link.split('#', 2);
      const target = path === '' ? join(ROOT, page) : resolve(ROOT, dirname(page), decodeURIComponent(path));
      const where = relative(ROOT, target);
      if (where.startsWith('..') || !existsSync(target)) {
        broken.push(`${link}: no file ${where}`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!statSync(target).isFile() || !target.endsWith('.md')) broken.push(`${link}: an anchor into ${where}`);
      else if (!anchorsOf(readFileSync(target, 'utf8')).has(anchor)) broken.push(`${link}: no heading #${anchor}`);
    }
    expect({ page, broken }).toEqual({ page, broken: [] });
  });

  it.each(pages)('%s: names no internal note, no path outside the repository, no issue number', (page) => {
    const found = text(page)
      .split('\n')
      .map((line, i) => ({ line: i + 1, text: line }))
      .filter(({ text: l }) => /\.\.\/shared|PRODUCT\.md|\/work\/|\bissues? #?\d/i.test(l));
    expect({ page, found }).toEqual({ page, found: [] });
  });

  it('no source, test or bench file names an internal note, a path outside the repository or an issue number', () => {
    const files = (dir: string): string[] =>
      readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? files(join(dir, e.name))
          : /\.(ts|js|mjs|json|eta|css|html|yaml|conf)$/.test(e.name)
            ? [join(dir, e.name)]
            : [],
      );
    const found = ['src', 'test', 'bench', 'deploy']
      .flatMap((dir) => files(dir))
      .concat(['.ci/run', 'Dockerfile', 'compose.yaml'])
      .flatMap((file) =>
        readFileSync(join(ROOT, file), 'utf8')
          .split('\n')
          .map((l, i) => ({ at: `${file}:${i + 1}`, l }))
          .filter(({ l }) => /\.\.\/shared|PRODUCT\.md|\/work\/|\bissues? #?\d/i.test(l))
          .map(({ at }) => at),
      );
    expect(found).toEqual([]);
  });

  it('keeps the README a map: under 200 lines', () => {
    expect(text('README.md').split('\n').length).toBeLessThan(200);
  });

  it('works out anchors as GitHub does, so that the link check can fail', () => {
    const md = '# pxauth\n## The API\n### `POST /users/auth_token`\n## Tests\n## Tests\n```\n# not a heading\n```\n';
    expect([...anchorsOf(md)]).toEqual(['pxauth', 'the-api', 'post-usersauth_token', 'tests', 'tests-1']);
    expect(relativeLinks('[a](docs/api.md#x) ![b](docs/c.png) [c](https://plaid.com) `[d](e.md)`')).toEqual([
      'docs/api.md#x',
      'docs/c.png',
    ]);
  });
});
