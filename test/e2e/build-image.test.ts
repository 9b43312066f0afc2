// build-image on the bed: a real distribution registry, and both builders for real — buildah, and
// docker buildx on the bed's own Docker engine (auto picks buildx where DOCKER_HOST answers, and
// buildah where no engine does). Every test that builds runs once per builder. Each run's builder
// invocations are recorded by a wrapper that execs the real CLI, and the registry's access log
// shows what was uploaded, so "a re-run pushes nothing" is measured, not assumed.
import { execFile, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildImage, type BuildImageOptions } from '../../actions/build-image/src/action.ts';
import { BuildFailedError, chooseBuilder } from '../../actions/build-image/src/builders.ts';
import { readBuildImageInputs } from '../../actions/build-image/src/inputs.ts';
import { readGitHubContext } from '../../packages/shared/src/context.ts';
import { ExpeditorError, type InputError, type ProblemsError } from '../../packages/shared/src/errors.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { freePort } from '../bed/ports.ts';
import { useBed } from '../bed/vitest.ts';
import { root, runBundle as runAction, type BundleRun } from './bundle-run.ts';
import { accessLog, buildOptions, rejection, shaOf, uploads } from './build-image-bed.ts';

const bed = useBed(['registry', 'docker']);

let wrappers = '';
const callLogs = { buildah: '', docker: '' };
beforeAll(() => {
  // The real buildah and docker, with every invocation's arguments recorded.
  wrappers = join(bed.dir, 'wrappers');
  mkdirSync(wrappers, { recursive: true });
  for (const command of ['buildah', 'docker'] as const) {
    callLogs[command] = join(bed.dir, `${command}-calls.log`);
    writeFileSync(callLogs[command], '');
    const real = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(wrappers, command), `#!/bin/sh\necho "$*" >> '${callLogs[command]}'\nexec '${real}' "$@"\n`);
    chmodSync(join(wrappers, command), 0o755);
  }
});

/** The builders' environment with no Docker engine in it (DOCKER_HOST unset: nothing answers). */
function builderEnv(): Record<string, string> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...bed.registry.containerEnv,
    PATH: `${wrappers}:${process.env.PATH}`,
  };
  delete env.DOCKER_HOST;
  return env;
}

const callsOf = (command: 'buildah' | 'docker'): string[] => readFileSync(callLogs[command], 'utf8').split('\n').filter(Boolean);
const buildahCalls = (): string[] => callsOf('buildah');

/**
 * The two ways build-image builds, as each bed test that builds runs them. buildah: no engine in
 * the environment, so auto picks buildah. buildx: the bed's dockerd in DOCKER_HOST (with its own
 * DOCKER_CONFIG holding the buildx plugin), so auto picks buildx; RUN steps on the host network,
 * as that engine has no bridge.
 */
interface BuildPath {
  name: 'buildah' | 'buildx';
  /** Appended to repository and commit names, so the two paths never share a tag. */
  suffix: string;
  env(): Record<string, string>;
  /** Recorded invocations of this path's CLI. */
  calls(): string[];
  /** First word of each invocation a build makes: the probe(s), then the build (and push). */
  buildCalls: string[];
  /** The same, for a build that fails (buildx builds and pushes in one command). */
  failedBuildCalls: string[];
  /** Options every build on this path takes. */
  over: Partial<BuildImageOptions>;
  /** Inputs every bundle run on this path takes. */
  inputs: Record<string, string>;
  /** The command named in build and push failures. */
  command: string;
  /** The summary's Build row. */
  buildRow: RegExp;
}

const paths: BuildPath[] = [
  {
    name: 'buildah',
    suffix: '',
    env: builderEnv,
    calls: buildahCalls,
    buildCalls: ['--version', 'bud', 'push'],
    failedBuildCalls: ['--version', 'bud'],
    over: {},
    inputs: {},
    command: 'buildah bud',
    buildRow: /\| \*\*Build\*\* \| [\d.]+ (ms|s) \(buildah [\d.]+\), push [\d.]+ (ms|s) \|/,
  },
  {
    name: 'buildx',
    suffix: '-docker',
    env: () => ({ ...builderEnv(), ...bed.docker.env }),
    calls: () => callsOf('docker'),
    buildCalls: ['version', 'buildx', 'buildx'],
    failedBuildCalls: ['version', 'buildx', 'buildx'],
    over: { network: 'host' },
    inputs: { network: 'host' },
    command: 'docker buildx build',
    buildRow: /\| \*\*Build\*\* \| [\d.]+ (ms|s) \(buildx v[\d.]+\) \|/,
  },
];

