// The two builders: docker buildx where a Docker engine answers (GitHub's hosted runners), buildah
// otherwise (rootless runners, containers without a daemon, the test bed). Which one runs, and
// why, is logged; with neither, the error says what to install.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExpeditorError, InputError } from '@expeditor/shared/errors';
import type { Env } from '@expeditor/shared/inputs';
import type { Log } from '@expeditor/shared/log';
import { formatDuration, sleep } from '@expeditor/shared/deadline';
import {
  type AttestationPlan,
  buildxAttestationArgs,
  builderRefusedAttestations,
  noAttestations,
  sbomGeneratorFailure,
  sbomGeneratorNext,
} from './attestations.ts';
import { buildahCacheArgs, buildxCacheArgs, type CachePlan } from './cache.ts';
import { exec, type ExecResult, findOnPath } from './exec.ts';
import { isLoopback } from './reference.ts';

export type BuilderChoice = 'auto' | 'buildx' | 'buildah';
/** The network of RUN steps: the builder's default, the host's, or none. */
export type NetworkMode = 'default' | 'host' | 'none';

export interface BuildRequest {
  contextDir: string;
  dockerfilePath: string;
  target: string | undefined;
  buildArgs: Readonly<Record<string, string>>;
  labels: Readonly<Record<string, string>>;
  network: NetworkMode;
  /** The registry cache to start from and write to, if any. */
  cache?: CachePlan | undefined;
  /** `--secret id=…,src=…` for each build secret (files in the scratch directory). */
  secretFlags?: readonly string[] | undefined;
  /** Target platforms (`os/arch[/variant]`); several make an image index. Empty: the builder's own. */
  platforms?: readonly string[] | undefined;
  /** The image's time (seconds): config, history and, where the builder can, file times in layers. */
  sourceDateEpoch?: number | undefined;
  /** Provenance and SBOM (buildx only; buildah requests are refused before this). */
  attestations?: AttestationPlan | undefined;
  /** The image's name in local storage (`repository:tag`). */
  localName: string;
  /** Where to push: `address/name:tag`. */
  destination: string;
  /** The registry address pushed to (`host:port`), for logins and TLS. */
  address: string;
  credentials: { username: string; password: string } | undefined;
  /** The tag was there before this push (force): an immutable tag refusing a retry is then not this run's push having landed. */
  tagExisted?: boolean | undefined;
}

export interface BuildOutcome {
  /** Time spent building (for buildx, building and pushing are one command). */
  buildMs: number;
  pushMs: number | undefined;
  /** The digest the builder says it pushed; checked against the registry's answer. */
  builderDigest: string | undefined;
}

export interface Builder {
  readonly name: 'buildx' | 'buildah';
  readonly version: string;
  /** Why this builder was chosen, for the log. */
  readonly reason: string;
  buildAndPush(request: BuildRequest, run: BuilderRun): Promise<BuildOutcome>;
}

export interface BuilderRun {
  env: Env;
  log: Log;
  signal: AbortSignal | undefined;
  /** A directory for throwaway files (auth file, metadata), removed after the build. */
  scratch: string;
}

/** The builder failed: the message plus the last lines of its log. */
export class BuildFailedError extends ExpeditorError {
  readonly tail: readonly string[];
  readonly phase: 'build' | 'push';
  constructor(message: string, tail: readonly string[], phase: 'build' | 'push', next: string) {
    super(message, {
      next,
      unchanged: phase === 'build' ? 'nothing was pushed' : 'the tag was not written, so no image output was produced',
    });
    this.name = 'BuildFailedError';
    this.tail = tail;
    this.phase = phase;
  }
}

/** What was found of Docker: not on PATH, or its engine's answer and its buildx version (undefined: no plugin). */
export type DockerProbe = { path: undefined } | { path: string; engine: { ok: boolean; detail: string }; buildx: string | undefined };

/** The builder to run and why, or the error that says what is missing. */
export interface BuilderPick {
  name: 'buildx' | 'buildah';
  version: string;
  reason: string;
}

/**
 * The decision of chooseBuilder, on what was found: buildx when a Docker engine with the plugin
 * answers (unless the input says buildah), else buildah when it is on PATH (unless it says buildx).
 * `docker` is undefined when it was not probed (builder: buildah), `buildah` when absent or not
 * probed (buildx was usable, or the input says buildx).
 */
