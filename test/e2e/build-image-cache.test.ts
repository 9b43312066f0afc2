// build-image's registry layer cache, on the bed, for each builder: a build of one commit writes
// the cache, then the next commit (one source file changed) is built by a runner with empty local
// storage (a fresh buildah store; the engine's images and build cache removed) and takes the
// dependency step from the registry instead of running it. A smoke test, no timings: the figure is
// in bench/build-image.bench.ts.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildImage, type BuildImageOptions } from '../../actions/build-image/src/action.ts';
import { buildahCacheArgs, buildxCacheArgs, type CachePlan, planCache } from '../../actions/build-image/src/cache.ts';
import { readBuildImageInputs } from '../../actions/build-image/src/inputs.ts';
import { readGitHubContext } from '../../packages/shared/src/context.ts';
import type { InputError, ProblemsError } from '../../packages/shared/src/errors.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { useBed } from '../bed/vitest.ts';
import { accessLog, buildOptions, noEngineEnv, rejection, shaOf } from './build-image-bed.ts';
import { root } from './bundle-run.ts';

const bed = useBed(['registry', 'docker']);

/** Printed by the dependency step only when it runs (a cache hit prints nothing; the step's own text differs). */
const depsRan = 'deps: installed';

/**
 * A multi-stage build shaped like a Node app's: dependencies from a lock file in a stage of their
 * own, then the sources built on top; the final stage takes the installed dependencies and the
 * bundle. Writes the context for `name` with `source` as its one source file.
 */
function app(name: string, source: string): string {
  const dir = join(bed.dir, 'apps', name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'ARG BASE',
      'FROM ${BASE} AS deps',
      'WORKDIR /app',
      'COPY deps.lock ./',
      `RUN mkdir -p node_modules && for dep in $(cat deps.lock); do echo "$dep" > "node_modules/$dep"; done && printf 'deps%s installed %s packages\\n' ':' "$(ls node_modules | wc -l)"`,
      'FROM deps AS build',
      'COPY src/ ./src/',
      'RUN cat src/*.txt > /app/bundle.txt',
      'FROM ${BASE}',
      'COPY --from=deps /app/node_modules /app/node_modules',
      'COPY --from=build /app/bundle.txt /app/bundle.txt',
      'CMD ["cat", "/app/bundle.txt"]',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'deps.lock'), 'express\nzod\nyaml\n');
  writeFileSync(join(dir, 'src', 'main.txt'), `${source}\n`);
  return dir;
}

const baseEnv = (): Record<string, string> => noEngineEnv(bed.registry);

let stores = 0;
/** buildah with a container store of its own, empty: what a fresh runner has. */
function freshBuildahEnv(): Record<string, string> {
  const dir = join(bed.dir, 'stores', String(++stores));
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'storage.conf');
  writeFileSync(conf, `[storage]\ndriver = "vfs"\ngraphroot = "${join(dir, 'storage')}"\nrunroot = "${join(dir, 'run')}"\n`);
  return { ...baseEnv(), CONTAINERS_STORAGE_CONF: conf };
}

interface CachePath {
  name: string;
  /** A runner with nothing in local storage: its builders' environment. */
  fresh(): Promise<Record<string, string>>;
  over: Partial<BuildImageOptions>;
  /** What the log says about the cache. */
  note: RegExp;
  /** Whether the next commit's build takes the dependency stage from the cache. */
  depsCached: boolean;
}

