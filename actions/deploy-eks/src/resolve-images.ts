// Images given by tag are pinned before anything is written: the registry says which digest each
// tag names now, and every service's Deployment gets `repo@sha256:…`, so all pods of a color run
// the same bytes and a moved tag (`:latest`) is a new template, hence a new color. A tag the
// registry does not have, or a registry that refuses or does not answer, stops the run here,
// naming the input, with nothing changed in the cluster.
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import { digestReference } from '@expeditor/shared/patterns';
import type { EcrFactory } from '@expeditor/registry/ecr';
import type { RegistryFactory } from '@expeditor/registry/registry';
import type { DeployEksPlan } from './plan.ts';

export interface ResolveImagesOptions {
  log: Log;
  signal?: AbortSignal | undefined;
  /** The registry access and ECR login (the edge's by default: HTTP, @aws-sdk/client-ecr). */
  registry?: RegistryFactory;
  ecr?: EcrFactory;
  /** Registry host → `host:port` to send its requests to (tests: the bed's ECR stand-in). */
  addresses?: Readonly<Record<string, string>>;
}

/** Replaces every image by tag in `plan` with its digest reference (in place); returns what was resolved. */
export async function resolveImages(
  plan: DeployEksPlan,
  options: ResolveImagesOptions,
): Promise<{ image: string; resolved: string; input: string }[]> {
  const inputOf = (image: string): string => (image === plan.image ? 'image' : 'images');
  const byTag = [...new Set([plan.image, ...Object.values(plan.images)])].filter((i) => i && !digestReference.test(i));
  if (byTag.length === 0) return [];
  const { digestResolver } = await import('@expeditor/registry/resolve');
  const registry = options.registry ?? (await import('@expeditor/registry/client')).registryClient;
  const ecr =
    options.ecr ?? (async (region: string) => (await import('@expeditor/registry/ecr-client')).createEcrApi(region, options.signal));
  const resolve = digestResolver({
    registry,
    ecr,
    log: options.log,
    signal: options.signal,
    addresses: options.addresses,
    anonymousNext:
      'the registry needs credentials deploy-eks does not have: give the image by digest (repo@sha256:…, as build-image outputs it), or set resolve-digest: false',
  });
  const resolved = await Promise.all(
    byTag.map(async (image) => {
      try {
        return { ...(await resolve(image)), input: inputOf(image) };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const input = inputOf(image);
        throw new ExpeditorError(`the image ${image} could not be resolved to a digest: ${describeError(error)}`, {
          input,
          unchanged: 'nothing was changed in the cluster',
          next: error instanceof ExpeditorError && error.next ? error.next : 'check the image reference and that the registry answers',
          cause: error,
        });
      }
    }),
  );
  const to = new Map(resolved.map((r) => [r.image, r.resolved]));
  const pin = (image: string): string => to.get(image) ?? image;
  plan.image = pin(plan.image);
  for (const service of Object.keys(plan.images)) plan.images[service] = pin(plan.images[service] ?? '');
  plan.byDigest = true;
  // The "given by tag" warnings no longer hold: what runs is pinned.
  plan.warnings = plan.warnings.filter((w) => !byTag.some((image) => w.message.startsWith(`the image ${image} is given by tag`)));
  for (const r of resolved) {
    options.log.info(`${r.image} → ${r.resolved} (resolved from the registry)`);
    plan.settings.provenance.push({
      name: 'image',
      value: `${r.image} → ${r.resolved}`,
      source: 'input',
      from: `input '${r.input}', resolved from the registry`,
    });
  }
  return resolved.map(({ image, resolved: digestRef, input }) => ({ image, resolved: digestRef, input }));
}
