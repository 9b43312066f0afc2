import { describe, expect, it } from 'vitest';
import {
  buildahBudArgs,
  buildahPushArgs,
  buildahVersionOf,
  buildxBuildArgs,
  buildxVersionOf,
  pickBuilder,
  pushFailedNext,
  buildxFailedInPush,
  pushWithRetries,
  type BuilderChoice,
  type DockerProbe,
} from '../../actions/build-image/src/builders.ts';
import { ExpeditorError, InputError } from '../../packages/shared/src/errors.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';

const hosted: DockerProbe = { path: '/usr/bin/docker', engine: { ok: true, detail: '27.3.1' }, buildx: 'v0.17.1' };
const noBuildx: DockerProbe = { path: '/usr/bin/docker', engine: { ok: true, detail: '24.0.7' }, buildx: undefined };
const noDaemon: DockerProbe = {
  path: '/usr/bin/docker',
  engine: { ok: false, detail: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' },
  buildx: undefined,
};
const noDocker: DockerProbe = { path: undefined };
const buildah = { version: '1.33.7' };

describe('pickBuilder', () => {
  it.each<[string, BuilderChoice, DockerProbe | undefined, { version: string } | undefined, string, string, string]>([
    ['a hosted runner, auto', 'auto', hosted, undefined, 'buildx', 'v0.17.1', 'Docker engine 27.3.1 answers'],
    ['a hosted runner, buildx asked', 'buildx', hosted, undefined, 'buildx', 'v0.17.1', 'Docker engine 27.3.1 answers'],
    ['buildah asked (docker not probed)', 'buildah', undefined, buildah, 'buildah', '1.33.7', "input 'builder' is buildah"],
    ['no docker, auto', 'auto', noDocker, buildah, 'buildah', '1.33.7', 'docker is not on PATH'],
    [
      'no daemon, auto',
      'auto',
      noDaemon,
      buildah,
      'buildah',
      '1.33.7',
      'no Docker engine answers: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    ],
    ['docker without buildx, auto', 'auto', noBuildx, buildah, 'buildah', '1.33.7', 'Docker 24.0.7 answers but has no buildx plugin'],
  ])('%s → %s', (_where, choice, docker, found, name, version, reason) => {
    expect(pickBuilder(choice, docker, found)).toEqual({ name, version, reason });
  });

  it.each<
    [string, BuilderChoice, DockerProbe | undefined, { version: string } | undefined, typeof InputError | typeof ExpeditorError, string]
  >([
    [
      'buildx asked, no daemon',
      'buildx',
      noDaemon,
      undefined,
      InputError,
      "input 'builder': buildx cannot run here: no Docker engine answers",
    ],
    [
      'buildx asked, no docker (buildah there)',
      'buildx',
      noDocker,
      buildah,
      InputError,
      "input 'builder': buildx cannot run here: docker is not on PATH",
    ],
    ['buildah asked, none', 'buildah', undefined, undefined, InputError, "input 'builder': buildah is not on PATH"],
    [
      'auto, neither',
      'auto',
      noDocker,
      undefined,
      ExpeditorError,
      'no image builder is available: docker is not on PATH; buildah is not on PATH',
    ],
    [
      'auto, docker without buildx, no buildah',
      'auto',
      noBuildx,
      undefined,
      ExpeditorError,
      'Docker 24.0.7 answers but has no buildx plugin; buildah is not on PATH',
    ],
  ])('%s: refused', (_where, choice, docker, found, kind, message) => {
    let error: unknown;
    try {
      pickBuilder(choice, docker, found);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(kind);
    expect((error as Error).message).toContain(message);
    if (kind === ExpeditorError) expect((error as ExpeditorError).unchanged).toBe('nothing was built or pushed');
  });

  it.each([
    ['github.com/docker/buildx v0.17.1 257815a6fb95ae0e2ad9d5b2fa5aa2c9de8c6d4e', 'v0.17.1'],
    ['github.com/docker/buildx 0.12.1+azure-1 4b2c7c5', '0.12.1+azure-1'],
    ['', 'unknown'],
  ])('buildx version of %j is %s', (stdout, version) => {
    expect(buildxVersionOf(stdout)).toBe(version);
  });

  it.each([
    ['buildah version 1.33.7 (image-spec 1.1.0, runtime-spec 1.1.0)\n', '1.33.7'],
    ['buildah version 1.37.5-dev (image-spec 1.1.0-rc.6, runtime-spec 1.2.0)', '1.37.5-dev'],
    ['buildah: command output changed', 'unknown'],
  ])('buildah version of %j is %s', (stdout, version) => {
    expect(buildahVersionOf(stdout)).toBe(version);
  });
});

const request = {
  contextDir: '/home/runner/work/shop/shop/services/web',
  dockerfilePath: '/home/runner/work/shop/shop/services/web/Dockerfile',
  target: 'runtime' as string | undefined,
  buildArgs: { NODE_VERSION: '22', NPM_TOKEN_FILE: '/run/secrets/npm' },
  labels: { 'org.opencontainers.image.revision': '3f9c2d81a0b4e5c6d7e8f90123456789abcdef01', team: 'checkout' },
  localName: '123456789012.dkr.ecr.us-west-2.amazonaws.com/shop/web:3f9c2d81a0b4e5c6d7e8f90123456789abcdef01',
  destination: '123456789012.dkr.ecr.us-west-2.amazonaws.com/shop/web:3f9c2d81a0b4e5c6d7e8f90123456789abcdef01',
  address: '123456789012.dkr.ecr.us-west-2.amazonaws.com',
};
const flags = [
  '--file',
  request.dockerfilePath,
  '--target',
  'runtime',
  '--build-arg',
  'NODE_VERSION=22',
  '--build-arg',
  'NPM_TOKEN_FILE=/run/secrets/npm',
  '--label',
  'org.opencontainers.image.revision=3f9c2d81a0b4e5c6d7e8f90123456789abcdef01',
  '--label',
  'team=checkout',
];

describe('builder command lines', () => {
  it.each([
    [
      'with an auth file',
      '/tmp/build-image-x/auth.json',
      ['bud', ...flags, '--tag', request.localName, '--authfile', '/tmp/build-image-x/auth.json', request.contextDir],
    ],
    ['anonymous', undefined, ['bud', ...flags, '--tag', request.localName, request.contextDir]],
  ])('buildah bud, %s', (_what, authFile, args) => {
    expect(buildahBudArgs(request, authFile)).toEqual(args);
  });

  it('buildah bud without a target or build args', () => {
    expect(buildahBudArgs({ ...request, target: undefined, buildArgs: {}, labels: {} }, undefined)).toEqual([
      'bud',
      '--file',
      request.dockerfilePath,
      '--tag',
      request.localName,
      request.contextDir,
    ]);
  });

  it.each([
    [
      'to ECR with a login',
      request,
      '/s/auth.json',
      ['push', '--authfile', '/s/auth.json', '--digestfile', '/s/digest', request.localName, `docker://${request.destination}`],
    ],
    [
      'to a loopback registry, plain HTTP',
      { ...request, address: '127.0.0.1:5000', destination: '127.0.0.1:5000/team/app:v1' },
      undefined,
      ['push', '--tls-verify=false', '--digestfile', '/s/digest', request.localName, 'docker://127.0.0.1:5000/team/app:v1'],
    ],
  ])('buildah push %s', (_what, req, authFile, args) => {
    expect(buildahPushArgs(req, authFile, '/s/digest')).toEqual(args);
  });

  it('docker buildx build pushes one manifest with its metadata file', () => {
    expect(buildxBuildArgs(request, '/s/metadata.json')).toEqual([
      'buildx',
      'build',
      ...flags,
      '--tag',
      request.destination,
      '--provenance=false',
      '--sbom=false',
      '--output',
      'type=registry',
      '--metadata-file',
      '/s/metadata.json',
      request.contextDir,
    ]);
  });

  it('the image time: buildah --timestamp; buildx clamps config, history and file times on export', () => {
    const timed = { ...request, sourceDateEpoch: 1_700_000_000 };
    expect(buildahBudArgs(timed, undefined)).toEqual([
      'bud',
      ...flags,
      '--timestamp',
      '1700000000',
      '--tag',
      request.localName,
      request.contextDir,
    ]);
    const buildx = buildxBuildArgs(timed, '/s/metadata.json');
    const output = buildx.indexOf('--output');
    expect(buildx.slice(output, output + 2)).toEqual(['--output', 'type=registry,source-date-epoch=1700000000,rewrite-timestamp=true']);
    // Not as a build argument: the frontend would stamp WORKDIR with it, and the cache key with it.
    expect(buildx.some((a) => a.startsWith('SOURCE_DATE_EPOCH='))).toBe(false);
  });

  it('attestations asked for reach buildx as --provenance and --sbom', () => {
    const args = buildxBuildArgs({ ...request, attestations: { provenance: 'max', sbom: true } }, '/s/metadata.json');
    expect(args.filter((a) => /^--(provenance|sbom)=/.test(a))).toEqual(['--provenance=mode=max', '--sbom=true']);
  });

  it.each([
    [
      [
        'tag invalid: The image tag 3f9c2d8 already exists in the shop/web repository and cannot be overwritten because the repository is immutable.',
      ],
      'immutable tags',
    ],
    [
      ["Error: writing blob: name unknown: The repository with name 'shop/web' does not exist in the registry with id '123456789012'"],
      'create-repository: true',
    ],
    [['error: unauthorized: authentication required'], 'the registry refused the push'],
    [['Error: connection reset by peer'], 'a re-run retries the push'],
  ])('a failed push (%j) says what next: %s', (tail, next) => {
    expect(pushFailedNext(tail)).toContain(next);
  });
});

describe('pushWithRetries', () => {
  const failed = (line: string) => ({ code: 125, tail: ['Getting image source signatures', line], stdout: '' });
  const ok = { code: 0, tail: ['Writing manifest to image destination'], stdout: '' };
  const unavailable = failed(
    `Error: pushing image "127.0.0.1:5000/shop/web:${'a'.repeat(40)}" to "docker://127.0.0.1:5000/shop/web:${'a'.repeat(40)}": writing blob: initiating layer upload to /v2/shop/web/blobs/uploads/ in 127.0.0.1:5000: received unexpected HTTP status: 503 Service Unavailable`,
  );

  /** Pushes answering `results` in turn, counted. */
  function pushes(...results: { code: number; tail: string[]; stdout: string }[]) {
    const calls = { n: 0 };
    return { calls, push: async () => results[Math.min(calls.n++, results.length - 1)]! };
  }

  it('pushes again after a registry error, logging each retry, until a push succeeds', async () => {
    const log = memoryLog();
    const { calls, push } = pushes(unavailable, failed('Error: writing blob: Patch "http://127.0.0.1:5000/v2/x": EOF'), ok);
    const result = await pushWithRetries(push, {
      what: 'the push to 127.0.0.1:5000/shop/web:v1',
      log,
      signal: undefined,
      delaysMs: [1, 1, 1],
    });
    expect(result.code).toBe(0);
    expect(calls.n).toBe(3);
    const warnings = log.lines.filter((l) => l.startsWith('warning: '));
    expect(warnings).toHaveLength(2);
    // The reason, whole: not the image named twice before it.
    expect(warnings[0]).toContain(
      'the push to 127.0.0.1:5000/shop/web:v1 failed (exit 125): Error: writing blob: initiating layer upload to /v2/shop/web/blobs/uploads/ in 127.0.0.1:5000: received unexpected HTTP status: 503 Service Unavailable; retry 1 of 3',
    );
    expect(warnings[0]).toContain('503 Service Unavailable; retry 1 of 3 in 1 ms');
    expect(warnings[1]).toContain('EOF; retry 2 of 3 in 1 ms');
  });

  it('stops after the last delay with the last failure', async () => {
    const log = memoryLog();
    const { calls, push } = pushes(unavailable);
    const result = await pushWithRetries(push, { what: 'the push', log, signal: undefined, delaysMs: [1, 1] });
    expect(result).toBe(unavailable);
    expect(calls.n).toBe(3);
  });

  it.each([
    'Error: writing blob: unauthorized: authentication required',
    'tag invalid: The image tag v1 already exists in the shop/web repository and cannot be overwritten because the repository is immutable.',
    "name unknown: The repository with name 'shop/web' does not exist in the registry",
    'received unexpected HTTP status: 403 Forbidden',
    'Error: writing manifest: uploading manifest v1 to 127.0.0.1:5000/shop/web: manifest invalid: refused by the registry',
  ])('does not push again what the registry refused: %s', async (line) => {
    const log = memoryLog();
    const { calls, push } = pushes(failed(line));
    const result = await pushWithRetries(push, { what: 'the push', log, signal: undefined, delaysMs: [1, 1, 1] });
    expect(result.code).toBe(125);
    expect(calls.n).toBe(1);
    expect(log.lines.filter((l) => l.startsWith('warning: '))).toEqual([]);
  });

  it("an immutable tag refusing a retry: an earlier attempt's manifest landed (its answer lost), so the push is done and the tag is read back", async () => {
    const log = memoryLog();
    const exists = failed(
      'Error: writing manifest: uploading manifest v1 to 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop/web: tag invalid: The image tag v1 already exists in the shop/web repository and cannot be overwritten because the repository is immutable.',
    );
    const { calls, push } = pushes(failed('Error: writing manifest: Put "https://x/v2/shop/web/manifests/v1": EOF'), exists);
    const result = await pushWithRetries(push, { what: 'the push', log, signal: undefined, delaysMs: [1, 1, 1] });
    expect(result.landedBefore).toBe(true);
    expect(calls.n).toBe(2);
    expect(log.lines.at(-1)).toContain("an earlier attempt's manifest landed though its answer was lost; the tag is read back");
    // On the first attempt the same answer is a refusal (the tag was there before this run pushed).
    const first = pushes(exists);
    expect((await pushWithRetries(first.push, { what: 'the push', log, signal: undefined, delaysMs: [1] })).landedBefore).toBeUndefined();
    // So it is on a retry when the tag was there before the first attempt (force): nothing of this run landed.
    const forced = pushes(failed('Error: writing blob: 503 Service Unavailable'), exists);
    const refused = await pushWithRetries(forced.push, { what: 'the push', log, signal: undefined, delaysMs: [1, 1], tagExisted: true });
    expect(refused.landedBefore).toBeUndefined();
    expect(refused.code).toBe(125);
    expect(forced.calls.n).toBe(2);
  });

  it('with inPush, runs again only a failure in the push (buildx: a build step that failed fails at once)', async () => {
    const log = memoryLog();
    const buildStep = failed('ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1');
    const once = pushes(buildStep, ok);
    const result = await pushWithRetries(once.push, {
      what: 'the push',
      log,
      signal: undefined,
      delaysMs: [1, 1],
      inPush: (r) => buildxFailedInPush(r.tail),
    });
    expect(result).toBe(buildStep);
    expect(once.calls.n).toBe(1);
    const inPush = failed(
      'ERROR: failed to solve: failed to push 127.0.0.1:5000/shop/web:v1: unexpected status from PUT request: 503 Service Unavailable',
    );
    const again = pushes(inPush, ok);
    expect(
      (
        await pushWithRetries(again.push, {
          what: 'the push',
          log,
          signal: undefined,
          delaysMs: [1, 1],
          inPush: (r) => buildxFailedInPush(r.tail),
        })
      ).code,
    ).toBe(0);
    expect(again.calls.n).toBe(2);
  });

  it('a stop during the wait ends it with the stop, and pushes no more', async () => {
    const stop = new AbortController();
    const { calls, push } = pushes(unavailable);
    const log = memoryLog();
    const waiting = pushWithRetries(
      async () => {
        const result = await push();
        queueMicrotask(() => stop.abort(new Error('the deadline ran out')));
        return result;
      },
      { what: 'the push', log, signal: stop.signal, delaysMs: [60_000] },
    );
    await expect(waiting).rejects.toThrow('the deadline ran out');
    expect(calls.n).toBe(1);
  });

  it('a registry status number in an upload URL or digest is not read as a refusal', () => {
    expect(
      pushFailedNext([
        'Error: writing blob: Put "http://127.0.0.1:5000/v2/shop/web/blobs/uploads/4013-403?digest=sha256%3A401403": received unexpected HTTP status: 503 Service Unavailable',
      ]),
    ).toContain('a re-run retries the push');
  });
});