const cachePaths: CachePath[] = [
  {
    name: 'buildah',
    fresh: async () => freshBuildahEnv(),
    over: {},
    note: /^Cache: 127\.0\.0\.1:\d+\/cache\/buildah \(one image per cached step/,
    depsCached: true,
  },
  {
    name: 'buildx on a remote builder (registry cache)',
    fresh: async () => {
      const env = await bed.docker.remoteBuilder();
      await bed.docker.reset();
      return { ...baseEnv(), ...env };
    },
    // buildkitd's worker runs steps on the host network already.
    over: {},
    note: /^Cache: 127\.0\.0\.1:\d+\/cache\/buildx-remote:buildcache \(registry cache of every stage, one OCI image manifest; builder driver remote\)$/,
    depsCached: true,
  },
  {
    // The engine's own BuildKit cannot export a cache: only the final stage's layers travel, inline.
    name: 'buildx on the engine (docker driver: inline cache)',
    fresh: async () => {
      await bed.docker.reset();
      return { ...baseEnv(), ...bed.docker.env };
    },
    over: { network: 'host' },
    note: /as an inline cache \(the final stage's layers only\): the builder's driver 'docker' cannot export a registry cache/,
    depsCached: false,
  },
];

function build(path: CachePath, name: string, context: string, env: Record<string, string>, over: Partial<BuildImageOptions> = {}) {
  return buildOptions(bed, name, {
    repository: `${bed.registry.host}/cache/app`,
    workspace: context,
    context: '.',
    buildArgs: { BASE: bed.registry.baseImage },
    cache: { kind: 'image-repository' },
    env,
    ...path.over,
    ...over,
    log: memoryLog(),
  });
}

function skopeo(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('skopeo', args, { env: { ...process.env, ...bed.registry.containerEnv } }, (error, stdout, stderr) =>
      error ? reject(new Error(stderr)) : resolve(stdout),
    ),
  );
}

describe.each(cachePaths)('the layer cache across runners: $name', (path) => {
  test('the cache is written beside the image; the next commit on a fresh runner starts from it', async () => {
    const key = path.name.startsWith('buildx on a remote') ? 'buildx-remote' : (path.name.split(' ')[0] ?? '');
    const repository = `${bed.registry.host}/cache/${key}`;
    const first = build(path, `cache-a-${key}`, app(`a-${key}`, 'version one'), await path.fresh(), { repository });
    const a = await buildImage(first);
    expect(a.skipped).toBe(false);
    expect(first.log.lines.some((l) => l.includes(depsRan))).toBe(true);
    expect(
      first.log.lines.some((l) => path.note.test(l)),
      first.log.lines.join('\n'),
    ).toBe(true);
    const tags = JSON.parse(await skopeo(['list-tags', `docker://${repository}`])) as { Tags: string[] };
    // The cache is in the image's repository beside the image.
    expect(tags.Tags.length, tags.Tags.join(' ')).toBeGreaterThan(1);

    const second = build(path, `cache-b-${key}`, app(`b-${key}`, 'version two'), await path.fresh(), { repository });
    const b = await buildImage(second);
    expect(b.digest).not.toBe(a.digest);
    // The dependency step ran again only where the cache cannot carry it.
    expect(
      second.log.lines.some((l) => l.includes(depsRan)),
      second.log.lines.join('\n'),
    ).toBe(!path.depsCached);
    const config = JSON.parse(await skopeo(['inspect', '--config', `docker://${b.image}`])) as { config: { Cmd?: string[] } };
    expect(config.config.Cmd).toEqual(['cat', '/app/bundle.txt']);
  });
});

describe('cache: bad input changes nothing', () => {
  test('a cache reference in another registry is refused naming the input, before any request', async () => {
    const other = '127.0.0.1:1/elsewhere/cache';
    const opts = build(cachePaths[0] as CachePath, 'cache-elsewhere', app('elsewhere', 'x'), baseEnv(), {
      repository: `${bed.registry.host}/cache/elsewhere`,
      cache: { kind: 'ref', ref: other },
    });
    const error = await rejection(buildImage(opts));
    expect((error as InputError).input).toBe('cache');
    expect(error.message).toBe(
      `input 'cache': "${other}" is in registry 127.0.0.1:1, but the image goes to ${bed.registry.host}: build-image logs in to ${bed.registry.host} only`,
    );
    const log = await accessLog(bed.dir, bed.registry.url);
    expect(log.filter((l) => l.includes('/v2/cache/elsewhere/')).length).toBe(0);
  });

  test('the input layer refuses a cache value that is neither true, false nor a reference', () => {
    const context = readGitHubContext({ GITHUB_SHA: shaOf('cache-input'), GITHUB_WORKSPACE: root });
    const read = (cache: string) =>
      readBuildImageInputs(new ActionInputs(inputEnv({ repository: `${bed.registry.host}/x/y`, cache })), context);
    expect(read('true').cache).toEqual({ kind: 'image-repository' });
    expect(read('false').cache).toBeUndefined();
    expect(read(`${bed.registry.host}/x/y-cache:main`).cache).toEqual({ kind: 'ref', ref: `${bed.registry.host}/x/y-cache:main` });
    let error: ProblemsError | undefined;
    try {
      read('yes please');
    } catch (e) {
      error = e as ProblemsError;
    }
    expect(error?.problems.map((p) => p.input)).toEqual(['cache']);
    expect(error?.message).toContain(`input 'cache': expected true (the image's repository), false, or a repository`);
  });
});

describe('cache: the builders’ arguments', () => {
  const image = {
    host: '123456789012.dkr.ecr.us-west-2.amazonaws.com',
    name: 'demo-app',
    full: '123456789012.dkr.ecr.us-west-2.amazonaws.com/demo-app',
  };
  test('a named cache in the image registry: buildah step images in its repository, buildx one OCI manifest under its tag', () => {
    const plan = planCache({ kind: 'ref', ref: `${image.host}/demo-app-cache:main` }, image, image.host);
    expect(plan).toEqual({
      ref: `${image.host}/demo-app-cache:main`,
      repository: `${image.host}/demo-app-cache`,
      pushRef: `${image.host}/demo-app-cache:main`,
    });
    expect(buildahCacheArgs(plan as CachePlan)).toEqual([
      '--layers',
      '--cache-from',
      `${image.host}/demo-app-cache`,
      '--cache-to',
      `${image.host}/demo-app-cache`,
    ]);
    expect(buildxCacheArgs(plan as CachePlan, true)).toEqual([
      '--cache-from',
      `type=registry,ref=${image.host}/demo-app-cache:main`,
      '--cache-to',
      `type=registry,ref=${image.host}/demo-app-cache:main,mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true`,
    ]);
    // The engine's own builder: inline, the image pushed under the cache tag as well.
    expect(buildxCacheArgs(plan as CachePlan, false)).toEqual([
      '--cache-from',
      `type=registry,ref=${image.host}/demo-app-cache:main`,
      '--cache-to',
      'type=inline',
      '--tag',
      `${image.host}/demo-app-cache:main`,
    ]);
  });

  test('cache: true is the image repository under the buildcache tag; loopback registries are plain HTTP to BuildKit', () => {
    const local = { host: '127.0.0.1:5000', name: 'team/app', full: '127.0.0.1:5000/team/app' };
    const plan = planCache({ kind: 'image-repository' }, local, local.host) as CachePlan;
    expect(plan.pushRef).toBe('127.0.0.1:5000/team/app:buildcache');
    expect(buildxCacheArgs(plan, true)[1]).toBe('type=registry,ref=127.0.0.1:5000/team/app:buildcache,registry.insecure=true');
    expect(planCache(undefined, local, local.host)).toBeUndefined();
  });
});
