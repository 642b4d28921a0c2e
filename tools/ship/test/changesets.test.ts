// The release flow depends on every pending changeset parsing: one malformed file makes `pnpm changeset version`
// fail for all packages (a markdown formatter once turned front matter into a "## ..." heading).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/build-exe.js';

const dir = join(REPO_ROOT, '.changeset');
const changesets = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
const workspaceNames = new Set(
  ['packages', 'apps', 'tools']
    .flatMap((group) => readdirSync(join(REPO_ROOT, group)).map((d) => join(REPO_ROOT, group, d, 'package.json')))
    .concat(join(REPO_ROOT, 'e2e', 'package.json'))
    .filter((p) => existsSync(p))
    .map((p) => (JSON.parse(readFileSync(p, 'utf8')) as { name: string }).name),
);

/** The front matter changesets accepts: `---`, lines `"<package>": major|minor|patch`, `---`, then a summary. */
function changesetReleases(text: string): { name: string; type: string }[] | null {
  const m = /^---\n((?:\s*["']?[^"'\n]+["']?\s*:\s*(?:major|minor|patch)\s*\n)*)---\n+\S/.exec(text);
  if (!m) return null;
  return m[1]!
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [, name, type] = /^\s*["']?([^"'\n]+?)["']?\s*:\s*(major|minor|patch)\s*$/.exec(l)!;
      return { name: name!, type: type! };
    });
}

describe('.changeset/', () => {
  it('the check recognises a valid changeset and rejects the heading form', () => {
    expect(changesetReleases('---\n"@sriov-ts/cni": minor\n---\n\nText.\n')).toEqual([
      { name: '@sriov-ts/cni', type: 'minor' },
    ]);
    expect(changesetReleases('---\n\n## "@sriov-ts/cni": minor\n\nText.\n')).toBeNull();
  });

  it.each(changesets)('%s has valid front matter naming workspace packages', (file) => {
    const releases = changesetReleases(readFileSync(join(dir, file), 'utf8'));
    expect(releases, `${file}: front matter must be ---, "<package>": major|minor|patch lines, ---`).not.toBeNull();
    for (const r of releases!) expect([...workspaceNames]).toContain(r.name);
  });
});
