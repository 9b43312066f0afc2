// Provenance and SBOM attestations on the bed. docker buildx on a remote builder (the bed's
// buildkitd v0.34) pushes an image index holding the image and its attestation manifest, read back
// from the registry; the digest output is the tag's, the index's, which is what deploys take (and
// what a tag resolves to: deploy-index-digest.test.ts deploys it). buildah and the engine's own
// builder cannot make attestations: an explicit request is refused naming the input, nothing built
// or pushed; buildah's default run says in its summary that none were made. SBOM needs the
// generator image docker/buildkit-syft-scanner from Docker Hub, which the bed cannot reach: the
// build stops naming the input, nothing pushed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildImage, type BuildImageOptions } from '../../actions/build-image/src/action.ts';
import { BuildFailedError } from '../../actions/build-image/src/builders.ts';
import { InputError } from '../../packages/shared/src/errors.ts';
import { digestResolver } from '../../packages/registry/src/resolve.ts';
import { registryClient } from '../../packages/registry/src/client.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { useBed } from '../bed/vitest.ts';
import { accessLog, buildOptions, indexTypes, noEngineEnv, rejection } from './build-image-bed.ts';

const bed = useBed(['registry', 'docker']);

interface Index {
  mediaType: string;
  manifests: { digest: string; platform?: { os: string; architecture: string }; annotations?: Record<string, string> }[];
}

/** FROM scratch and one file: nothing to pull, nothing to run. */
function context(name: string): string {
  const dir = join(bed.dir, 'attest-apps', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hello.txt'), `hello from ${name}\n`);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /\n');
  return dir;
}

async function options(
  name: string,
  over: Omit<Partial<BuildImageOptions>, 'log'>,
): Promise<BuildImageOptions & { log: ReturnType<typeof memoryLog> }> {
  return buildOptions(bed, `attest-${name}`, {
    repository: `${bed.registry.host}/attest/${name}`,
    workspace: context(name),
    context: '.',
    buildArgs: {},
    env: noEngineEnv(bed.registry),
    ...over,
    log: memoryLog(),
  });
}

/** Requests to `repository` other than HEADs (the existence checks): pushes, uploads, GETs. */
async function writesTo(repository: string): Promise<number> {
  const log = await accessLog(bed.dir, bed.registry.url);
  return log.filter((l) => l.includes(`/v2/${repository}/`) && !l.includes('"HEAD ')).length;
}

