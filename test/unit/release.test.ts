// The release script on a temporary clone of this repository (plain git, a bare repository as
// origin): vX.Y.Z and vX made from a commit on main, every `uses: ORG/expeditor/…` reachable from
// the tag pinned to a commit SHA of the same code, main untouched, both tags pushed; vX moves
// forward only; the refusals.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changelogSection, ReleaseError, release, selfRefs, verifyRelease } from '../../scripts/release.ts';

const root = resolve(import.meta.dirname, '../..');
const env = { GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@invalid', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@invalid' };

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

let base: string;
let origin: string;
let work: string;

/** A commit on main in the work clone changing `file`, pushed to origin. */
function commitOnMain(file: string, text: string): string {
  writeFileSync(join(work, file), text);
  git(work, 'add', file);
  git(work, 'commit', '-q', '-m', `change ${file}`);
  git(work, 'push', '-q', 'origin', 'main');
  return git(work, 'rev-parse', 'HEAD');
}

const changelog = (versions: string[]): string =>
  ['# Changelog', '', '## [Unreleased]', '', ...versions.flatMap((v) => [`## [${v}] - 2025-01-01`, '', `- what ${v} brings`, ''])].join(
    '\n',
  );

const thrownBy = (f: () => unknown): ReleaseError => {
  try {
    f();
  } catch (error) {
    if (error instanceof ReleaseError) return error;
    throw error;
  }
  throw new Error('did not throw');
};

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'release-test-'));
  origin = join(base, 'origin.git');
  work = join(base, 'work');
  git(base, 'clone', '-q', '--bare', '--no-tags', root, origin);
  // This checkout's HEAD is main's tip on the origin (CI may check out a detached HEAD).
  git(origin, 'update-ref', 'refs/heads/main', git(root, 'rev-parse', 'HEAD'));
  git(base, 'clone', '-q', '-b', 'main', origin, work);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('scripts/release.ts on a clone', () => {
  it('v1.0.0: a chain of release commits off main, every reference a consumer reaches pinned to the same code, tags pushed', () => {
    const source = commitOnMain('CHANGELOG.md', changelog(['1.0.0']));
    const r = release({ dir: work, version: '1.0.0', push: 'origin', date: '2025-01-01T00:00:00Z' });
    expect(r).toMatchObject({ tag: 'v1.0.0', major: 'v1', source, notes: '- what 1.0.0 brings' });

    // main is not moved; the release commits are children of the released one, in a line.
    expect(git(work, 'rev-parse', 'origin/main')).toBe(source);
    expect([source, ...r.chain.slice(0, -1)]).toEqual(r.chain.map((c) => git(work, 'rev-parse', `${c}^`)));
    // promote.yml → deploy.yml → actions: two levels of calls, so three commits (the examples call promote.yml).
    expect(r.chain).toHaveLength(3);
    const below = r.chain.at(-2)!;

    // Only files with self-references changed; every action's directory (its dist) is the released commit's.
    const changed = git(work, 'diff', '--name-only', source, r.sha).split('\n');
    for (const f of changed) expect(f, f).toMatch(/^(\.github\/workflows|examples\/workflows)\/[a-z]+\.yml$/);
    for (const action of ['assume-env', 'build-image', 'deploy-ecs', 'deploy-eks', 'bluegreen-switch', 'deployment-record'])
      expect(git(work, 'rev-parse', `${r.sha}:actions/${action}`)).toBe(git(work, 'rev-parse', `${source}:actions/${action}`));

    // At the tag: every self-reference names the commit below it, commented with the tag.
    for (const path of ['.github/workflows/deploy.yml', '.github/workflows/promote.yml', 'examples/workflows/delivery.yml']) {
      const refs = selfRefs(path, git(work, 'show', `${r.sha}:${path}`));
      expect(refs.length, path).toBeGreaterThan(0);
      for (const ref of refs) expect(ref, path).toMatchObject({ ref: below, comment: 'v1.0.0' });
    }
    // Following the calls from the examples: promote.yml@below → deploy.yml@(one further down) → actions.
    const promote = selfRefs('p', git(work, 'show', `${below}:.github/workflows/promote.yml`));
    expect(promote.map((x) => x.ref)).toContain(r.chain.at(-3));
    const deploy = selfRefs('d', git(work, 'show', `${r.chain.at(-3)}:.github/workflows/deploy.yml`));
    expect(new Set(deploy.map((x) => x.ref))).toEqual(new Set([source]));
    expect(deploy.every((x) => x.target.startsWith('actions/'))).toBe(true);
    expect(verifyRelease(work, 'v1.0.0')).toEqual([]);

    // Both tags on the origin, at the release commit.
    const remote = git(work, 'ls-remote', '--tags', 'origin');
    expect(remote).toContain(`${r.sha}\trefs/tags/v1.0.0^{}`);
    expect(remote).toContain(`${r.sha}\trefs/tags/v1^{}`);
  });

  it('the check finds a tag whose nested references are not pinned (the source commit tagged as is)', () => {
    git(work, 'tag', 'v0.0.1-unpinned', 'origin/main');
    const problems = verifyRelease(work, 'v0.0.1-unpinned');
    expect(
      problems.some((p) =>
        /\.github\/workflows\/deploy\.yml:\d+ .*ORG\/expeditor\/actions\/deploy-ecs@v1 is not pinned to a commit SHA/.test(p),
      ),
    ).toBe(true);
  });

  it('the command line: --verify passes on the release, and says what it made', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/release.ts'), '--verify', 'v1.0.0', '--dir', work], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('v1.0.0: every reference pinned and the same code');
  });

  it('v1.1.0 moves v1 forward; v1.0.0 stays; an older or existing version is refused; v2.0.0 leaves v1 alone', () => {
    const first = git(work, 'rev-parse', 'v1.0.0^{commit}');
    commitOnMain('CHANGELOG.md', changelog(['1.1.0', '1.0.0']));
    const r = release({ dir: work, version: 'v1.1.0', push: 'origin' });
    expect(git(work, 'rev-parse', 'v1^{commit}')).toBe(r.sha);
    expect(git(work, 'rev-parse', 'v1.0.0^{commit}')).toBe(first);
    expect(git(work, 'ls-remote', '--tags', 'origin')).toContain(`${r.sha}\trefs/tags/v1^{}`);
    expect(verifyRelease(work, 'v1.1.0')).toEqual([]);

    expect(thrownBy(() => release({ dir: work, version: '1.1.0' })).message).toBe(
      'v1.1.0 already exists: a release is never moved; release the next version',
    );
    expect(thrownBy(() => release({ dir: work, version: '1.0.5' })).message).toBe(
      'v1.0.5 is not newer than v1.1.0: v1 would move backwards; release a version after v1.1.0',
    );
    expect(thrownBy(() => release({ dir: work, version: '1.2' })).message).toBe('version "1.2" is not X.Y.Z (e.g. 1.4.0)');

    const r2 = release({ dir: work, version: '2.0.0' });
    expect(git(work, 'rev-parse', 'v2^{commit}')).toBe(r2.sha);
    expect(git(work, 'rev-parse', 'v1^{commit}')).toBe(r.sha);
  });

  it('refuses a commit that is not on main', () => {
    git(work, 'checkout', '-q', '-b', 'feature');
    writeFileSync(join(work, 'feature.txt'), 'x');
    git(work, 'add', 'feature.txt');
    git(work, 'commit', '-q', '-m', 'feature');
    const feature = git(work, 'rev-parse', 'HEAD');
    git(work, 'checkout', '-q', 'main');
    expect(thrownBy(() => release({ dir: work, version: '2.1.0', commit: feature })).message).toBe(
      `commit ${feature.slice(0, 12)} is not on origin/main: releases are made from main only`,
    );
  });

  it('--as: the released files call the project by its published name', () => {
    const r = release({ dir: work, version: '2.1.0', publishAs: 'acme/expeditor' });
    const deploy = git(work, 'show', `${r.sha}:.github/workflows/deploy.yml`);
    expect(deploy).not.toContain('ORG/expeditor');
    expect(deploy).toMatch(new RegExp(`uses: acme/expeditor/actions/deploy-eks@${r.chain.at(-2)} # v2.1.0`));
    expect(verifyRelease(work, 'v2.1.0', 'acme/expeditor')).toEqual([]);
  });
});

describe('release helpers', () => {
  it('reads self-references however they are written, and nothing else', () => {
    const text = [
      '      - uses: ORG/expeditor/actions/deploy-eks@v1',
      "    uses: 'ORG/expeditor/.github/workflows/deploy.yml@v1' # v1",
      '      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0',
      '      - uses: ORG/expeditor-fork/actions/x@v1',
      '# uses: ORG/expeditor/actions/deploy-eks@v1',
    ].join('\n');
    expect(selfRefs('f.yml', text)).toEqual([
      { path: 'f.yml', line: 1, target: 'actions/deploy-eks', ref: 'v1', comment: '' },
      { path: 'f.yml', line: 2, target: '.github/workflows/deploy.yml', ref: 'v1', comment: 'v1' },
    ]);
  });

  it('takes the release notes from the CHANGELOG section', () => {
    const text = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
    expect(changelogSection(text, '9.9.9')).toBe('');
    expect(changelogSection(changelog(['1.1.0', '1.0.0']), '1.1.0')).toBe('- what 1.1.0 brings');
  });
});
