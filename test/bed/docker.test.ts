// Self-test of the bed's docker part: a real dockerd of the bed's own, the buildx plugin built from
// source, a build FROM the bed registry's base image with a RUN step, pushed back to it over HTTP.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { useBed } from './vitest.ts';

const bed = useBed(['registry', 'docker']);

describe('bed part docker', () => {
  test('the engine answers on its own socket, with vfs storage and the buildx plugin', async () => {
    expect(bed.docker.host).toMatch(/^unix:\/\/\/.+\/docker\.sock$/);
    expect(bed.docker.version).toMatch(/^20\.10\./);
    expect(bed.docker.buildx).toMatch(/^v\d+\.\d+\.\d+/);
    const info = await bed.docker.docker(['info', '--format', '{{.Driver}} {{.DockerRootDir}}']);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout.trim()).toBe(`vfs ${join(bed.dir, 'docker', 'data')}`);
    const builders = await bed.docker.docker(['buildx', 'ls']);
    expect(builders.stdout).toMatch(/^default\*?\s+docker\s*$/m);
  });

  test('buildx builds FROM the bed base image with a RUN step, pushes to the bed registry; the digests agree', async () => {
    const dir = join(bed.dir, 'ctx-docker');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${bed.registry.baseImage}\nRUN echo built-by-docker > /built\n`);
    const image = `${bed.registry.host}/selftest/docker:1`;
    const metadata = join(dir, 'metadata.json');
    const build = await bed.docker.docker([
      'buildx',
      'build',
      '--network',
      'host',
      '--provenance=false',
      '--tag',
      image,
      '--push',
      '--metadata-file',
      metadata,
      dir,
    ]);
    expect(build.code, build.stderr).toBe(0);
    const pushed = (JSON.parse(readFileSync(metadata, 'utf8')) as Record<string, string>)['containerimage.digest'];
    expect(pushed).toMatch(/^sha256:/);
    expect(await bed.registry.digest('selftest/docker', '1')).toBe(pushed);

    // reset() leaves the engine as a fresh runner's: the pulled base image is gone.
    await bed.docker.reset();
    const images = await bed.docker.docker(['images', '--quiet']);
    expect(images.stdout.trim()).toBe('');
  });
});