/** The bed registry's access log once every request sent so far is in it. */
const registryLog = (url = bed.registry.url, name = 'registry'): Promise<string[]> => accessLog(bed.dir, url, name);
const manifestPuts = (log: string[], repo: string): number => log.filter((l) => l.includes(`"PUT /v2/${repo}/manifests/`)).length;
const requestsFor = (log: string[], repo: string): number => log.filter((l) => l.includes(` /v2/${repo}/`)).length;

function workspace(name: string, files: Record<string, string>): string {
  const dir = join(bed.dir, 'workspaces', name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

/** Builds examples/app into demo/<name> on the bed registry with the recording buildah (or `path`'s builder). */
function options(
  name: string,
  over: Partial<BuildImageOptions> = {},
  path: BuildPath = paths[0] as BuildPath,
): BuildImageOptions & { log: ReturnType<typeof memoryLog> } {
  return buildOptions(bed, name, {
    repository: `${bed.registry.host}/demo/${name}`,
    env: path.env(),
    ...path.over,
    ...over,
    log: memoryLog(),
  });
}

function tool(command: 'buildah' | 'skopeo', args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(command, args, { env: { ...process.env, ...bed.registry.containerEnv }, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Runs the committed bundle as the runner does, for commit shaOf(name), with the builders'
 * environment. Asynchronously: the bed's registry logs through a pipe into this process, and a
 * blocked event loop would stall the registry itself.
 */
function runBundle(
  name: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
  path: BuildPath = paths[0] as BuildPath,
): Promise<BundleRun> {
  const github = { GITHUB_SHA: shaOf(name), GITHUB_REPOSITORY: 'acme/shop', GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '42' };
  return runAction(
    'build-image',
    { ...path.inputs, ...inputs },
    { ...path.env(), ...github, ...extraEnv },
    { workspace: root, home: process.env.HOME },
  );
}

describe.each(paths)('build-image on a plain registry ($name)', (path) => {
  const n = (name: string): string => `${name}${path.suffix}`;
  const build = (name: string, over: Partial<BuildImageOptions> = {}) => options(n(name), over, path);
  test('builds, pushes, and outputs the digest the registry holds, with the OCI labels', async () => {
    const opts = build('first', { extraTags: ['latest'] });
    const result = await buildImage(opts);
    const registryDigest = await bed.registry.digest(`demo/${n('first')}`, opts.tag);
    expect(registryDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(result.digest).toBe(registryDigest);
    expect(result.image).toBe(`${bed.registry.host}/demo/${n('first')}@${registryDigest}`);
    expect(result.skipped).toBe(false);
    expect(result.tags).toEqual([opts.tag, 'latest']);
    expect(await bed.registry.digest(`demo/${n('first')}`, 'latest')).toBe(registryDigest);

    const inspected = JSON.parse((await tool('skopeo', ['inspect', `docker://${result.image}`])).stdout) as {
      Digest: string;
      Labels: Record<string, string>;
    };
    expect(inspected.Digest).toBe(registryDigest);
    expect(inspected.Labels['org.opencontainers.image.revision']).toBe(opts.revision);
    expect(inspected.Labels['org.opencontainers.image.source']).toBe('https://github.com/acme/shop');
    expect(Date.parse(inspected.Labels['org.opencontainers.image.created'] ?? '')).not.toBeNaN();

    const chose =
      path.name === 'buildah'
        ? (l: string) => l.startsWith('Builder: buildah ') && l.includes('no Docker engine answers')
        : (l: string) => l === `Builder: buildx ${bed.docker.buildx}; Docker engine ${bed.docker.version} answers`;
    expect(opts.log.lines.some(chose), opts.log.lines.join('\n')).toBe(true);
    const summary = readFileSync(opts.summaryPath ?? '', 'utf8');
    expect(summary).toContain(`| **Image** | \`${result.image}\` |`);
    expect(summary).toContain(`| **Digest** | \`${registryDigest}\` |`);
    expect(summary).toMatch(/\| \*\*Size\*\* \| [\d.]+ (KiB|MiB) \|/);
    expect(summary).toMatch(path.buildRow);
  });

  test('a second run for the same commit builds nothing and pushes nothing; force builds again', async () => {
    const repo = `demo/${n('rerun')}`;
    const opts = build('rerun');
    const first = await buildImage(opts);
    const afterFirst = await registryLog();
    expect(uploads(afterFirst, repo)).toBeGreaterThan(0);
    expect(manifestPuts(afterFirst, repo)).toBe(1);
    const calls = path.calls().length;

    const again = build('rerun');
    const second = await buildImage(again);
    const afterSecond = await registryLog();
    expect(second.skipped).toBe(true);
    expect(second.digest).toBe(first.digest);
    expect(second.image).toBe(first.image);
    expect(path.calls().length).toBe(calls);
    expect(uploads(afterSecond, repo)).toBe(uploads(afterFirst, repo));
    expect(manifestPuts(afterSecond, repo)).toBe(1);
    expect(Object.keys(second.registryRequests).sort()).toEqual(['GET', 'HEAD']);
    expect(again.log.lines.some((l) => l.includes('already exists') && l.includes(first.digest))).toBe(true);
    expect(readFileSync(again.summaryPath ?? '', 'utf8')).toContain('| **Build** | reused |');

    // Another image time (the commit's is the default, which would rebuild the same digest).
    const forced = await buildImage(build('rerun', { force: true, env: { ...path.env(), SOURCE_DATE_EPOCH: '1893456000' } }));
    const afterForce = await registryLog();
    expect(forced.skipped).toBe(false);
    // A new build: the created label differs, so the digest does.
    expect(forced.digest).not.toBe(first.digest);
    expect(await bed.registry.digest(repo, opts.tag)).toBe(forced.digest);
    expect(
      path
        .calls()
        .slice(calls)
        .map((c) => c.split(' ')[0]),
    ).toEqual(path.buildCalls);
    expect(manifestPuts(afterForce, repo)).toBe(2);
    // The base layer was already there: fewer uploads than the first time (new layers and config).
    const forcedUploads = uploads(afterForce, repo) - uploads(afterSecond, repo);
    expect(forcedUploads).toBeGreaterThan(0);
    expect(forcedUploads).toBeLessThan(uploads(afterFirst, repo));
  });

  test('the multi-stage example ships only its production stage, built from the bed base image', async () => {
    const opts = build('example', { buildArgs: { BASE: bed.registry.baseImage, VERSION: '1.2.3' } });
    const result = await buildImage(opts);
    expect(opts.log.lines).toContain('Building stage production of Dockerfile');
    // The test stage ran inside the build.
    expect(opts.log.lines.some((l) => l.includes('test: site checks passed for version 1.2.3'))).toBe(true);
    const config = JSON.parse((await tool('skopeo', ['inspect', '--config', `docker://${result.image}`])).stdout) as {
      config: { User?: string; Cmd?: string[]; ExposedPorts?: Record<string, unknown> };
    };
    expect(config.config.User).toBe('nobody');
    expect(config.config.Cmd?.[0]).toBe('httpd');
    expect(Object.keys(config.config.ExposedPorts ?? {})).toEqual(['8080/tcp']);

    // The image's files read from its root file system (buildah mount, as root), not through RUN steps.
    expect((await tool('buildah', ['pull', '--quiet', result.image])).code).toBe(0);
    const container = (await tool('buildah', ['from', '--quiet', result.image])).stdout.trim();
    try {
      const rootfs = (await tool('buildah', ['mount', container])).stdout.trim();
      expect(readFileSync(join(rootfs, 'srv/www/version'), 'utf8')).toBe('1.2.3\n');
      expect(readFileSync(join(rootfs, 'srv/www/healthz'), 'utf8')).toBe('ok\n');
      expect(readFileSync(join(rootfs, 'srv/www/index.html'), 'utf8').split('1.2.3').length - 1).toBe(1);
      // Sources and build scripts stayed in the build stage.
      expect(existsSync(join(rootfs, 'src/build.sh'))).toBe(false);
    } finally {
      await tool('buildah', ['rm', container]);
    }

    // target stops at a named stage: the build stage has the sources.
    const stage = await buildImage(build('example-build', { target: 'build', tag: 'build-stage' }));
    const buildStage = (await tool('buildah', ['from', '--quiet', stage.image])).stdout.trim();
    try {
      expect(existsSync(join((await tool('buildah', ['mount', buildStage])).stdout.trim(), 'src/build.sh'))).toBe(true);
    } finally {
      await tool('buildah', ['rm', buildStage]);
    }
  });

  test('the repository can come from the environment file', async () => {
    const dir = workspace(n('from-file'), {
      '.github/expeditor.yml': `app: demo\nimage: { repository: ${bed.registry.host}/demo/${n('from-file')} }\nenvironments:\n  dev:\n    aws: { account: "111111111111", region: us-west-2, role: "arn:aws:iam::111111111111:role/deploy" }\n`,
      'app/Dockerfile': `FROM ${bed.registry.baseImage}\nRUN echo from-file > /built\n`,
    });
    const opts = build('from-file', {
      repository: undefined,
      workspace: dir,
      config: { workspace: dir, shownAs: '.github/expeditor.yml' },
      context: 'app',
      buildArgs: {},
    });
    const result = await buildImage(opts);
    expect(result.image).toBe(
      `${bed.registry.host}/demo/${n('from-file')}@${await bed.registry.digest(`demo/${n('from-file')}`, opts.tag)}`,
    );
    expect(readFileSync(opts.summaryPath ?? '', 'utf8')).toContain('| **Repository from** | .github/expeditor.yml: image.repository |');
  });

  test('the committed bundle builds with INPUT_* variables, writes outputs and summary, and reuses on a re-run', async () => {
    const repository = `${bed.registry.host}/demo/${n('bundle')}`;
    const inputs = {
      repository,
      context: 'examples/app',
      'build-args': `BASE=${bed.registry.baseImage}\nVERSION=bundle`,
      'extra-tags': 'stable',
    };
    const first = await runBundle(n('bundle'), inputs, {}, path);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain(path.name === 'buildah' ? '::group::Build (buildah' : '::group::Build and push (docker buildx');
    expect(first.outputs.skipped).toBe('false');
    expect(first.outputs.tag).toBe(shaOf(n('bundle')));
    expect(first.outputs.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(first.outputs.image).toBe(`${repository}@${first.outputs.digest}`);
    expect(first.summary).toContain(`| **Image** | \`${first.outputs.image}\` |`);
    expect(first.summary).toMatch(path.buildRow);

    const second = await runBundle(n('bundle'), inputs, {}, path);
    expect(second.status, second.stdout + second.stderr).toBe(0);
    expect(second.outputs).toEqual({ ...first.outputs, skipped: 'true' });
    expect(second.stdout).not.toContain('::group::Build');
    expect(second.summary).toContain('| **Build** | reused |');
  });

  test('the registry digest is checked: registry and outputs agree after the bundle run', async () => {
    const name = n('bundle-check');
    const run = await runBundle(
      name,
      { repository: `${bed.registry.host}/demo/${name}`, context: 'examples/app', 'build-args': `BASE=${bed.registry.baseImage}` },
      {},
      path,
    );
    expect(run.status, run.stdout).toBe(0);
    expect(run.outputs.digest).toBe(await bed.registry.digest(`demo/${name}`, shaOf(name)));
  });
});

describe('bad input changes nothing', () => {
  test('a missing Dockerfile names the input; no builder runs and the registry is not asked', async () => {
    const calls = buildahCalls().length;
    const opts = options('no-dockerfile', { dockerfile: 'Containerfile.prod' });
    const error = await rejection(buildImage(opts));
    expect(error).toBeInstanceOf(ExpeditorError);
    expect((error as ExpeditorError).input).toBe('dockerfile');
    expect(error.message).toBe(`input 'dockerfile': "examples/app/Containerfile.prod" does not exist in the workspace`);
    expect(buildahCalls().length).toBe(calls);
    expect(requestsFor(await registryLog(), 'demo/no-dockerfile')).toBe(0);
  });

  test('an unknown target stage names the input and lists the stages', async () => {
    const error = await rejection(buildImage(options('no-target', { target: 'prod' })));
    expect((error as InputError).input).toBe('target');
    expect(error.message).toBe(`input 'target': no stage named "prod" in examples/app/Dockerfile (stages: build, test, production)`);
    expect(requestsFor(await registryLog(), 'demo/no-target')).toBe(0);
  });

  test('a FROM that needs a build argument with no value names build-args', async () => {
    const dir = workspace('no-base', { Dockerfile: 'ARG BASE\nFROM ${BASE}\nRUN true\n' });
    const error = await rejection(buildImage(options('no-base', { workspace: dir, context: '.', buildArgs: {} })));
    expect((error as InputError).input).toBe('build-args');
    expect(error.message).toContain('builds FROM ${BASE} but BASE has no value');
  });

  test('invalid repository, tag and labels are refused by the input layer, each named', () => {
    const env = (values: Record<string, string>) => new ActionInputs(inputEnv(values));
    const context = readGitHubContext({ GITHUB_SHA: shaOf('x'), GITHUB_WORKSPACE: root });
    const error = (() => {
      try {
        readBuildImageInputs(
          env({ repository: '127.0.0.1:5000/Demo App', tag: '-bad', 'extra-tags': 'ok,no/slash', builder: 'kaniko' }),
          context,
        );
      } catch (e) {
        return e as ProblemsError;
      }
      throw new Error('expected the inputs to be refused');
    })();
    expect(error.problems.map((p) => p.input)).toEqual(['repository', 'tag', 'extra-tags', 'builder']);
    expect(error.problems[0]?.message).toContain('expected a repository with its registry host and no tag');
    expect(error.problems[1]?.message).toContain('expected a tag of letters, digits');
  });

  test('an invalid image.repository in the environment file names the key', async () => {
    const dir = workspace('bad-file', {
      '.github/expeditor.yml': `app: demo\nimage: { repository: ${bed.registry.host}/demo//app }\nenvironments: {}\n`,
    });
    const error = await rejection(
      buildImage(
        options('bad-file', {
          repository: undefined,
          workspace: dir,
          config: { workspace: dir, shownAs: '.github/expeditor.yml' },
        }),
      ),
    );
    expect((error as ExpeditorError).key).toBe('image.repository');
    expect(error.message).toContain('.github/expeditor.yml: image.repository: expected a repository');
  });

  test('labels may not replace the OCI labels build-image sets', async () => {
    const error = await rejection(buildImage(options('labels', { labels: { 'org.opencontainers.image.revision': 'x' } })));
    expect((error as InputError).input).toBe('labels');
  });

  test('the bundle refuses an invalid repository before any request, with no image output', async () => {
    const run = await runBundle('bad-repo', { repository: `${bed.registry.host}/demo/Bad_Name`, context: 'examples/app' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error title=input 'repository'::input 'repository': expected a repository/m);
    expect(run.outputs).toEqual({});
    expect(requestsFor(await registryLog(), 'demo/Bad_Name')).toBe(0);
  });
});

describe.each(paths)('failures say what happened, and never produce an image ($name)', (path) => {
  const n = (name: string): string => `${name}${path.suffix}`;
  const build = (name: string, over: Partial<BuildImageOptions> = {}) => options(n(name), over, path);

  test('a failing build: the error, the last lines of the build log in a group, nothing pushed', async () => {
    const dir = workspace(n('failing'), {
      Dockerfile: `FROM ${bed.registry.baseImage}\nRUN echo "compiling main.c" && echo "main.c:3: error: expected ';'" >&2 && exit 3\n`,
    });
    const opts = build('failing', { workspace: dir, context: '.', buildArgs: {} });
    const calls = path.calls().length;
    const error = await rejection(buildImage(opts));
    expect(error).toBeInstanceOf(BuildFailedError);
    expect(error.message).toMatch(new RegExp(`^the build failed \\(${path.command} exited \\d+\\): `));
    expect((error as BuildFailedError).unchanged).toBe('nothing was pushed');
    const group = opts.log.lines.findIndex((l) => /^▸ Build log \(last \d+ lines\)$/.test(l));
    expect(group).toBeGreaterThan(0);
    expect(opts.log.lines.slice(group).some((l) => l.includes("main.c:3: error: expected ';'"))).toBe(true);
    const summary = readFileSync(opts.summaryPath ?? '', 'utf8');
    expect(summary).toContain('Failed: the build failed');
    expect(summary).toContain("main.c:3: error: expected ';'");
    expect(
      path
        .calls()
        .slice(calls)
        .map((c) => c.split(' ')[0]),
    ).toEqual(path.failedBuildCalls);
    expect(await bed.registry.digest(`demo/${n('failing')}`, opts.tag)).toBeUndefined();
    expect(uploads(await registryLog(), `demo/${n('failing')}`)).toBe(0);
  });

  test('an authenticated registry: refused credentials are named, right ones push, the password never shows', async () => {
    const auth = await bed.registry.startAuthenticated();
    try {
      const anonymous = await rejection(buildImage(build('auth', { repository: `${auth.host}/demo/auth` })));
      expect(anonymous.message).toContain(`registry ${auth.host} refused anonymous access (no credentials were given) (HTTP 401)`);
      expect(anonymous.message).toContain(`HEAD http://${auth.host}/v2/demo/auth/manifests/`);

      const wrong = build('auth', {
        repository: `${auth.host}/demo/auth`,
        credentials: { username: auth.username, password: 'not-the-password' },
      });
      const refused = await rejection(buildImage(wrong));
      expect(refused.message).toContain(`registry ${auth.host} refused the credentials of "bed" from input 'registry-username' (HTTP 401)`);
      expect(refused.message).toMatch(/anonymously → HTTP 401; HEAD \S+ with Basic auth as "bed" \(input 'registry-username'\) → HTTP 401/);
      expect(wrong.log.lines.join('\n')).not.toContain('not-the-password');

      const right = build('auth', {
        repository: `${auth.host}/demo/auth`,
        credentials: { username: auth.username, password: auth.password },
      });
      const result = await buildImage(right);
      const head = await fetch(`${auth.url}/v2/demo/auth/manifests/${right.tag}`, {
        method: 'HEAD',
        headers: {
          // buildah pushes OCI manifests, docker Docker v2 ones.
          Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
          Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
        },
      });
      expect(head.headers.get('docker-content-digest')).toBe(result.digest);
      expect(right.log.lines.join('\n')).not.toContain(auth.password);
      // The push used a throwaway auth file, not the runner's own; docker logged out after the push.
      expect(readFileSync(bed.registry.containerEnv.REGISTRY_AUTH_FILE ?? '', 'utf8')).not.toContain(auth.host);
      expect(readFileSync(join(bed.docker.env.DOCKER_CONFIG ?? '', 'config.json'), 'utf8')).not.toContain(auth.host);
    } finally {
      await auth.stop();
    }
  });

  test('a push that fails half-way (a fault injected in front of the real registry) produces no image output', async () => {
    // The registry cannot be made to refuse one manifest after taking the layers, so a proxy in
    // front of it answers that one request with an error; everything else reaches the registry.
    const name = n('partial');
    const sha = shaOf(name);
    const proxy = await faultProxy((method, path) => method === 'PUT' && path === `/v2/demo/${name}/manifests/${sha}`);
    try {
      const run = await runBundle(
        name,
        { repository: `${proxy.host}/demo/${name}`, context: 'examples/app', 'build-args': `BASE=${bed.registry.baseImage}` },
        {},
        path,
      );
      expect(run.status, run.stdout).toBe(1);
      const pushCommand = path.name === 'buildah' ? 'buildah push' : 'docker buildx build';
      expect(run.stdout).toContain(`the push to ${proxy.host}/demo/${name}:${sha} failed (${pushCommand} exited`);
      expect(run.stdout).toContain('Unchanged: the tag was not written, so no image output was produced.');
      expect(run.outputs).toEqual({});
      const log = await registryLog();
      expect(uploads(log, `demo/${name}`)).toBeGreaterThan(0);
      expect(await bed.registry.digest(`demo/${name}`, sha)).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });

  test('an extra tag that cannot be written: no image output; the re-run adds it without building', async () => {
    const name = n('extra-fails');
    const proxy = await faultProxy((method, path) => method === 'PUT' && path === `/v2/demo/${name}/manifests/stable`);
    try {
      const opts = options(name, { repository: `${proxy.host}/demo/${name}`, extraTags: ['stable'] }, path);
      const error = await rejection(buildImage(opts));
      expect(error.message).toContain(`answered HTTP 400 to PUT /v2/demo/${name}/manifests/stable`);
      expect((error as ExpeditorError).unchanged).toContain('not every extra tag points at it; no image output was produced');
      expect(await bed.registry.digest(`demo/${name}`, 'stable')).toBeUndefined();
      proxy.fault = () => false;
      const calls = path.calls().length;
      const again = await buildImage(options(name, { repository: `${proxy.host}/demo/${name}`, extraTags: ['stable'] }, path));
      expect(again.skipped).toBe(true);
      expect(path.calls().length).toBe(calls);
      expect(await bed.registry.digest(`demo/${name}`, 'stable')).toBe(again.digest);
    } finally {
      await proxy.close();
    }
  });
});

describe('failures before any build, and the choice of builder', () => {
  test('an unreachable registry: says which registry and what was tried; nothing built', async () => {
    const port = await freePort();
    const calls = buildahCalls().length;
    const opts = options('unreachable', { repository: `127.0.0.1:${port}/demo/unreachable` });
    const error = await rejection(buildImage(opts));
    expect(error.message).toContain(`registry 127.0.0.1:${port} is unreachable at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(error.message).toContain(
      `Tried: HEAD http://127.0.0.1:${port}/v2/demo/unreachable/manifests/${opts.tag} anonymously → ECONNREFUSED`,
    );
    expect((error as ExpeditorError).unchanged).toBe('nothing was built or pushed');
    expect(buildahCalls().length).toBe(calls);
  });

  test('with neither a Docker engine nor buildah, the error says what to install', async () => {
    const empty = join(bed.dir, 'empty-path');
    mkdirSync(empty, { recursive: true });
    const error = await rejection(buildImage(options('no-builder', { env: { ...builderEnv(), PATH: empty } })));
    expect(error.message).toBe('no image builder is available: docker is not on PATH; buildah is not on PATH');
    expect((error as ExpeditorError).next).toContain('install buildah');
    expect((error as ExpeditorError).unchanged).toBe('nothing was built or pushed');

    const named = await rejection(buildImage(options('no-builder', { builder: 'buildah', env: { ...builderEnv(), PATH: empty } })));
    expect((named as InputError).input).toBe('builder');
  });

  test('builder buildx where no Docker engine answers: the real docker client says why', async () => {
    const docker = spawnSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).stdout.trim();
    if (!docker) return; // the docker client is not on this machine: nothing to ask
    const error = await rejection(chooseBuilder('buildx', builderEnv()));
    expect((error as InputError).input).toBe('builder');
    expect(error.message).toMatch(/buildx cannot run here: no Docker engine answers: .*(Cannot connect|daemon)/);
  });

  test('auto picks buildx where the Docker engine answers with the plugin, buildah where none does', async () => {
    const builder = await chooseBuilder('auto', paths[1]?.env() ?? {});
    expect(builder.name).toBe('buildx');
    expect(builder.version).toBe(bed.docker.buildx);
    expect(builder.reason).toBe(`Docker engine ${bed.docker.version} answers`);
    const fallback = await chooseBuilder('auto', builderEnv());
    expect(fallback.name).toBe('buildah');
    expect(fallback.reason).toMatch(/^no Docker engine answers: /);
    // The engine without the plugin (a DOCKER_CONFIG with no cli-plugins): buildah, saying why.
    const bare = join(bed.dir, 'docker-config-bare');
    mkdirSync(bare, { recursive: true });
    const noPlugin = await chooseBuilder('auto', { ...builderEnv(), DOCKER_HOST: bed.docker.host, DOCKER_CONFIG: bare });
    expect(noPlugin.name).toBe('buildah');
    expect(noPlugin.reason).toBe(`Docker ${bed.docker.version} answers but has no buildx plugin`);
  });
});

interface FaultProxy {
  host: string;
  fault: (method: string, path: string) => boolean;
  close(): Promise<void>;
}

/** Forwards to the bed registry, except requests `fault` picks, which get a registry error. */
async function faultProxy(fault: (method: string, path: string) => boolean): Promise<FaultProxy> {
  const target = new URL(bed.registry.url);
  const state: FaultProxy = { host: '', fault, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (state.fault(req.method ?? '', path)) {
      req.resume();
      appendFileSync(join(bed.dir, 'proxy-faults.log'), `${req.method} ${path}\n`);
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_INVALID', message: 'refused by the test proxy' }] }));
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  state.host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  state.close = () => new Promise<void>((done) => server.close(() => done()));
  return state;
}