export function pickBuilder(choice: BuilderChoice, docker: DockerProbe | undefined, buildah: { version: string } | undefined): BuilderPick {
  const notes: string[] = [];
  if (choice !== 'buildah') {
    if (!docker?.path) notes.push('docker is not on PATH');
    else if (!docker.engine.ok) notes.push(`no Docker engine answers: ${docker.engine.detail}`);
    else if (docker.buildx === undefined) notes.push(`Docker ${docker.engine.detail} answers but has no buildx plugin`);
    else return { name: 'buildx', version: docker.buildx, reason: `Docker engine ${docker.engine.detail} answers` };
    if (choice === 'buildx') {
      throw new InputError(
        'builder',
        `buildx cannot run here: ${notes.join('; ')}`,
        "start a Docker engine with the buildx plugin, or set 'builder' to auto or buildah",
      );
    }
  }
  if (buildah)
    return { name: 'buildah', version: buildah.version, reason: choice === 'buildah' ? "input 'builder' is buildah" : notes.join('; ') };
  notes.push('buildah is not on PATH');
  if (choice === 'buildah') {
    throw new InputError(
      'builder',
      'buildah is not on PATH',
      'install buildah (Debian/Ubuntu: apt-get install buildah), or set builder to auto',
    );
  }
  throw new ExpeditorError(`no image builder is available: ${notes.join('; ')}`, {
    unchanged: 'nothing was built or pushed',
    next: 'install buildah (Debian/Ubuntu: apt-get install buildah; it needs no daemon), or run on a runner with a Docker engine and the buildx plugin',
  });
}

/** `github.com/docker/buildx v0.17.1 …` → `v0.17.1`. */
export function buildxVersionOf(stdout: string): string {
  return stdout.trim().split(/\s+/).slice(1, 2).join('') || 'unknown';
}

/** `buildah version 1.33.7 (image-spec …)` → `1.33.7`. */
export function buildahVersionOf(stdout: string): string {
  return /version (\S+)/.exec(stdout)?.[1] ?? 'unknown';
}

/** Finds the builder to use; logs nothing itself, returns the reason. */
export async function chooseBuilder(choice: BuilderChoice, env: Env, signal?: AbortSignal): Promise<Builder> {
  const docker = choice === 'buildah' ? undefined : await probeDocker(env, signal);
  const buildxUsable = docker?.path !== undefined && docker.engine.ok && docker.buildx !== undefined;
  const buildahPath = buildxUsable || choice === 'buildx' ? undefined : findOnPath('buildah', env);
  const buildah = buildahPath ? { version: buildahVersionOf((await exec(buildahPath, ['--version'], { env, signal })).stdout) } : undefined;
  const pick = pickBuilder(choice, docker, buildah);
  return pick.name === 'buildx' && docker?.path
    ? buildxBuilder(docker.path, pick.version, pick.reason)
    : buildahBuilder(buildahPath ?? 'buildah', pick.version, pick.reason);
}

async function probeDocker(env: Env, signal: AbortSignal | undefined): Promise<DockerProbe> {
  const docker = findOnPath('docker', env);
  if (!docker) return { path: undefined };
  const engine = await dockerEngine(docker, env, signal);
  if (!engine.ok) return { path: docker, engine, buildx: undefined };
  const buildx = await exec(docker, ['buildx', 'version'], { env, signal });
  return { path: docker, engine, buildx: buildx.code === 0 ? buildxVersionOf(buildx.stdout) : undefined };
}

