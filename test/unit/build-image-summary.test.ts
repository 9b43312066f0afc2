import { describe, expect, it } from 'vitest';
import type { BuildImageResult } from '../../actions/build-image/src/build-or-reuse.ts';
import { BuildFailedError } from '../../actions/build-image/src/builders.ts';
import { buildImageSummary, formatSize, summaryRows } from '../../actions/build-image/src/summary.ts';
import { InputError } from '../../packages/shared/src/errors.ts';

const digest = `sha256:${'4e'.repeat(32)}`;
const repository = '123456789012.dkr.ecr.us-west-2.amazonaws.com/shop/web';
const tag = '3f9c2d81a0b4e5c6d7e8f90123456789abcdef01';
const built: BuildImageResult = {
  image: `${repository}@${digest}`,
  digest,
  tag,
  tags: [tag, 'main'],
  skipped: false,
  repository,
  repositoryFrom: '.github/expeditor.yml: image.repository',
  sizeBytes: 48_234_496,
  builder: 'buildah 1.33.7',
  buildMs: 83_400,
  pushMs: 6_200,
  created: "2023-11-14T22:13:20Z (HEAD's commit time)",
  attestations: 'none (buildah cannot make BuildKit attestations)',
  registryRequests: { HEAD: 3, GET: 2, PUT: 1 },
};

describe('build-image summary', () => {
  it.each([
    ['a build with buildah', built, '1 min 23 s (buildah 1.33.7), push 6.2 s'],
    [
      'a build with buildx (no separate push)',
      { ...built, builder: 'buildx v0.17.1', buildMs: 41_000, pushMs: undefined },
      '41 s (buildx v0.17.1)',
    ],
    ['a reused image', { ...built, skipped: true, builder: undefined, buildMs: undefined, pushMs: undefined }, 'reused'],
  ])('rows of %s', (_what, result, build) => {
    expect(summaryRows(result)).toEqual([
      ['Image', `\`${repository}@${digest}\``],
      ['Digest', `\`${digest}\``],
      ['Tags', `${tag}, main`],
      ['Size', '46.0 MiB'],
      ['Build', build],
      ['Image time', "2023-11-14T22:13:20Z (HEAD's commit time)"],
      ['Attestations', 'none (buildah cannot make BuildKit attestations)'],
      ['Repository from', '.github/expeditor.yml: image.repository'],
    ]);
  });

  it('a reused image says nothing was built or pushed', () => {
    const md = buildImageSummary({ result: { ...built, skipped: true } }).toMarkdown();
    expect(md).toContain('## build-image');
    expect(md).toContain(`Reused: ${repository}:${tag} already existed: nothing was built or pushed.`);
    expect(buildImageSummary({ result: built }).toMarkdown()).not.toContain('Reused');
  });

  it.each([
    [
      'bad input',
      new InputError('target', 'no stage named "test"'),
      [`Failed: input 'target': no stage named "test"`, 'Unchanged: nothing was changed.'],
      false,
    ],
    [
      'a failed build, with its log tail',
      new BuildFailedError(
        'the build failed (buildah bud exited 1): npm ERR! code E404',
        ['STEP 5/9: RUN npm ci', 'npm ERR! code E404'],
        'build',
        'fix the Dockerfile',
      ),
      ['Failed: the build failed (buildah bud exited 1): npm ERR! code E404', 'Unchanged: nothing was pushed.', 'Next: fix the Dockerfile'],
      true,
    ],
  ])('a failure: %s', (_what, error, lines, tail) => {
    const md = buildImageSummary({ error }).toMarkdown();
    for (const line of lines) expect(md).toContain(line);
    expect(md.includes('<details><summary>Build log (last 2 lines)</summary>')).toBe(tail);
    if (tail) expect(md).toContain('STEP 5/9: RUN npm ci\nnpm ERR! code E404');
  });

  it.each([
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1_572_864, '1.5 MiB'],
    [48_234_496, '46.0 MiB'],
  ])('formatSize(%d) = %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});
