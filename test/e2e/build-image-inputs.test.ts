// build-image's identity by inputs on the bed (the real registry, buildah): a consumer repository
// with the demo app, a commit on develop built, then a no-ff merge and a squash merge of it to main
// build nothing — the merge commit's tag is put on the same manifest, the digest is the same, no
// blob is uploaded, no builder runs — while a change in the context, or a context with an untracked
// file, builds as before (the latter with the reason in the log).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildImage } from '../../actions/build-image/src/action.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { useBed } from '../bed/vitest.ts';
import { git } from '../workflows/act.ts';
import { accessLog, buildOptions, noEngineEnv, uploads } from './build-image-bed.ts';
import { root } from './bundle-run.ts';

const bed = useBed(['registry']);

const REPO = 'inputs/shop';
const manifestPuts = (log: string[]): string[] => log.filter((l) => l.includes(`"PUT /v2/${REPO}/manifests/`));

/** build-image on the checkout `dir` at its HEAD, as the action runs it (reuse by inputs on). */
async function build(dir: string) {
  const sha = git(dir, 'rev-parse', 'HEAD');
  const options = buildOptions(bed, `inputs-${sha}`, {
    repository: `${bed.registry.host}/${REPO}`,
    env: noEngineEnv(bed.registry),
    workspace: dir,
    context: 'app',
    buildArgs: { BASE: bed.registry.baseImage, VERSION: 'inputs' },
    tag: sha,
    revision: sha,
    reuseByInputs: true,
    log: memoryLog(),
  });
  const result = await buildImage(options);
  return { sha, result, lines: options.log.lines, summary: options.summaryPath ?? '' };
}

describe('build-image: one image per set of build inputs', () => {
  // The bed's directory is known once it has started.
  let dir = '';
  let developDigest = '';
  let developSha = '';
  let inputsTag = '';

  test('a develop commit builds and is tagged with its inputs', async () => {
    dir = join(bed.dir, 'shop');
    mkdirSync(dir, { recursive: true });
    cpSync(join(root, 'examples/app'), join(dir, 'app'), { recursive: true });
    writeFileSync(join(dir, 'README.md'), 'shop\n');
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'start');
    git(dir, 'checkout', '-q', '-b', 'develop');
    writeFileSync(join(dir, 'app/src/index.html.in'), 'the develop version\n');
    git(dir, 'commit', '-q', '-am', 'feature');

    const { sha, result, lines } = await build(dir);
    expect(result.skipped).toBe(false);
    expect(result.reusedByInputs).toBeUndefined();
    expect(result.inputsTag).toMatch(/^inputs-[0-9a-f]{24}$/);
    inputsTag = result.inputsTag ?? '';
    developDigest = result.digest;
    developSha = sha;
    expect(await bed.registry.digest(REPO, sha)).toBe(developDigest);
    expect(await bed.registry.digest(REPO, inputsTag)).toBe(developDigest);
    expect(lines).toContain(`Tagged ${bed.registry.host}/${REPO}:${inputsTag} → ${developDigest} (its build inputs)`);
    // Names, never values, of the build args.
    const described = lines.find((l) => l.startsWith(`Build inputs ${inputsTag}: context app (tree `));
    expect(described, lines.join('\n')).toContain('build args BASE, VERSION');
    expect(described).not.toContain(bed.registry.baseImage);
  });

  test.each([
    ['a no-ff merge', (d: string) => git(d, 'merge', '-q', '--no-ff', '-m', 'Merge develop', 'develop')],
    [
      'a squash merge',
      (d: string) => {
        git(d, 'merge', '-q', '--squash', 'develop');
        git(d, 'commit', '-q', '-m', 'Squash develop');
      },
    ],
  ])('%s to main builds nothing: the same digest gets the merge commit’s tag', async (_how, merge) => {
    git(dir, 'checkout', '-q', 'main');
    // main moved on outside the context: the merge commit's tree differs, the context's does not.
    writeFileSync(join(dir, 'README.md'), `shop, ${_how}\n`);
    git(dir, 'commit', '-q', '-am', 'docs');
    merge(dir);
    const before = await accessLog(bed.dir, bed.registry.url);

    const { sha, result, lines, summary } = await build(dir);
    expect(result.skipped).toBe(true);
    expect(result.reusedByInputs).toBe(true);
    expect(result.digest).toBe(developDigest);
    expect(result.inputsTag).toBe(inputsTag);
    expect(await bed.registry.digest(REPO, sha)).toBe(developDigest);
    expect(lines).toContain(
      `Reused ${bed.registry.host}/${REPO}:${inputsTag} (${developDigest}), built before from the same inputs for commit ${developSha}: tagged ${sha}, nothing built or pushed`,
    );
    expect(lines.some((l) => l.startsWith('Builder:'))).toBe(false);
    // One manifest PUT (the tag), no blob.
    const after = await accessLog(bed.dir, bed.registry.url);
    expect(uploads(after, REPO)).toBe(uploads(before, REPO));
    expect(manifestPuts(after).slice(manifestPuts(before).length)).toEqual([expect.stringContaining(`"PUT /v2/${REPO}/manifests/${sha} `)]);
    expect(readFileSync(summary, 'utf8')).toContain(`| **Inputs tag** | ${inputsTag} |`);
    git(dir, 'reset', '-q', '--hard', 'main~2');
  });

  test('a change in the context builds a new image with a new inputs tag', async () => {
    git(dir, 'merge', '-q', '--no-ff', '-m', 'Merge develop', 'develop');
    writeFileSync(join(dir, 'app/src/index.html.in'), 'a hotfix on main\n');
    git(dir, 'commit', '-q', '-am', 'hotfix');
    const { result } = await build(dir);
    expect(result.skipped).toBe(false);
    expect(result.digest).not.toBe(developDigest);
    expect(result.inputsTag).not.toBe(inputsTag);
  });

  test('an untracked file in the context turns reuse off, saying so, and the commit is built', async () => {
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'empty');
    writeFileSync(join(dir, 'app/src/stray.txt'), 'not committed\n');
    const { result, lines } = await build(dir);
    expect(result.skipped).toBe(false);
    expect(result.inputsTag).toBeUndefined();
    expect(
      lines.filter((l) => l.startsWith('Reuse by')),
      lines.join('\n'),
    ).toEqual([
      'Reuse by build inputs is off: the context holds files that are not committed (untracked app/src/stray.txt), which its .dockerignore does not exclude; building by commit',
    ]);
  });
});
