// build-image's identity by inputs: the key (same inputs → same tag; each input changes it; no
// value of a build arg in the log line) and the checks on a real git repository in a temporary
// directory (a merge, no-ff or squash, of the same tree keeps the key; anything uncommitted that
// the builder would read turns it off and says why; .dockerignore is honoured).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  describeIdentity,
  type IdentityFacts,
  type InputsIdentity,
  inputsIdentity,
  inputsTag,
  parseStatus,
  runnerPlatform,
} from '../../actions/build-image/src/inputs-identity.ts';
import { readBuildImageInputs } from '../../actions/build-image/src/inputs.ts';
import { buildImageSummary, summaryRows } from '../../actions/build-image/src/summary.ts';
import { attestationFacts, noAttestations } from '../../actions/build-image/src/attestations.ts';
import { readGitHubContext } from '../../packages/shared/src/context.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';

const facts: IdentityFacts = {
  contextTree: 'a'.repeat(40),
  dockerfileBlob: 'b'.repeat(40),
  target: undefined,
  buildArgs: { BASE: 'alpine:3.20', VERSION: '1.2.3' },
  labels: { team: 'shop' },
  platforms: [],
  secretIds: ['npm_token'],
};

describe('inputs tag', () => {
  it('is the same for the same inputs, whatever the order of build args, labels and secret ids', () => {
    const tag = inputsTag(facts);
    expect(tag).toMatch(/^inputs-[0-9a-f]{24}$/);
    expect(inputsTag({ ...facts, buildArgs: { VERSION: '1.2.3', BASE: 'alpine:3.20' } })).toBe(tag);
    expect(inputsTag({ ...facts, secretIds: ['npm_token'] })).toBe(tag);
    // An empty platforms input is the runner's own platform.
    expect(inputsTag({ ...facts, platforms: [runnerPlatform()] })).toBe(tag);
    // No attestation asked for is the key an image without them always had.
    expect(inputsTag({ ...facts, attestations: [] })).toBe(tag);
  });

  it('takes the attestations from the provenance and sbom inputs: none by default', () => {
    expect(attestationFacts(noAttestations)).toEqual([]);
    expect(attestationFacts({ provenance: 'max', sbom: true })).toEqual(['provenance=max', 'sbom']);
    expect(inputsTag({ ...facts, attestations: attestationFacts({ provenance: 'min', sbom: false }) })).not.toBe(
      inputsTag({ ...facts, attestations: attestationFacts({ provenance: 'max', sbom: false }) }),
    );
  });

  it.each<[string, Partial<IdentityFacts>]>([
    ['the context tree', { contextTree: 'c'.repeat(40) }],
    ['the Dockerfile', { dockerfileBlob: 'd'.repeat(40) }],
    ['the target', { target: 'build' }],
    ['a build arg value', { buildArgs: { ...facts.buildArgs, VERSION: '1.2.4' } }],
    ['a build arg more', { buildArgs: { ...facts.buildArgs, EXTRA: '' } }],
    ['a label', { labels: { team: 'cart' } }],
    ['the platforms', { platforms: ['linux/amd64', 'linux/arm64'] }],
    ['a secret id', { secretIds: ['npm_token', 'pip_token'] }],
    ['provenance asked for', { attestations: ['provenance=min'] }],
    ['an SBOM asked for', { attestations: ['sbom'] }],
  ])('changes with %s', (_what, change) => {
    expect(inputsTag({ ...facts, ...change })).not.toBe(inputsTag(facts));
  });

  it('the log line names build args and labels, never their values', () => {
    const line = describeIdentity({ on: true, tag: inputsTag(facts), facts, commit: 'e'.repeat(40) }, 'app');
    expect(line).toContain('build args BASE, VERSION');
    expect(line).toContain('secret ids npm_token');
    expect(line).not.toContain('alpine:3.20');
    expect(line).not.toContain('1.2.3');
    expect(describeIdentity({ on: false, reason: 'because' }, 'app')).toBe('Reuse by build inputs is off: because; building by commit');
  });

  it('the summary of an image reused by its inputs names the inputs tag and the commit tag given to it', () => {
    const repository = '127.0.0.1:5000/shop';
    const tag = 'f'.repeat(40);
    const reused = {
      image: `${repository}@sha256:${'1'.repeat(64)}`,
      digest: `sha256:${'1'.repeat(64)}`,
      tag,
      tags: [tag],
      skipped: true,
      reusedByInputs: true,
      reusedFrom: 'e'.repeat(40),
      inputsTag: inputsTag(facts),
      repository,
      repositoryFrom: "input 'repository'",
      sizeBytes: undefined,
      builder: undefined,
      buildMs: undefined,
      pushMs: undefined,
      registryRequests: {},
    };
    expect(summaryRows(reused)).toContainEqual(['Inputs tag', inputsTag(facts)]);
    expect(summaryRows(reused)).toContainEqual(['Build', `reused ${inputsTag(facts)}, built for commit ${'e'.repeat(40)}`]);
    expect(buildImageSummary({ result: reused }).toMarkdown()).toContain(
      `Reused: ${repository}:${inputsTag(facts)} was built before from the same inputs (for commit ${'e'.repeat(40)}); it was tagged ${tag}: nothing was built or pushed.`,
    );
  });

  it('the input reuse-by-inputs is on unless set to false, and refuses anything but a boolean, naming itself', () => {
    const context = readGitHubContext({ GITHUB_SHA: 'f'.repeat(40), GITHUB_WORKSPACE: tmpdir() });
    const read = (more: Record<string, string>) =>
      readBuildImageInputs(new ActionInputs(inputEnv({ repository: '127.0.0.1:5000/shop', ...more })), context);
    expect(read({}).reuseByInputs).toBe(true);
    expect(read({ 'reuse-by-inputs': 'false' }).reuseByInputs).toBe(false);
    expect(() => read({ 'reuse-by-inputs': 'sometimes' })).toThrow(/input 'reuse-by-inputs'/);
  });

  it('reads git status -z, renames included', () => {
    expect(parseStatus(' M app/a\0R  app/new\0app/old\0?? app/dir/\0!! app/node_modules/\0')).toEqual([
      { code: ' M', path: 'app/a' },
      { code: 'R ', path: 'app/new' },
      { code: '??', path: 'app/dir/' },
      { code: '!!', path: 'app/node_modules/' },
    ]);
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@invalid',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

function write(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** A repository with app/ (Dockerfile, src) and a README outside it, one commit on develop. */
function repository(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'inputs-identity-'));
  dirs.push(dir);
  git(dir, 'init', '-q', '-b', 'main');
  write(dir, { 'README.md': 'shop\n', 'app/Dockerfile': 'FROM scratch\nCOPY src /src\n', 'app/src/index.html': 'one\n', ...files });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'start');
  git(dir, 'checkout', '-q', '-b', 'develop');
  return dir;
}

const identityOf = (dir: string, context = 'app', dockerfile = 'app/Dockerfile'): Promise<InputsIdentity> =>
  inputsIdentity({
    contextDir: join(dir, context),
    dockerfilePath: join(dir, dockerfile),
    target: undefined,
    buildArgs: { VERSION: 'x' },
    labels: {},
    platforms: [],
    secretIds: [],
    env,
  });

const tagOf = async (dir: string, context?: string, dockerfile?: string): Promise<string> => {
  const identity = await identityOf(dir, context, dockerfile);
  if (!identity.on) throw new Error(`off: ${identity.reason}`);
  return identity.tag;
};

const reasonOf = async (dir: string, context?: string, dockerfile?: string): Promise<string> => {
  const identity = await identityOf(dir, context, dockerfile);
  if (identity.on) throw new Error(`expected it off, got ${identity.tag}`);
  return identity.reason;
};

describe('inputs identity of a git checkout', () => {
  it('a no-ff merge and a squash merge of the same context tree keep the key; a change in the context changes it', async () => {
    const dir = repository();
    write(dir, { 'app/src/index.html': 'two\n' });
    git(dir, 'commit', '-q', '-am', 'feature');
    const developTag = await tagOf(dir);

    git(dir, 'checkout', '-q', 'main');
    // main moved on outside the context meanwhile: the merge commit's tree differs, the context's does not.
    write(dir, { 'README.md': 'shop, the docs\n' });
    git(dir, 'commit', '-q', '-am', 'docs');
    git(dir, 'merge', '-q', '--no-ff', '-m', 'merge develop', 'develop');
    expect(await tagOf(dir)).toBe(developTag);

    git(dir, 'checkout', '-q', '-b', 'squashed', 'main~1');
    git(dir, 'merge', '-q', '--squash', 'develop');
    git(dir, 'commit', '-q', '-m', 'squash develop');
    expect(await tagOf(dir)).toBe(developTag);

    write(dir, { 'app/src/index.html': 'three\n' });
    git(dir, 'commit', '-q', '-am', 'change');
    expect(await tagOf(dir)).not.toBe(developTag);
  });

  it('the whole checkout as the context, reached through a link: every file in it counts', async () => {
    const dir = repository();
    const link = join(mkdtempSync(join(tmpdir(), 'inputs-identity-link-')), 'checkout');
    dirs.push(join(link, '..'));
    symlinkSync(dir, link);
    const tag = await tagOf(link, '.', 'app/Dockerfile');
    expect(await tagOf(dir, '.', 'app/Dockerfile')).toBe(tag);
    write(dir, { 'README.md': 'edited\n' });
    expect(await reasonOf(link, '.', 'app/Dockerfile')).toContain('(changed README.md)');
  });

  it('a Dockerfile outside the context counts by its blob', async () => {
    const dir = repository({ 'docker/app.Dockerfile': 'FROM scratch\n' });
    const before = await tagOf(dir, 'app', 'docker/app.Dockerfile');
    write(dir, { 'docker/app.Dockerfile': 'FROM scratch\nCOPY src /src\n' });
    expect(await reasonOf(dir, 'app', 'docker/app.Dockerfile')).toContain('changed docker/app.Dockerfile');
    git(dir, 'commit', '-q', '-am', 'dockerfile');
    expect(await tagOf(dir, 'app', 'docker/app.Dockerfile')).not.toBe(before);
  });

  it('is off, saying why, for changed, untracked and ignored files in the context', async () => {
    const dir = repository({ '.gitignore': 'node_modules/\n*.log\n' });
    write(dir, { 'app/src/index.html': 'edited\n' });
    expect(await reasonOf(dir)).toMatch(/files that are not committed \(changed app\/src\/index\.html\)/);
    git(dir, 'checkout', '-q', '--', 'app');

    write(dir, { 'app/src/new.html': 'new\n' });
    expect(await reasonOf(dir)).toMatch(/\(untracked app\/src\/new\.html\); no \.dockerignore to exclude them/);
    unlinkSync(join(dir, 'app/src/new.html'));

    write(dir, { 'app/node_modules/x/index.js': '1\n', 'app/debug.log': 'x\n' });
    expect(await reasonOf(dir)).toMatch(/ignored app\/debug\.log, ignored app\/node_modules\//);
    // Outside the context nothing counts.
    rmSync(join(dir, 'app/node_modules'), { recursive: true });
    rmSync(join(dir, 'app/debug.log'));
    write(dir, { 'other/untracked.txt': 'x\n', 'README.md': 'edited\n' });
    await tagOf(dir);
  });

  it('honours .dockerignore for untracked and ignored files, not for changes to tracked ones', async () => {
    const dir = repository({ '.gitignore': 'node_modules/\n', 'app/.dockerignore': 'node_modules\n*.tmp\n' });
    const clean = await tagOf(dir);
    write(dir, { 'app/node_modules/x/index.js': '1\n', 'app/scratch.tmp': 'x\n' });
    expect(await tagOf(dir)).toBe(clean);
    write(dir, { 'app/src/extra.html': 'x\n' });
    expect(await reasonOf(dir)).toMatch(/\(untracked app\/src\/extra\.html\), which its \.dockerignore does not exclude$/);
    unlinkSync(join(dir, 'app/src/extra.html'));
    // A pattern that brings files back makes a whole excluded directory count.
    write(dir, { 'app/.dockerignore': 'node_modules\n!node_modules/keep\n' });
    git(dir, 'commit', '-q', '-am', 'negation');
    expect(await reasonOf(dir)).toContain('ignored app/node_modules/');
    // Another ignore file the builders may prefer: none is trusted.
    write(dir, { 'app/.dockerignore': 'node_modules\n', 'app/Dockerfile.dockerignore': 'node_modules\n' });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'two ignore files');
    expect(await reasonOf(dir)).toMatch(/ignored app\/node_modules\/\); Dockerfile\.dockerignore is present/);
  });

  it('is off in a sparse checkout, whose context may lack files of the tree', async () => {
    const dir = repository();
    await tagOf(dir);
    git(dir, 'sparse-checkout', 'set', '--no-cone', '/app/Dockerfile');
    expect(await reasonOf(dir)).toBe('the checkout is sparse: files of the tree may be missing from the context');
  });

  it('is off outside a git checkout, and when the objects of HEAD are missing', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'inputs-identity-plain-'));
    dirs.push(plain);
    write(plain, { 'app/Dockerfile': 'FROM scratch\n' });
    expect(await reasonOf(plain)).toMatch(/^the context is not in a git checkout \(.*not a git repository/);

    // A clone that lacks objects of HEAD (a partial clone, a broken shallow one): here the context's tree.
    const dir = repository();
    const tree = git(dir, 'rev-parse', 'HEAD:app');
    unlinkSync(join(dir, '.git/objects', tree.slice(0, 2), tree.slice(2)));
    expect(await reasonOf(dir)).toMatch(/^git cannot read the Dockerfile at HEAD: not committed, or its objects are missing/);
    const root = git(dir, 'rev-parse', 'HEAD^{tree}');
    unlinkSync(join(dir, '.git/objects', root.slice(0, 2), root.slice(2)));
    expect(await reasonOf(dir)).toMatch(/^git cannot read the context's tree at HEAD: not committed, or its objects are missing/);
  });
});
