// The registry half of identity by inputs (inputs-identity.ts): before a build, an image already
// tagged with the same inputs tag gets the commit's tag too (one manifest PUT, nothing built, the
// same digest, so the promotion gate passes a merge whose tree ran in the environment before);
// after a build, the new image gets the inputs tag, so the next commit with the same inputs finds it.
import type { Log } from '@expeditor/shared/log';
import { ociLabels } from './labels.ts';
import type { Repository } from './reference.ts';
import type { ManifestRef, Registry } from './registry.ts';
import { nothingBuilt, unchangedOnError } from './unchanged.ts';

/**
 * The image of the same inputs, now also tagged `tag`, with the commit it was built for (its OCI
 * revision label, when the registry lets it be read); undefined when there is none.
 */
export async function reuseByInputs(
  registry: Registry,
  repository: Repository,
  inputsTag: string,
  tag: string,
  log: Pick<Log, 'info'>,
): Promise<(ManifestRef & { builtFor: string | undefined }) | undefined> {
  const same = await unchangedOnError(registry.headManifest(repository.name, inputsTag), nothingBuilt);
  if (!same) {
    log.info(`${repository.full}:${inputsTag} does not exist yet: no image was built from the same inputs`);
    return undefined;
  }
  await unchangedOnError(registry.tagManifest(repository.name, same.digest, tag), nothingBuilt);
  const builtFor = await registry.imageLabel?.(repository.name, same.digest, ociLabels.revision);
  log.info(
    `Reused ${repository.full}:${inputsTag} (${same.digest}), built before from the same inputs${builtFor ? ` for commit ${builtFor}` : ''}: tagged ${tag}, nothing built or pushed`,
  );
  return { ...same, builtFor };
}

/**
 * Tags a freshly built image with its inputs tag. One already there (a forced rebuild, or two
 * builds of the same inputs racing) is left alone: the image first built stays the one reused, and
 * an immutable ECR repository would refuse the move anyway. A failure only warns: the image is
 * pushed under its commit tag, and the next commit of the same inputs builds again.
 */
export async function tagInputs(
  registry: Registry,
  repository: Repository,
  inputsTag: string,
  digest: string,
  log: Pick<Log, 'info' | 'warning'>,
): Promise<boolean> {
  try {
    const current = await registry.headManifest(repository.name, inputsTag);
    if (current) {
      if (current.digest !== digest) log.info(`${repository.full}:${inputsTag} already names ${current.digest}: left as it is`);
      return current.digest === digest;
    }
    await registry.tagManifest(repository.name, digest, inputsTag);
    log.info(`Tagged ${repository.full}:${inputsTag} → ${digest} (its build inputs)`);
    return true;
  } catch (error) {
    log.warning(
      `could not tag ${repository.full}:${inputsTag} (${error instanceof Error ? error.message : String(error)}): a later commit with the same inputs will build again instead of reusing this image`,
    );
    return false;
  }
}
