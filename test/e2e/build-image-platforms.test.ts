// build-image for several platforms on the bed: linux/amd64 and linux/arm64 in one image index,
// with buildah (bud --platform --manifest, manifest push --all) and with docker buildx on a
// remote builder (the bed's buildkitd). The Dockerfile needs no emulation: FROM scratch, a
// per-platform COPY chosen by TARGETARCH (RUN steps for arm64 under binfmt + qemu:
// build-image-emulation.test.ts). The engine's own builder cannot build two platforms at once:
// refused before any push.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildImage, type BuildImageOptions } from '../../actions/build-image/src/action.ts';
import { readBuildImageInputs } from '../../actions/build-image/src/inputs.ts';
import { readGitHubContext } from '../../packages/shared/src/context.ts';
import type { InputError, ProblemsError } from '../../packages/shared/src/errors.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { useBed } from '../bed/vitest.ts';
import { accessLog, buildOptions, getJson, indexTypes, noEngineEnv, rejection, shaOf, textInLayers } from './build-image-bed.ts';
import { root } from './bundle-run.ts';

const bed = useBed(['registry', 'docker']);

const baseEnv = (): Record<string, string> => noEngineEnv(bed.registry);

/** FROM scratch, one file per architecture: nothing runs, so no emulation is needed. */
function context(name: string): string {
  const dir = join(bed.dir, 'platform-apps', name);
  for (const arch of ['amd64', 'arm64']) {
    mkdirSync(join(dir, arch), { recursive: true });
    writeFileSync(join(dir, arch, 'arch.txt'), `built for ${arch}\n`);
  }
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nARG TARGETARCH\nCOPY ${TARGETARCH}/ /\n');
  return dir;
}

const paths = [
  { name: 'buildah', env: async () => baseEnv() },
  { name: 'buildx on a remote builder', env: async () => ({ ...baseEnv(), ...(await bed.docker.remoteBuilder()) }) },
];

describe.each(paths)('platforms linux/amd64,linux/arm64: $name', (path) => {
  test('one image index is pushed and output; each platform has its own image', async () => {
    const key = path.name.split(' ')[0] === 'buildah' ? 'buildah' : 'buildx';
    const repository = `platforms/${key}`;
    const opts = buildOptions(bed, `platforms-${key}`, {
      repository: `${bed.registry.host}/${repository}`,
      workspace: context(key),
      context: '.',
      buildArgs: {},
      env: await path.env(),
      platforms: ['linux/amd64', 'linux/arm64'],
      builder: key === 'buildah' ? 'buildah' : 'buildx',
      log: memoryLog(),
    } satisfies Partial<BuildImageOptions>);
    const result = await buildImage(opts);
    expect(opts.log.lines).toContain('Building stage 0 of Dockerfile for linux/amd64, linux/arm64 (one image index)');
    expect(result.digest).toBe(await bed.registry.digest(repository, opts.tag));
    const index = await getJson<{ mediaType?: string; manifests: { digest: string; platform?: { os: string; architecture: string } }[] }>(
      `${bed.registry.url}/v2/${repository}/manifests/${result.digest}`,
      indexTypes,
    );
    const images = index.manifests.filter((m) => m.platform?.os === 'linux');
    expect(images.map((m) => m.platform?.architecture).sort()).toEqual(['amd64', 'arm64']);
    for (const image of images) {
      expect(await textInLayers(bed.registry.url, repository, image.digest, 'built for ')).toBe(
        `built for ${image.platform?.architecture}`,
      );
    }
  });
});

describe('platforms: bad input changes nothing', () => {
  test('an unknown platform is refused by the input layer, naming the input', () => {
    const context = readGitHubContext({ GITHUB_SHA: shaOf('platform-inputs'), GITHUB_WORKSPACE: root });
    let error: ProblemsError | undefined;
    try {
      readBuildImageInputs(
        new ActionInputs(inputEnv({ repository: '127.0.0.1:5000/x/y', platforms: 'linux/amd64, linux/arm65' })),
        context,
      );
    } catch (e) {
      error = e as ProblemsError;
    }
    expect(error?.problems.map((p) => p.input)).toEqual(['platforms']);
    expect(error?.message).toMatch(/^input 'platforms': unknown platform "linux\/arm65" \(known: linux\/amd64, linux\/arm64, /);
  });

  test("two platforms on the engine's own builder: refused naming the input, nothing pushed", async () => {
    const repository = 'platforms/engine';
    const opts = buildOptions(bed, 'platforms-engine', {
      repository: `${bed.registry.host}/${repository}`,
      workspace: context('engine'),
      context: '.',
      buildArgs: {},
      env: { ...baseEnv(), ...bed.docker.env },
      platforms: ['linux/amd64', 'linux/arm64'],
      log: memoryLog(),
    });
    const error = await rejection(buildImage(opts));
    expect((error as InputError).input).toBe('platforms');
    expect(error.message).toBe(
      "input 'platforms': linux/amd64, linux/arm64: the buildx builder's driver 'docker' (the engine's own) builds one platform at a time",
    );
    const log = await accessLog(bed.dir, bed.registry.url);
    expect(log.filter((l) => l.includes(`/v2/${repository}/`) && !l.includes('"HEAD ')).length).toBe(0);
  });
});
