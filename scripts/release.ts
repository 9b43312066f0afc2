// Releases Expeditor from a commit on main: tag vX.Y.Z and move vX, with every reference the
// project makes to itself (`uses: ORG/expeditor/actions/<name>@…` and
// `uses: ORG/expeditor/.github/workflows/<file>@…` in the workflows, the examples and any
// composite action) pinned to a commit SHA, so that a consumer who pins one of the reusable
// workflows by SHA runs exactly that code, however deep the calls go. Plain git only: it writes
// commits with a private index (no checkout, the working tree is never touched) and tags; it
// pushes only with --push. How and why: docs/releasing.md.
//
//   node scripts/release.ts --version 1.2.0 [--commit <sha>] [--main origin/main]
//                           [--repository ORG/expeditor] [--as owner/name] [--push origin] [--notes FILE]
//   node scripts/release.ts --verify v1.2.0 [--repository ORG/expeditor]
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ReleaseOptions {
  /** The git repository (a clone; its working tree is not read or written). */
  dir: string;
  /** X.Y.Z (a leading v is accepted). */
  version: string;
  /** The commit on main to release (default: the tip of `main`). */
  commit?: string;
  /** The ref the commit must be on (default: origin/main when it exists, else main). */
  main?: string;
  /** owner/name as the files spell the project's own references (default ORG/expeditor). */
  repository?: string;
  /** owner/name the released files call it by (default: `repository`), e.g. the real owner for ORG. */
  publishAs?: string;
  /** Remote to push the tags to. */
  push?: string;
  /** The date of the release commits (default: now); tests fix it. */
  date?: string;
}

export interface Release {
  tag: string;
  major: string;
  /** The commit the tag names. */
  sha: string;
  /** The commit released from main. */
  source: string;
  /** Commits from the one after the source to the tagged one, in order: each pins the refs to its parent. */
  chain: string[];
  /** The CHANGELOG.md section of the version (empty when there is none). */
  notes: string;
}

/** A reference the project makes to itself, on one line of a YAML file. */
export interface SelfRef {
  path: string;
  line: number;
  /** actions/<name> or .github/workflows/<file>.yml */
  target: string;
  ref: string;
  comment: string;
}

export class ReleaseError extends Error {}

