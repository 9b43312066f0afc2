// The layer cache that outlives a runner: kept in a registry, in the image's own repository or a
// named one of the same registry (the only one the credentials cover), so a fresh runner rebuilds
// only the steps after a change. How each builder keeps it:
//  - buildah: --layers with --cache-to/--cache-from <repository>; each cached step is a small image
//    tagged by its cache key (a key is never overwritten, so immutable tags are fine).
//  - docker buildx on a builder that can export a cache (docker-container, remote, kubernetes):
//    type=registry, mode=max (every stage), one OCI image manifest (image-manifest=true,
//    oci-mediatypes=true: what ECR takes) under <repository>:buildcache.
//  - docker buildx on the engine's own builder (the docker driver) cannot export a cache: the
//    image carries an inline cache (final stage's layers only) and is pushed under the cache tag
//    too, and the next build starts from it.
import { InputError } from '@expeditor/shared/errors';
import { component, hostPattern, isLoopback, type Repository, repositoryExpected } from './reference.ts';

/** The cache input: none, the image's own repository, or a named `host/name[:tag]`. */
export type CacheSetting = { kind: 'image-repository' } | { kind: 'ref'; ref: string } | undefined;

/** `host/name` with an optional `:tag`. */
export const cacheRefPattern = new RegExp(`^${hostPattern}/${component}(?:/${component})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$`);
export const cacheExpected = `true (the image's repository), false, or ${repositoryExpected.replace('and no tag', 'and an optional tag')}`;

/** The tag of a buildx cache when the reference names none. */
export const defaultCacheTag = 'buildcache';

export function parseCacheSetting(raw: string | undefined): CacheSetting {
  const value = (raw ?? '').trim();
  if (!value || value === 'false') return undefined;
  if (value === 'true') return { kind: 'image-repository' };
  return { kind: 'ref', ref: value };
}

export interface CachePlan {
  /** `host/name:tag` as users name it (in logs). */
  ref: string;
  /** `address/name`: the repository buildah keeps its step images in. */
  repository: string;
  /** `address/name:tag`: the single reference buildx exports to and imports from. */
  pushRef: string;
}

/**
 * Where the cache goes, checked before any request: in the image's registry, or the input is
 * refused naming it (the registry credentials build-image holds are for that registry only).
 */
export function planCache(setting: CacheSetting, image: Repository, address: string): CachePlan | undefined {
  if (!setting) return undefined;
  let name = image.name;
  let tag = defaultCacheTag;
  if (setting.kind === 'ref') {
    const slash = setting.ref.indexOf('/');
    const host = setting.ref.slice(0, slash);
    if (host !== image.host) {
      throw new InputError(
        'cache',
        `${JSON.stringify(setting.ref)} is in registry ${host}, but the image goes to ${image.host}: build-image logs in to ${image.host} only`,
        `name a cache repository in ${image.host} (e.g. ${image.host}/${image.name}-cache), or set cache: true to keep it in ${image.full}`,
      );
    }
    const rest = setting.ref.slice(slash + 1);
    const colon = rest.lastIndexOf(':');
    name = colon >= 0 ? rest.slice(0, colon) : rest;
    tag = colon >= 0 ? rest.slice(colon + 1) : defaultCacheTag;
  }
  return { ref: `${image.host}/${name}:${tag}`, repository: `${address}/${name}`, pushRef: `${address}/${name}:${tag}` };
}

/** buildx `--cache-from/--cache-to` for a builder that can export caches, or the inline fallback. */
export function buildxCacheArgs(plan: CachePlan, canExport: boolean): string[] {
  // BuildKit itself speaks to the registry here; loopback registries are plain HTTP.
  const insecure = isLoopback(plan.pushRef.split('/')[0] ?? '') ? ',registry.insecure=true' : '';
  return canExport
    ? [
        '--cache-from',
        `type=registry,ref=${plan.pushRef}${insecure}`,
        '--cache-to',
        `type=registry,ref=${plan.pushRef},mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true${insecure}`,
      ]
    : ['--cache-from', `type=registry,ref=${plan.pushRef}`, '--cache-to', 'type=inline', '--tag', plan.pushRef];
}

/** buildah `--layers --cache-from/--cache-to`: step images in the cache repository. */
export function buildahCacheArgs(plan: CachePlan): string[] {
  return ['--layers', '--cache-from', plan.repository, '--cache-to', plan.repository];
}
