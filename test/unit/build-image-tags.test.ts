import { describe, expect, it } from 'vitest';
import { imageTags, pointExtraTags } from '../../actions/build-image/src/tags.ts';
import type { ManifestRef, Registry } from '../../actions/build-image/src/registry.ts';
import { parseRepository } from '../../actions/build-image/src/reference.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';

const sha = '3f9c2d81a0b4e5c6d7e8f90123456789abcdef01';
const digest = `sha256:${'a'.repeat(64)}`;
const older = `sha256:${'b'.repeat(64)}`;

describe('imageTags', () => {
  it.each([
    [sha, [], [sha]],
    [sha, ['latest', 'main'], [sha, 'latest', 'main']],
    [sha, [sha, 'stable'], [sha, 'stable']],
    ['v1.4.2', ['v1.4', 'v1'], ['v1.4.2', 'v1.4', 'v1']],
  ])('tag %s with extra tags %o → %o', (tag, extra, all) => {
    expect(imageTags(tag, extra)).toEqual(all);
  });
});

/** A registry as plain data: tag → manifest; records what was written. */
function registry(tags: Record<string, string>, fail?: Error): Registry & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    requests: {},
    async headManifest(_repository, reference): Promise<ManifestRef | undefined> {
      const found = tags[reference];
      return found ? { digest: found, mediaType: 'application/vnd.oci.image.manifest.v1+json' } : undefined;
    },
    async tagManifest(_repository, to, tag) {
      if (fail) throw fail;
      written.push(`${tag}→${to}`);
      tags[tag] = to;
    },
    async imageSize() {
      return undefined;
    },
  };
}

describe('pointExtraTags', () => {
  const repository = parseRepository('123456789012.dkr.ecr.us-west-2.amazonaws.com/shop/web');

  it.each([
    ['a new tag is written', { [sha]: digest }, ['main'], [`main→${digest}`], [`Tagged ${repository.full}:main → ${digest}`]],
    [
      'a moved tag says where it was',
      { [sha]: digest, main: older },
      ['main'],
      [`main→${digest}`],
      [`Tagged ${repository.full}:main → ${digest} (was ${older})`],
    ],
    ['a tag already there is left alone', { [sha]: digest, main: digest }, ['main'], [], []],
    ['the main tag is never re-tagged', { [sha]: digest }, [sha], [], []],
  ])('%s', async (_what, tags, extraTags, written, lines) => {
    const fake = registry({ ...tags });
    const log = memoryLog();
    const all = await pointExtraTags(fake, repository, digest, { tag: sha, extraTags }, log);
    expect(all).toEqual(imageTags(sha, extraTags));
    expect(fake.written).toEqual(written);
    expect(log.lines).toEqual(lines);
  });

  it('a failed tag says the image is pushed but a tag is missing', async () => {
    const fake = registry(
      { [sha]: digest },
      new ExpeditorError('registry 123456789012.dkr.ecr.us-west-2.amazonaws.com answered HTTP 400 to PUT'),
    );
    const error = await pointExtraTags(fake, repository, digest, { tag: sha, extraTags: ['main'] }, memoryLog()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpeditorError);
    expect((error as ExpeditorError).unchanged).toContain('not every extra tag points at it');
  });
});
