// The tags an image ends up with: the main tag (the commit SHA unless the tag input says
// otherwise) first, then the extra tags; extra tags are pointed at the digest through the
// registry API, so no layer moves.
import type { Log } from '@expeditor/shared/log';
import type { Repository } from './reference.ts';
import type { Registry } from './registry.ts';
import { pushedButTagsMissing, unchangedOnError } from './unchanged.ts';

/** Every tag that points at the image once build-image is done, the main tag first. */
export function imageTags(tag: string, extraTags: readonly string[]): string[] {
  return [tag, ...extraTags.filter((extra) => extra !== tag)];
}

/** Points each extra tag at `digest` (tags already there are left alone); returns all tags. */
export async function pointExtraTags(
  registry: Registry,
  repository: Repository,
  digest: string,
  tags: { tag: string; extraTags: readonly string[] },
  log: Pick<Log, 'info'>,
): Promise<string[]> {
  const all = imageTags(tags.tag, tags.extraTags);
  for (const tag of all.slice(1)) {
    const current = await unchangedOnError(registry.headManifest(repository.name, tag), pushedButTagsMissing);
    if (current?.digest === digest) continue;
    await unchangedOnError(registry.tagManifest(repository.name, digest, tag), pushedButTagsMissing);
    log.info(`Tagged ${repository.full}:${tag} → ${digest}${current ? ` (was ${current.digest})` : ''}`);
  }
  return all;
}
