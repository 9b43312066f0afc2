// What build-image's tests on the bed share: a commit SHA per test, the core's options for
// building examples/app on the bed's base image, and the error a call must fail with.
// Used by test/e2e/build-image.test.ts and build-image-ecr.test.ts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { BuildImageOptions } from '../../actions/build-image/src/action.ts';
import type { Log } from '../../packages/shared/src/log.ts';
import type { RegistryPart } from '../bed/types.ts';
import { root } from './bundle-run.ts';

/** A commit SHA of its own for each test, so tests never see each other's tags. */
export const shaOf = (name: string): string => createHash('sha1').update(name).digest('hex');

/**
 * Options that build examples/app (FROM the bed's base image, VERSION v-<name>) for commit
 * shaOf(name), tagged with it, with no environment file and the summary in the bed's directory;
 * the repository, the builders' environment and the log are the caller's, and `fields` wins.
 */
export function buildOptions<L extends Log>(
  bed: { dir: string; registry: Pick<RegistryPart, 'baseImage'> },
  name: string,
  fields: Pick<BuildImageOptions, 'repository' | 'env'> & { log: L } & Partial<BuildImageOptions>,
): BuildImageOptions & { log: L } {
  const sha = shaOf(name);
  return {
    config: { workspace: bed.dir, shownAs: 'no-such-file.yml' },
    workspace: root,
    context: 'examples/app',
    dockerfile: 'Dockerfile',
    target: undefined,
    buildArgs: { BASE: bed.registry.baseImage, VERSION: `v-${name}` },
    labels: {},
    tag: sha,
    extraTags: [],
    createRepository: false,
    force: false,
    builder: 'auto',
    credentials: undefined,
    revision: sha,
    source: 'https://github.com/acme/shop',
    summaryPath: join(bed.dir, `${name}.summary.md`),
    ...fields,
  };
}

/** The error `promise` rejects with; throws when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, and it succeeded');
}

/** A registry's access log (logs/<name>.log of the bed) once every request sent so far is in it (a marker request is). */
let markers = 0;
export async function accessLog(bedDir: string, url: string, name = 'registry'): Promise<string[]> {
  const marker = `marker-${++markers}-${Date.now()}`;
  await fetch(`${url}/v2/${marker}/tags/list`).then((r) => r.body?.cancel());
  const file = join(bedDir, 'logs', `${name}.log`);
  for (let i = 0; i < 200; i++) {
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^\S+ - \S+ \[/.test(l));
    if (lines.some((l) => l.includes(marker))) return lines;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the registry log never showed ${marker}`);
}

/** Blob uploads (layers and configs) to `repo` in an access log. */
export const uploads = (log: string[], repo: string): number => log.filter((l) => l.includes(`"POST /v2/${repo}/blobs/uploads/`)).length;

/** The builders' environment on the bed with no Docker engine in it (DOCKER_HOST unset), so auto picks buildah. */
export function noEngineEnv(registry: Pick<RegistryPart, 'containerEnv'>): Record<string, string> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...registry.containerEnv };
  delete env.DOCKER_HOST;
  return env;
}

export const indexTypes = 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json';
export const manifestTypes = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

export async function getJson<T>(url: string, accept: string): Promise<T> {
  const response = await fetch(url, { headers: { Accept: accept } });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/**
 * The first line of a file in an image's layers that starts with `prefix`: a tar member's data
 * starts on a 512-byte boundary, so the file's text is told apart from the same bytes in a binary.
 */
export async function textInLayers(registryUrl: string, repository: string, digest: string, prefix: string): Promise<string | undefined> {
  const base = `${registryUrl}/v2/${repository}`;
  const manifest = await getJson<{ layers: { digest: string }[] }>(`${base}/manifests/${digest}`, manifestTypes);
  for (const layer of manifest.layers) {
    let tar = Buffer.from(await (await fetch(`${base}/blobs/${layer.digest}`)).arrayBuffer());
    if (tar[0] === 0x1f && tar[1] === 0x8b) tar = gunzipSync(tar);
    for (let at = tar.indexOf(prefix); at >= 0; at = tar.indexOf(prefix, at + 1)) {
      if (at % 512 === 0) return tar.subarray(at, tar.indexOf('\n', at)).toString('utf8');
    }
  }
  return undefined;
}