describe('provenance with docker buildx on a remote builder', () => {
  test('mode=min: the tag points at an index with the image and its attestation manifest; the output is that digest', async () => {
    const opts = await options('min', {
      env: { ...noEngineEnv(bed.registry), ...(await bed.docker.remoteBuilder()) },
      builder: 'buildx',
      attestations: { provenance: 'min', sbom: false },
    });
    const result = await buildImage(opts);
    const tagDigest = await bed.registry.digest('attest/min', opts.tag);
    expect(result.digest).toBe(tagDigest);
    expect(result.image).toBe(`${bed.registry.host}/attest/min@${tagDigest}`);

    const response = await fetch(`${bed.registry.url}/v2/attest/min/manifests/${result.digest}`, { headers: { Accept: indexTypes } });
    const index = (await response.json()) as Index;
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const images = index.manifests.filter((m) => m.platform?.os === 'linux');
    const attestations = index.manifests.filter((m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest');
    expect(images.map((m) => m.platform?.architecture)).toEqual(['amd64']);
    expect(attestations).toHaveLength(1);
    expect(attestations[0]?.platform).toEqual({ os: 'unknown', architecture: 'unknown' });
    expect(attestations[0]?.annotations?.['vnd.docker.reference.digest']).toBe(images[0]?.digest);

    // A deploy given the tag resolves it to the same digest, the index's (deploy-eks's resolve-digest).
    const resolve = digestResolver({ registry: registryClient, log: memoryLog() });
    expect((await resolve(`${bed.registry.host}/attest/min:${opts.tag}`)).digest).toBe(result.digest);

    expect(result.attestations).toBe('provenance (mode=min)');
    expect(readFileSync(opts.summaryPath ?? '', 'utf8')).toContain('| **Attestations** | provenance (mode=min) |');
  });

  test('the same build again: the same image in the index, but another index (the provenance records when it ran)', async () => {
    const build = async () =>
      buildImage(
        await options('again', {
          env: { ...noEngineEnv(bed.registry), ...(await bed.docker.remoteBuilder()), SOURCE_DATE_EPOCH: '1700000000' },
          builder: 'buildx',
          force: true,
          attestations: { provenance: 'min', sbom: false },
        }),
      );
    const imageOf = async (digest: string): Promise<string | undefined> => {
      const response = await fetch(`${bed.registry.url}/v2/attest/again/manifests/${digest}`, { headers: { Accept: indexTypes } });
      return ((await response.json()) as Index).manifests.find((m) => m.platform?.os === 'linux')?.digest;
    };
    const one = await build();
    const two = await build();
    expect(await imageOf(two.digest)).toBe(await imageOf(one.digest));
    expect(two.digest).not.toBe(one.digest);
  });

  test('sbom: the generator image cannot be pulled here (no Docker Hub): the build stops naming the input, nothing pushed', async () => {
    const opts = await options('sbom', {
      env: { ...noEngineEnv(bed.registry), ...(await bed.docker.remoteBuilder()) },
      builder: 'buildx',
      attestations: { provenance: false, sbom: true },
    });
    const error = await rejection(buildImage(opts));
    expect(error).toBeInstanceOf(BuildFailedError);
    expect(error.message).toMatch(
      /^input 'sbom': the builder could not get the SBOM generator image \(docker\/buildkit-syft-scanner, pulled from Docker Hub\): .*buildkit-syft-scanner/,
    );
    expect(await bed.registry.digest('attest/sbom', opts.tag)).toBeUndefined();
    expect(await writesTo('attest/sbom')).toBe(0);
  });
});

describe('builders that cannot make attestations', () => {
  test('buildah with provenance: refused naming the input before anything is built or pushed', async () => {
    const opts = await options('buildah-asked', { builder: 'buildah', attestations: { provenance: 'max', sbom: true } });
    const error = await rejection(buildImage(opts));
    expect((error as InputError).input).toBe('provenance');
    expect(error.message).toBe(
      "input 'provenance': provenance and sbom attestations are made by BuildKit (docker buildx), and this build runs on buildah, which cannot make them",
    );
    expect(opts.log.lines.some((l) => l.startsWith('Build (buildah'))).toBe(false);
    expect(await writesTo('attest/buildah-asked')).toBe(0);
    expect(readFileSync(opts.summaryPath ?? '', 'utf8')).toContain("input 'provenance'");
  });

  test('buildah by default: built quietly, one image manifest, and the summary says no attestation was made', async () => {
    const opts = await options('buildah-default', { builder: 'buildah' });
    const result = await buildImage(opts);
    expect(result.attestations).toBe('none (buildah cannot make BuildKit attestations)');
    const head = await fetch(`${bed.registry.url}/v2/attest/buildah-default/manifests/${result.digest}`, {
      method: 'HEAD',
      headers: {
        Accept: `${indexTypes}, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json`,
      },
    });
    expect(head.headers.get('content-type')).not.toMatch(/index|list/);
    expect(readFileSync(opts.summaryPath ?? '', 'utf8')).toContain(
      '| **Attestations** | none (buildah cannot make BuildKit attestations) |',
    );
    expect(opts.log.lines.some((l) => /attestation/i.test(l))).toBe(false);
  });

  test("the engine's own builder (docker driver, Docker 20.10) with sbom: buildx refuses before building; named, nothing pushed", async () => {
    const opts = await options('engine', {
      env: { ...noEngineEnv(bed.registry), ...bed.docker.env },
      builder: 'buildx',
      network: 'host',
      attestations: { provenance: false, sbom: true },
    });
    const error = await rejection(buildImage(opts));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('sbom');
    expect(error.message).toBe(
      "input 'sbom': sbom attestations cannot be made by this buildx builder: Attestation is not supported for the docker driver.",
    );
    expect(await writesTo('attest/engine')).toBe(0);
  });
});