const SEMVER = /^v?(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/;
const SHA = /^[0-9a-f]{40}$/;

function git(dir: string, args: string[], options: { env?: Record<string, string>; input?: string } = {}): string {
  const result = spawnSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    input: options.input,
    maxBuffer: 1 << 28,
  });
  if (result.status !== 0) throw new ReleaseError(`git ${args.join(' ')}: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

const tryGit = (dir: string, args: string[]): string | undefined => {
  const result = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
};

const regexText = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `uses: <repository>/<target>@<ref>  # comment` (quoted or not, in a list item or not). */
function refPattern(repository: string): RegExp {
  return new RegExp(
    `^(\\s*(?:-\\s+)?uses:\\s*)(["']?)${regexText(repository)}/(actions/[A-Za-z0-9._-]+|\\.github/workflows/[A-Za-z0-9._-]+\\.ya?ml)@([^\\s"'#]+)\\2([ \\t]*#.*)?$`,
  );
}

/** Every reference to the project itself in `text` (the file at `path`). */
export function selfRefs(path: string, text: string, repository = 'ORG/expeditor'): SelfRef[] {
  const pattern = refPattern(repository);
  const refs: SelfRef[] = [];
  text.split('\n').forEach((line, i) => {
    const m = pattern.exec(line);
    if (m) refs.push({ path, line: i + 1, target: m[3]!, ref: m[4]!, comment: (m[5] ?? '').replace(/^[ \t]*#\s*/, '') });
  });
  return refs;
}

/** `text` with every self-reference pinned to `sha`, commented with the release tag (and named `as`). */
export function pinRefs(text: string, sha: string, tag: string, repository = 'ORG/expeditor', as = repository): string {
  const pattern = refPattern(repository);
  return text
    .split('\n')
    .map((line) =>
      line.replace(
        pattern,
        (_all, lead: string, quote: string, target: string) => `${lead}${quote}${as}/${target}@${sha}${quote} # ${tag}`,
      ),
    )
    .join('\n');
}

/** The files that can hold self-references: workflows, examples, every action.yml. */
function candidateFiles(dir: string, commit: string): string[] {
  return git(dir, ['ls-tree', '-r', '--name-only', commit])
    .split('\n')
    .filter(
      (p) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p) || /^examples\/.+\.ya?ml$/.test(p) || /^actions\/[^/]+\/action\.ya?ml$/.test(p),
    );
}

/** A file at a commit, exactly (undefined when it is not there). */
const show = (dir: string, commit: string, path: string): string | undefined => {
  const result = spawnSync('git', ['show', `${commit}:${path}`], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  return result.status === 0 ? result.stdout : undefined;
};
const showExact = (dir: string, commit: string, path: string): string => git(dir, ['show', `${commit}:${path}`]);

/** The file a target runs: a workflow file, or an action's action.yml (or .yaml). */
function targetFile(dir: string, commit: string, target: string): string | undefined {
  if (target.startsWith('.github/')) return show(dir, commit, target) === undefined ? undefined : target;
  for (const name of ['action.yml', 'action.yaml']) if (show(dir, commit, `${target}/${name}`) !== undefined) return `${target}/${name}`;
  return undefined;
}

/**
 * How many commits a target needs below the one that references it: an action with no
 * self-references needs 0; a workflow calling such actions 1; a workflow calling that one 2.
 */
function depths(dir: string, commit: string, files: Map<string, SelfRef[]>): Map<string, number> {
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const of = (target: string, from: string): number => {
    const known = depth.get(target);
    if (known !== undefined) return known;
    const file = targetFile(dir, commit, target);
    if (!file) throw new ReleaseError(`${from} uses ${target}, which is not in the released commit ${commit.slice(0, 12)}`);
    if (visiting.has(target)) throw new ReleaseError(`${target} calls itself through ${from}: a release cannot pin a cycle`);
    visiting.add(target);
    const refs = files.get(file) ?? [];
    const d = refs.length === 0 ? 0 : 1 + Math.max(...refs.map((r) => of(r.target, `${r.path}:${r.line}`)));
    visiting.delete(target);
    depth.set(target, d);
    return d;
  };
  for (const refs of files.values()) for (const r of refs) of(r.target, `${r.path}:${r.line}`);
  return depth;
}

/** The CHANGELOG.md section `## [X.Y.Z]` (without its heading), or ''. */
export function changelogSection(changelog: string, version: string): string {
  const lines = changelog.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^## \\[${regexText(version)}\\]`).test(l));
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .replace(/\n\[[^\]]+\]:.*$/gm, '')
    .trim();
}

function releaseTags(dir: string): { tag: string; parts: [number, number, number] }[] {
  return git(dir, ['tag', '--list', 'v*'])
    .split('\n')
    .map((tag) => ({ tag, m: /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag) }))
    .filter((t): t is { tag: string; m: RegExpExecArray } => !!t.m)
    .map(({ tag, m }) => ({ tag, parts: [Number(m[1]), Number(m[2]), Number(m[3])] as [number, number, number] }));
}

const newer = (a: [number, number, number], b: [number, number, number]): boolean =>
  a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] > b[2];

/** Makes the release commits and tags (and pushes them with `push`). */
export function release(options: ReleaseOptions): Release {
  const { dir } = options;
  const repository = options.repository ?? 'ORG/expeditor';
  const publishAs = options.publishAs ?? repository;
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/.test(publishAs)) throw new ReleaseError(`"${publishAs}" is not owner/name`);
  const m = SEMVER.exec(options.version);
  if (!m) throw new ReleaseError(`version "${options.version}" is not X.Y.Z (e.g. 1.4.0)`);
  const parts: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const tag = `v${parts.join('.')}`;
  const major = `v${parts[0]}`;

  const main = options.main ?? (tryGit(dir, ['rev-parse', '--verify', '-q', 'refs/remotes/origin/main']) ? 'origin/main' : 'main');
  const mainSha = tryGit(dir, ['rev-parse', '--verify', '-q', `${main}^{commit}`]);
  if (!mainSha) throw new ReleaseError(`no branch ${main} to release from`);
  const source = tryGit(dir, ['rev-parse', '--verify', '-q', `${options.commit ?? mainSha}^{commit}`]);
  if (!source) throw new ReleaseError(`commit ${options.commit} does not exist`);
  if (spawnSync('git', ['merge-base', '--is-ancestor', source, mainSha], { cwd: dir }).status !== 0)
    throw new ReleaseError(`commit ${source.slice(0, 12)} is not on ${main}: releases are made from main only`);

  const tags = releaseTags(dir);
  if (tags.some((t) => t.tag === tag)) throw new ReleaseError(`${tag} already exists: a release is never moved; release the next version`);
  const sameMajor = tags.filter((t) => t.parts[0] === parts[0]);
  const latest = sameMajor.reduce<(typeof sameMajor)[number] | undefined>((a, t) => (!a || newer(t.parts, a.parts) ? t : a), undefined);
  if (latest && !newer(parts, latest.parts))
    throw new ReleaseError(`${tag} is not newer than ${latest.tag}: ${major} would move backwards; release a version after ${latest.tag}`);

  // The self-references of every file, and how deep the calls go.
  const files = new Map<string, SelfRef[]>();
  for (const path of candidateFiles(dir, source)) {
    const refs = selfRefs(path, showExact(dir, source, path), repository);
    if (refs.length) files.set(path, refs);
  }
  if (files.size === 0) throw new ReleaseError(`no "uses: ${repository}/…" line in the workflows or examples: is --repository right?`);
  const depth = depths(dir, source, files);
  // Each commit pins to its parent, so a target referenced from the tagged commit is resolved
  // `length - 1` levels down: one more than the deepest target.
  const length = 1 + Math.max(...depth.values());

  const env = {
    GIT_AUTHOR_NAME: process.env.GIT_AUTHOR_NAME || tryGit(dir, ['config', 'user.name']) || 'expeditor release',
    GIT_AUTHOR_EMAIL: process.env.GIT_AUTHOR_EMAIL || tryGit(dir, ['config', 'user.email']) || 'release@invalid',
    GIT_COMMITTER_NAME: process.env.GIT_COMMITTER_NAME || tryGit(dir, ['config', 'user.name']) || 'expeditor release',
    GIT_COMMITTER_EMAIL: process.env.GIT_COMMITTER_EMAIL || tryGit(dir, ['config', 'user.email']) || 'release@invalid',
    ...(options.date ? { GIT_AUTHOR_DATE: options.date, GIT_COMMITTER_DATE: options.date } : {}),
  };
  const scratch = mkdtempSync(join(tmpdir(), 'expeditor-release-'));
  const chain: string[] = [];
  try {
    const index = { ...env, GIT_INDEX_FILE: join(scratch, 'index') };
    let parent = source;
    for (let level = 1; level <= length; level++) {
      git(dir, ['read-tree', source], { env: index });
      for (const path of files.keys()) {
        const pinned = pinRefs(showExact(dir, source, path), parent, tag, repository, publishAs);
        const blob = git(dir, ['hash-object', '-w', '--stdin'], { input: pinned }).trim();
        const mode = git(dir, ['ls-tree', source, '--', path]).split(/\s/)[0]!;
        git(dir, ['update-index', '--cacheinfo', `${mode},${blob},${path}`], { env: index });
      }
      const tree = git(dir, ['write-tree'], { env: index }).trim();
      const message =
        level === length
          ? `Release ${tag}\n\nFrom ${source} on ${main}. Every uses: ${repository}/… line is pinned to the commit before this one\n(same code, its own references pinned one level further down): see docs/releasing.md.\n`
          : `Release ${tag}: pin level ${level} of ${length}\n\nEvery uses: ${repository}/… line pinned to ${parent}.\n`;
      parent = git(dir, ['commit-tree', tree, '-p', parent, '-m', message], { env }).trim();
      chain.push(parent);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const sha = chain.at(-1)!;
  const changelog = show(dir, source, 'CHANGELOG.md') ?? '';
  const notes = changelogSection(changelog, parts.join('.'));
  git(dir, ['tag', '-a', tag, sha, '-m', `Expeditor ${tag}\n\n${notes}`.trim()], { env });
  git(dir, ['tag', '-f', '-a', major, sha, '-m', `Expeditor ${major}: the latest ${major}.x release, ${tag}`], { env });
  const problems = verifyRelease(dir, tag, publishAs);
  if (problems.length) throw new ReleaseError(`the release commits do not check out:\n${problems.join('\n')}`);
  if (options.push) {
    git(dir, ['push', options.push, `refs/tags/${tag}`]);
    git(dir, ['push', '--force', options.push, `refs/tags/${major}`]);
  }
  return { tag, major, sha, source, chain, notes };
}

const treeOf = (dir: string, commit: string, path: string): string | undefined => tryGit(dir, ['rev-parse', `${commit}:${path}`]);

/**
 * What a consumer pinning the tagged commit runs, checked: from every file of the tag that holds
 * self-references, each reference (followed into the files it names, as far as calls go) is a
 * full SHA commented with the tag, an ancestor of the tag, and names a file or action that is the
 * same code as in the tag (its own references aside). Returns the problems ([] when it holds).
 */
export function verifyRelease(dir: string, tag: string, repository = 'ORG/expeditor'): string[] {
  const problems: string[] = [];
  const top = tryGit(dir, ['rev-parse', '--verify', '-q', `${tag}^{commit}`]);
  if (!top) return [`no tag ${tag}`];
  const strip = (text: string): string => pinRefs(text, '0'.repeat(40), tag, repository);
  const seen = new Set<string>();
  const follow = (commit: string, path: string, via: string): void => {
    const key = `${commit}:${path}`;
    if (seen.has(key)) return;
    seen.add(key);
    const text = show(dir, commit, path);
    if (text === undefined) {
      problems.push(`${via}: ${path} is not in ${commit.slice(0, 12)}`);
      return;
    }
    for (const r of selfRefs(path, text, repository)) {
      const where = `${r.path}:${r.line} at ${commit.slice(0, 12)} (reached from ${via})`;
      if (!SHA.test(r.ref)) {
        problems.push(`${where}: ${repository}/${r.target}@${r.ref} is not pinned to a commit SHA`);
        continue;
      }
      if (r.comment !== tag) problems.push(`${where}: the comment says "${r.comment}", not ${tag}`);
      if (spawnSync('git', ['merge-base', '--is-ancestor', r.ref, top], { cwd: dir }).status !== 0) {
        problems.push(`${where}: ${r.ref} is not a commit of ${tag}`);
        continue;
      }
      const file = targetFile(dir, r.ref, r.target);
      if (!file) {
        problems.push(`${where}: ${r.target} is not in ${r.ref.slice(0, 12)}`);
        continue;
      }
      if (r.target.startsWith('actions/')) {
        // An action runs its whole directory: the tree must be the tag's, byte for byte, but for
        // its own pinned references (composite actions), which are followed below.
        const same = treeOf(dir, r.ref, r.target) === treeOf(dir, top, r.target);
        const sameBut = strip(showExact(dir, r.ref, file)) === strip(show(dir, top, file) ?? '');
        if (!same && !sameBut) problems.push(`${where}: ${r.target} at ${r.ref.slice(0, 12)} differs from ${tag}`);
      } else if (strip(showExact(dir, r.ref, file)) !== strip(show(dir, top, file) ?? '')) {
        problems.push(`${where}: ${r.target} at ${r.ref.slice(0, 12)} differs from ${tag}`);
      }
      follow(r.ref, file, `${r.path}:${r.line}`);
    }
  };
  for (const path of candidateFiles(dir, top)) follow(top, path, `${tag}:${path}`);
  return problems;
}

function parseArgs(argv: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z]+)$/.exec(argv[i]!);
    const value = argv[i + 1];
    if (!m || value === undefined || value.startsWith('--'))
      throw new ReleaseError(`usage: see the top of scripts/release.ts (at "${argv[i]}")`);
    args[m[1]!] = value;
    i++;
  }
  return args;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const dir = args.dir ?? process.cwd();
  if (args.verify) {
    const problems = verifyRelease(dir, args.verify, args.repository);
    for (const p of problems) console.log(`::error::${p}`);
    console.log(
      problems.length ? `${args.verify}: ${problems.length} problem(s)` : `${args.verify}: every reference pinned and the same code`,
    );
    process.exitCode = problems.length ? 1 : 0;
    return;
  }
  if (!args.version) throw new ReleaseError('--version X.Y.Z is required');
  const r = release({
    dir,
    version: args.version,
    ...(args.commit ? { commit: args.commit } : {}),
    ...(args.main ? { main: args.main } : {}),
    ...(args.repository ? { repository: args.repository } : {}),
    ...(args.as ? { publishAs: args.as } : {}),
    ...(args.push ? { push: args.push } : {}),
  });
  if (args.notes) writeFileSync(args.notes, r.notes ? `${r.notes}\n` : `Expeditor ${r.tag}.\n`);
  const lines = [
    `${r.tag} → ${r.sha} (from ${r.source}); ${r.major} moved to it${args.push ? ` and both pushed to ${args.push}` : ' (not pushed)'}`,
    `chain: ${[r.source, ...r.chain].map((c) => c.slice(0, 12)).join(' → ')}`,
    `pin: uses: ${args.as ?? args.repository ?? 'ORG/expeditor'}/.github/workflows/deploy.yml@${r.sha} # ${r.tag}`,
  ];
  for (const line of lines) console.log(line);
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `tag=${r.tag}\nsha=${r.sha}\nmajor=${r.major}\n`);
}

if (import.meta.main) {
  try {
    main();
  } catch (error) {
    if (!(error instanceof ReleaseError)) throw error;
    console.log(`::error title=release::${error.message.replace(/\n/g, '%0A')}`);
    process.exitCode = 1;
  }
}
