// The same commit gives the same image: build-image takes the image's time from the commit
// (SOURCE_DATE_EPOCH, else HEAD's committer time), not the wall clock. On the bed, a workspace that
// is a git checkout with a known commit time is built, its builder's local storage emptied, and
// built again with force: the registry holds the same digest, and the created label and the
// config's created time are the commit's. buildah: `bud --timestamp`; docker buildx on the bed's
// buildkitd (v0.34): `source-date-epoch` and `rewrite-timestamp=true` on the output (the layer
// cache keeps working across commits with them: build-image-cache.test.ts). The engine's own
// builder (Docker 20.10, BuildKit 0.8) ignores both, so it is not tested for equal digests.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildImage } from '../../actions/build-image/src/action.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { useBed } from '../bed/vitest.ts';
import { buildOptions, manifestTypes, noEngineEnv } from './build-image-bed.ts';

const bed = useBed(['registry', 'docker']);

/** 2023-11-14T22:13:20Z: the committer time of the workspace's one commit. */
const commitEpoch = 1_700_000_000;

/** A git checkout whose HEAD was committed at commitEpoch; a RUN step writes files (their times are the build's). */
function checkout(name: string): string {
  const dir = join(bed.dir, 'reproducible', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'Dockerfile'),
    'ARG BASE\nFROM ${BASE}\nCOPY app.txt /app/\nRUN echo built > /app/built-at && mkdir -p /var/run/app\n',
  );
  writeFileSync(join(dir, 'app.txt'), 'the app\n');
  const when = `@${commitEpoch} +0000`;
  const env = { ...process.env, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@example.com' };
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=a', '-c', 'user.email=a@example.com', ...args], { env, encoding: 'utf8' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'the commit');
  return dir;
}

/** buildah's local storage of this bed emptied: no image, no layer of the first build is left. */
function emptyBuildahStorage(): Promise<void> {
  return new Promise((done, fail) => {
    execFile('buildah', ['rmi', '--all', '--force'], { env: { ...process.env, ...bed.registry.containerEnv } }, (error, _out, stderr) =>
      error && !/no images/i.test(stderr) ? fail(new Error(`buildah rmi --all: ${stderr}`)) : done(),
    );
  });
}

async function imageConfig(repository: string, digest: string): Promise<{ created: string; config: { Labels: Record<string, string> } }> {
  const base = `${bed.registry.url}/v2/${repository}`;
  const manifest = (await (await fetch(`${base}/manifests/${digest}`, { headers: { Accept: manifestTypes } })).json()) as {
    config: { digest: string };
  };
  return (await (await fetch(`${base}/blobs/${manifest.config.digest}`)).json()) as {
    created: string;
    config: { Labels: Record<string, string> };
  };
}

const paths = [
  { name: 'buildah' as const, env: async () => noEngineEnv(bed.registry), empty: emptyBuildahStorage },
  {
    name: 'buildx' as const,
    env: async () => ({ ...noEngineEnv(bed.registry), ...(await bed.docker.remoteBuilder()) }),
    // Images and build cache of the engine and of the remote builder's buildkitd.
    empty: () => bed.docker.reset(),
  },
];

describe.each(paths)('the same commit built twice gives the same digest ($name)', (path) => {
  test('built, local storage emptied, built again with force: one digest, the commit time in label and config', async () => {
    const repository = `reproducible/${path.name}`;
    const workspace = checkout(path.name);
    const build = async () =>
      buildOptions(bed, `reproducible-${path.name}`, {
        repository: `${bed.registry.host}/${repository}`,
        workspace,
        context: '.',
        env: await path.env(),
        builder: path.name,
        force: true,
        // A clock that would differ on every build, were it used.
        now: () => new Date(),
        log: memoryLog(),
      });
    const first = await build();
    const one = await buildImage(first);
    await path.empty();
    const second = await build();
    const two = await buildImage(second);

    expect(two.skipped).toBe(false);
    expect(two.digest).toBe(one.digest);
    expect(await bed.registry.digest(repository, first.tag)).toBe(one.digest);
    const config = await imageConfig(repository, two.digest);
    expect(config.config.Labels['org.opencontainers.image.created']).toBe('2023-11-14T22:13:20.000Z');
    expect(Date.parse(config.created)).toBe(commitEpoch * 1000);
    expect(second.log.lines).toContain("Image time: 2023-11-14T22:13:20Z (HEAD's commit time)");
  });

  test("SOURCE_DATE_EPOCH in the step's environment wins over the commit time", async () => {
    const repository = `reproducible/${path.name}-sde`;
    const opts = buildOptions(bed, `reproducible-sde-${path.name}`, {
      repository: `${bed.registry.host}/${repository}`,
      workspace: checkout(`${path.name}-sde`),
      context: '.',
      env: { ...(await path.env()), SOURCE_DATE_EPOCH: '1600000000' },
      builder: path.name,
      log: memoryLog(),
    });
    const result = await buildImage(opts);
    const config = await imageConfig(repository, result.digest);
    expect(config.config.Labels['org.opencontainers.image.created']).toBe('2020-09-13T12:26:40.000Z');
    expect(Date.parse(config.created)).toBe(1_600_000_000_000);
    expect(opts.log.lines).toContain('Image time: 2020-09-13T12:26:40Z (SOURCE_DATE_EPOCH)');
  });
});