async function dockerEngine(docker: string, env: Env, signal?: AbortSignal): Promise<{ ok: boolean; detail: string }> {
  // A daemon that does not answer in 10 s is as good as none.
  const timeout = AbortSignal.timeout(10_000);
  try {
    const answer = await exec(docker, ['version', '--format', '{{.Server.Version}}'], {
      env,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const lastLine = answer.tail.filter(Boolean).at(-1) ?? '';
    return answer.code === 0 ? { ok: true, detail: answer.stdout.trim() } : { ok: false, detail: lastLine || `exit ${answer.code}` };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { ok: false, detail: 'docker version did not answer within 10 s' };
  }
}

type Args = Pick<BuildRequest, 'dockerfilePath' | 'target' | 'buildArgs' | 'labels' | 'contextDir'> &
  Partial<Pick<BuildRequest, 'network' | 'secretFlags' | 'platforms' | 'sourceDateEpoch' | 'attestations'>>;

/** --file, --target, --network, every --build-arg, --label and --secret, as both builders take them. */
function buildFlags(request: Args): string[] {
  return [
    '--file',
    request.dockerfilePath,
    ...(request.target ? ['--target', request.target] : []),
    ...(request.platforms?.length ? ['--platform', request.platforms.join(',')] : []),
    ...(request.network && request.network !== 'default' ? ['--network', request.network] : []),
    ...Object.entries(request.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    ...Object.entries(request.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    ...(request.secretFlags ?? []),
  ];
}

/** `buildah bud`: builds into local storage under the local name. */
export function buildahBudArgs(
  request: Args & Pick<BuildRequest, 'localName' | 'cache' | 'platforms'>,
  authFile: string | undefined,
): string[] {
  const cache = request.cache
    ? [...buildahCacheArgs(request.cache), ...(isLoopback(request.cache.repository.split('/')[0] ?? '') ? ['--tls-verify=false'] : [])]
    : [];
  return [
    'bud',
    ...buildFlags(request),
    ...cache,
    // Config and history times, and the times of files in the new layers (buildah 1.28 has no
    // --source-date-epoch; --timestamp does all three).
    ...(request.sourceDateEpoch !== undefined ? ['--timestamp', String(request.sourceDateEpoch)] : []),
    // Several platforms: one image each, gathered in a manifest list (pushed as an image index).
    ...((request.platforms?.length ?? 0) > 1 ? ['--manifest', request.localName] : ['--tag', request.localName]),
    ...(authFile ? ['--authfile', authFile] : []),
    request.contextDir,
  ];
}

/** `buildah push`: the local image to the registry address, the pushed digest written to `digestFile`. */
export function buildahPushArgs(
  request: Pick<BuildRequest, 'localName' | 'destination' | 'address' | 'platforms'>,
  authFile: string | undefined,
  digestFile: string,
): string[] {
  return [
    ...((request.platforms?.length ?? 0) > 1 ? ['manifest', 'push', '--all'] : ['push']),
    ...(authFile ? ['--authfile', authFile] : []),
    // Loopback registries speak plain HTTP (as Docker assumes for them).
    ...(isLoopback(request.address) ? ['--tls-verify=false'] : []),
    '--digestfile',
    digestFile,
    request.localName,
    `docker://${request.destination}`,
  ];
}

/** `docker buildx build --push`: build and push in one, the digest in the metadata file. */
export function buildxBuildArgs(
  request: Args & Pick<BuildRequest, 'destination' | 'cache'>,
  metadataFile: string,
  cacheExport = true,
): string[] {
  const epoch = request.sourceDateEpoch;
  return [
    'buildx',
    'build',
    ...buildFlags(request),
    '--tag',
    request.destination,
    ...(request.cache ? buildxCacheArgs(request.cache, cacheExport) : []),
    // Off unless asked for: one image manifest, not an index with an "unknown/unknown" attestation entry.
    ...buildxAttestationArgs(request.attestations ?? noAttestations),
    // --push, spelled out to give the exporter the image time: it clamps the config's and the
    // history's times to it, and (BuildKit ≥ 0.13) the times of the files in the layers. Not the
    // SOURCE_DATE_EPOCH build argument: the frontend would stamp WORKDIR's directory with it, which
    // changes that step's cache key with every commit and so defeats the layer cache. BuildKit 0.8
    // (the engine's own builder in Docker 20.10) ignores both attributes.
    '--output',
    epoch !== undefined ? `type=registry,source-date-epoch=${epoch},rewrite-timestamp=true` : 'type=registry',
    '--metadata-file',
    metadataFile,
    request.contextDir,
  ];
}

const buildFailedNext = 'fix the Dockerfile or the build context; the last lines of the build log are above';

function buildahBuilder(buildah: string, version: string, reason: string): Builder {
  return {
    name: 'buildah',
    version,
    reason,
    async buildAndPush(request, run) {
      const authFile = request.credentials ? writeAuthFile(run, request.address, request.credentials) : undefined;
      if (request.cache) {
        run.log.info(
          `Cache: ${request.cache.repository.replace(request.address, request.cache.ref.split('/')[0] ?? '')} (one image per cached step, tagged by its cache key)`,
        );
      }
      const started = Date.now();
      const build = await run.log.group(`Build (buildah ${version})`, () =>
        exec(buildah, buildahBudArgs(request, authFile), { env: run.env, signal: run.signal, onLine: (line) => run.log.info(line) }),
      );
      const buildMs = Date.now() - started;
      if (build.code !== 0) {
        throw new BuildFailedError(
          `the build failed (buildah bud exited ${build.code}): ${lastMeaningful(build.tail)}`,
          build.tail,
          'build',
          buildFailedNext,
        );
      }
      const digestFile = join(run.scratch, 'digest');
      const pushStarted = Date.now();
      const push = await run.log.group(`Push ${request.destination}`, () =>
        pushWithRetries(
          () =>
            exec(buildah, buildahPushArgs(request, authFile, digestFile), {
              env: run.env,
              signal: run.signal,
              onLine: (line) => run.log.info(line),
            }),
          { what: `the push to ${request.destination} (buildah push)`, log: run.log, signal: run.signal, tagExisted: request.tagExisted },
        ),
      );
      const pushMs = Date.now() - pushStarted;
      // No digest file from that attempt: the read-back of the tag says what was pushed.
      if (push.landedBefore) return { buildMs, pushMs, builderDigest: undefined };
      if (push.code !== 0) {
        throw new BuildFailedError(
          `the push to ${request.destination} failed (buildah push exited ${push.code}): ${lastMeaningful(push.tail)}`,
          push.tail,
          'push',
          pushFailedNext(push.tail),
        );
      }
      return { buildMs, pushMs, builderDigest: readOptional(digestFile) };
    },
  };
}

function buildxBuilder(docker: string, version: string, reason: string): Builder {
  return {
    name: 'buildx',
    version,
    reason,
    async buildAndPush(request, run) {
      const loggedIn = request.credentials !== undefined;
      if (request.credentials) {
        const login = await exec(docker, ['login', '--username', request.credentials.username, '--password-stdin', request.address], {
          env: run.env,
          signal: run.signal,
          stdin: request.credentials.password,
        });
        if (login.code !== 0) {
          throw new ExpeditorError(`docker login to ${request.address} failed: ${lastMeaningful(login.tail)}`, {
            unchanged: 'nothing was built or pushed',
            next: 'check the registry credentials',
          });
        }
      }
      try {
        const metadata = join(run.scratch, 'metadata.json');
        const several = (request.platforms?.length ?? 0) > 1;
        const cacheExport = request.cache || several ? await canExportCache(docker, run) : { driver: 'unknown', export: true };
        if (several && !cacheExport.export) {
          throw new InputError(
            'platforms',
            `${request.platforms?.join(', ')}: the buildx builder's driver '${cacheExport.driver}' (the engine's own) builds one platform at a time`,
            'create a builder that builds several (docker/setup-buildx-action, or docker buildx create --use), or give one platform',
          );
        }
        if (request.cache) run.log.info(buildxCacheNote(request.cache.ref, cacheExport));
        const started = Date.now();
        // A run that failed in its push runs again: the build is cached in the builder, so only
        // the push is repeated (as buildah's is, pushWithRetries).
        const build = await run.log.group(`Build and push (docker buildx ${version})`, () =>
          pushWithRetries(
            () =>
              exec(docker, buildxBuildArgs(request, metadata, cacheExport.export), {
                env: { ...run.env, BUILDX_NO_DEFAULT_ATTESTATIONS: '1' },
                signal: run.signal,
                onLine: (line) => run.log.info(line),
              }),
            {
              what: `the push to ${request.destination} (docker buildx build)`,
              log: run.log,
              signal: run.signal,
              tagExisted: request.tagExisted,
              inPush: (result) =>
                buildxFailedInPush(result.tail) &&
                !builderRefusedAttestations(request.attestations, result.tail) &&
                !sbomGeneratorFailure(request.attestations, result.tail),
            },
          ),
        );
        const buildMs = Date.now() - started;
        if (build.code !== 0 && !build.landedBefore) {
          const refused = builderRefusedAttestations(request.attestations, build.tail);
          if (refused) throw refused;
          const sbom = sbomGeneratorFailure(request.attestations, build.tail);
          if (sbom) throw new BuildFailedError(sbom, build.tail, 'build', sbomGeneratorNext);
          const pushed = buildxFailedInPush(build.tail);
          throw new BuildFailedError(
            `${pushed ? `the push to ${request.destination} failed` : 'the build failed'} (docker buildx build exited ${build.code}): ${lastMeaningful(build.tail)}`,
            build.tail,
            pushed ? 'push' : 'build',
            pushed ? pushFailedNext(build.tail) : buildFailedNext,
          );
        }
        let builderDigest: string | undefined;
        try {
          builderDigest = (JSON.parse(readFileSync(metadata, 'utf8')) as Record<string, string>)['containerimage.digest'];
        } catch {
          builderDigest = undefined;
        }
        return { buildMs, pushMs: undefined, builderDigest };
      } finally {
        if (loggedIn) await exec(docker, ['logout', request.address], { env: run.env }).catch(() => undefined);
      }
    },
  };
}

/** Whether a failed `docker buildx build` had got to its export (the push), not failed in a build step. */
export function buildxFailedInPush(tail: readonly string[]): boolean {
  return tail.some((line) => /pushing layers|exporting to image|failed to push/i.test(line));
}

/** The current buildx builder's driver, and whether it can export a registry cache (all but `docker`). */
async function canExportCache(docker: string, run: BuilderRun): Promise<{ driver: string; export: boolean }> {
  const inspect = await exec(docker, ['buildx', 'inspect'], { env: run.env, signal: run.signal });
  const driver = /^Driver:\s*(\S+)/m.exec(inspect.stdout)?.[1] ?? 'unknown';
  return { driver, export: inspect.code === 0 && driver !== 'docker' };
}

export function buildxCacheNote(ref: string, cache: { driver: string; export: boolean }): string {
  return cache.export
    ? `Cache: ${ref} (registry cache of every stage, one OCI image manifest; builder driver ${cache.driver})`
    : `Cache: ${ref} as an inline cache (the final stage's layers only): the builder's driver '${cache.driver}' cannot export a registry cache; a docker-container builder (docker/setup-buildx-action) keeps every stage`;
}

/**
 * An auth file for this build only: the runner's own logins (for base images from private
 * registries) plus ours for the push. Written under the scratch directory with mode 600.
 */
function writeAuthFile(run: BuilderRun, address: string, credentials: { username: string; password: string }): string {
  const home = run.env.HOME ?? '';
  const existing = [
    home && join(home, '.docker', 'config.json'),
    home && join(home, '.config', 'containers', 'auth.json'),
    run.env.XDG_RUNTIME_DIR && join(run.env.XDG_RUNTIME_DIR, 'containers', 'auth.json'),
    run.env.REGISTRY_AUTH_FILE,
  ].filter((path): path is string => Boolean(path));
  const auths: Record<string, unknown> = {};
  const credHelpers: Record<string, unknown> = {};
  for (const path of existing) {
    try {
      const doc = JSON.parse(readFileSync(path, 'utf8')) as { auths?: Record<string, unknown>; credHelpers?: Record<string, unknown> };
      Object.assign(auths, doc.auths ?? {});
      Object.assign(credHelpers, doc.credHelpers ?? {});
    } catch {
      /* absent or unreadable: nothing to carry over */
    }
  }
  auths[address] = { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') };
  delete credHelpers[address];
  const file = join(run.scratch, 'auth.json');
  writeFileSync(file, JSON.stringify({ auths, credHelpers }), { mode: 0o600 });
  return file;
}

export function scratchDir(env: Env): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(env.RUNNER_TEMP || env.TMPDIR || '/tmp', 'build-image-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function lastMeaningful(tail: readonly string[]): string {
  const line = [...tail].reverse().find((l) => /error|denied|unauthorized|failed|refused/i.test(l)) ?? tail.filter(Boolean).at(-1) ?? '';
  // buildah names the image twice before the reason (`pushing image "…" to "docker://…": `); the
  // message names the destination already, and the reason must not be cut off.
  return line
    .replace(/pushing image "[^"]*" to "[^"]*": /, '')
    .trim()
    .slice(0, 300);
}

/** The registry's answer that the tag exists and cannot be moved (ECR's immutable tags). */
const tagExists = /immutable|already exists/i;

/** What to do about a push the registry refused (a retry would be refused again); undefined for any other failure. */
export function pushRefusal(tail: readonly string[]): string | undefined {
  const text = tail.join('\n');
  if (tagExists.test(text)) {
    return 'the repository has immutable tags and this tag exists: use a new tag, or drop force (the existing image is reused)';
  }
  if (/name unknown|does not exist/i.test(text)) {
    return "the repository does not exist in the registry: create it, or set 'create-repository: true' (ECR)";
  }
  // Words, not bare status numbers: the log's upload URLs and digests are full of digits.
  if (/unauthorized|denied|forbidden|authentication required/i.test(text)) {
    return 'the registry refused the push: check that the credentials may push to this repository';
  }
  // The registry's own 4xx error codes for what was sent (not a lost upload: that one is retried).
  if (/manifest invalid|name invalid|digest invalid|size invalid|unsupported/i.test(text)) {
    return 'the registry refused what was pushed (its error is in the push log above); pushing the same image again would be refused the same way';
  }
  return undefined;
}

export function pushFailedNext(tail: readonly string[]): string {
  return pushRefusal(tail) ?? 'look at the push log above; a re-run retries the push and reuses layers already uploaded';
}

/**
 * Waits before each further push after a failed one (`buildah push`, or `docker buildx build`
 * that failed in its push). buildah retries a dropped connection itself (--retry, 3 by default)
 * but not a registry's 5xx or 429 answer, which ends the push at once; a push again uploads only
 * the blobs the registry does not have yet, and writes the same manifest (the same image), so the
 * tag ends the same as after one push.
 */
export const pushRetryDelaysMs: readonly number[] = [1_000, 2_000, 4_000, 8_000, 15_000];

/**
 * Runs `push` until it exits 0, the registry refuses it (pushRefusal), or the delays are used
 * up; each retry is logged as a warning with the failure's last meaningful line. The last
 * result is returned (the caller turns a failure into its error). A stop ends the wait at once.
 */
export async function pushWithRetries(
  push: () => Promise<ExecResult>,
  options: {
    what: string;
    log: Pick<Log, 'warning'>;
    signal: AbortSignal | undefined;
    delaysMs?: readonly number[];
    /** Whether a failed run failed in its push (buildx builds and pushes in one run: a build error is not retried). */
    inPush?: (result: ExecResult) => boolean;
    /** The tag was there before the first attempt (force): its refusal is never an earlier attempt having landed. */
    tagExisted?: boolean | undefined;
  },
): Promise<ExecResult & { landedBefore?: true }> {
  const delays = options.delaysMs ?? pushRetryDelaysMs;
  for (let attempt = 0; ; attempt++) {
    const result = await push();
    // A tag that did not exist before the first attempt and that an immutable registry now refuses
    // to move: an earlier attempt's manifest landed and only its answer was lost. The caller reads
    // the tag back, so where it points is still checked.
    if (attempt > 0 && !options.tagExisted && result.code !== 0 && tagExists.test(result.tail.join('\n'))) {
      options.log.warning(
        `${options.what}: the tag exists now (${lastMeaningful(result.tail)}): an earlier attempt's manifest landed though its answer was lost; the tag is read back`,
      );
      return { ...result, landedBefore: true };
    }
    const delay = delays[attempt];
    if (result.code === 0 || delay === undefined || pushRefusal(result.tail) !== undefined) return result;
    if (options.inPush && !options.inPush(result)) return result;
    options.log.warning(
      `${options.what} failed (exit ${result.code}): ${lastMeaningful(result.tail)}; retry ${attempt + 1} of ${delays.length} in ${formatDuration(delay)}`,
    );
    await sleep(delay, options.signal);
  }
}
