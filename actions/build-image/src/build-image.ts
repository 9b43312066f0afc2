// build-image's core: one image per commit. Asks the registry whether repository:tag exists and
// reuses it when it does; otherwise builds (buildx or buildah), pushes, and reads the digest back
// from the registry. The action, the tests and the benches all call buildImage().
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatDuration } from '@expeditor/shared/deadline';
import { ExpeditorError, InputError, describeError, formatFailure } from '@expeditor/shared/errors';
import { quote, type Env } from '@expeditor/shared/inputs';
import type { Log } from '@expeditor/shared/log';
import { classifyError } from '@expeditor/shared/retry';
import { Settings } from '@expeditor/shared/settings';
import { Summary } from '@expeditor/shared/summary';
import { BuildFailedError, chooseBuilder, scratchDir, type BuildOutcome, type BuilderChoice } from './builders.ts';
import { checkBuildContext } from './dockerfile.ts';
import type { EcrApi, EcrFactory } from './ecr.ts';
import {
  ecrRegistryOf,
  parseRepository,
  repositoryExpected,
  repositoryPattern,
  type Repository,
} from './reference.ts';
import { RegistryClient, type RegistryCredentials } from './registry-client.ts';

export interface BuildImageOptions {
  /** The repository input; when absent, image.repository from the environment file. */
  repository: string | undefined;
  /** The environment file (absolute path) and how to name it in messages. */
  config: { path: string; shownAs: string };
  /** Absolute path that context is relative to. */
  workspace: string;
  /** Build context, relative to the workspace. */
  context: string;
  /** Dockerfile, relative to the context. */
  dockerfile: string;
  target: string | undefined;
  buildArgs: Readonly<Record<string, string>>;
  /** Extra labels; the OCI revision, source and created labels are added. */
  labels: Readonly<Record<string, string>>;
  /** The tag checked and pushed (the commit SHA unless the tag input says otherwise). */
  tag: string;
  extraTags: readonly string[];
  createRepository: boolean;
  force: boolean;
  builder: BuilderChoice;
  /** registry-username / registry-password; for ECR, absent means GetAuthorizationToken. */
  credentials: { username: string; password: string } | undefined;
  /** The commit, for the revision label. */
  revision: string;
  /** URL of the source repository, for the source label. */
  source: string | undefined;
  /** Environment of the builder processes (PATH, DOCKER_HOST, container storage settings, …). */
  env: Env;
  log: Log;
  signal?: AbortSignal | undefined;
  /** Makes the ECR API for a region; needed only for ECR repositories. */
  ecr?: EcrFactory | undefined;
  /**
   * Where to reach a registry host (`host` → `host:port`) when it is served somewhere else than
   * its name says: an emulator standing in for ECR. Image references keep the original host.
   */
  registryAddresses?: Readonly<Record<string, string>> | undefined;
  /** Step summary file, written on success and on failure. */
  summaryPath?: string | undefined;
  now?: () => Date;
}

export interface BuildImageResult {
  /** `repository@sha256:…` */
  image: string;
  digest: string;
  tag: string;
  /** Every tag that now points at the digest. */
  tags: string[];
  skipped: boolean;
  repository: string;
  sizeBytes: number | undefined;
  builder: string | undefined;
  buildMs: number | undefined;
  pushMs: number | undefined;
  /** Requests this run sent to the registry's API, by method. */
  registryRequests: Record<string, number>;
}

const ociLabels = {
  revision: 'org.opencontainers.image.revision',
  source: 'org.opencontainers.image.source',
  created: 'org.opencontainers.image.created',
} as const;

export async function buildImage(input: BuildImageOptions): Promise<BuildImageResult> {
  // One ECR client for the login and the repository check.
  const factory = input.ecr;
  const clients = new Map<string, Promise<EcrApi>>();
  const ecr: EcrFactory | undefined = factory
    ? (region) => {
        let client = clients.get(region);
        if (!client) clients.set(region, (client = factory(region)));
        return client;
      }
    : undefined;
  const options: BuildImageOptions = { ...input, ecr };
  const { log } = options;
  const summary = new Summary().heading('build-image');
  const settings = new Settings();
  let buildLogTail: readonly string[] | undefined;
  try {
    // Everything checkable without a network call comes first: bad input changes nothing.
    const repository = await resolveRepository(options, settings);
    const labels = imageLabels(options);
    const contextDir = resolve(options.workspace, options.context);
    const dockerfilePath = resolve(contextDir, options.dockerfile);
    const stages = await checkBuildContext({
      contextDir,
      dockerfilePath,
      workspace: options.workspace,
      target: options.target,
      buildArgs: options.buildArgs,
    });
    const address = options.registryAddresses?.[repository.host] ?? repository.host;
    log.info(`Image ${repository.full}:${options.tag} (repository from ${settings.provenance[0]?.from ?? 'input'})`);

    const credentials = await registryCredentials(options, repository);
    const client = new RegistryClient({
      host: repository.host,
      address,
      credentials,
      log,
      signal: options.signal,
    });

    const existing = await unchangedOnError(client.headManifest(repository.name, options.tag), 'nothing was built or pushed');
    if (existing && !options.force) {
      log.info(`${repository.full}:${options.tag} already exists (${existing.digest}): nothing to build`);
      const tags = await ensureExtraTags(client, repository, existing.digest, options);
      const sizeBytes = await client.imageSize(repository.name, existing.digest).catch(() => undefined);
      const result: BuildImageResult = {
        image: `${repository.full}@${existing.digest}`,
        digest: existing.digest,
        tag: options.tag,
        tags,
        skipped: true,
        repository: repository.full,
        sizeBytes,
        builder: undefined,
        buildMs: undefined,
        pushMs: undefined,
        registryRequests: client.requests,
      };
      writeSummary(summary, result, settings, `${repository.full}:${options.tag} already existed: nothing was built or pushed`);
      summary.write(options.summaryPath);
      return result;
    }
    if (existing) log.info(`${repository.full}:${options.tag} exists (${existing.digest}); building again because force is true`);
    else log.info(`${repository.full}:${options.tag} does not exist yet: building`);

    if (options.createRepository) await ensureRepository(options, repository);

    const builder = await chooseBuilder(options.builder, options.env, options.signal);
    log.info(`Builder: ${builder.name} ${builder.version}; ${builder.reason}`);
    log.info(`Building stage ${stages.built} of ${options.dockerfile}`);
    const scratch = scratchDir(options.env);
    let outcome: BuildOutcome;
    try {
      outcome = await builder.buildAndPush(
        {
          contextDir,
          dockerfilePath,
          target: options.target,
          buildArgs: options.buildArgs,
          labels,
          localName: `${repository.full}:${options.tag}`,
          destination: `${address}/${repository.name}:${options.tag}`,
          address,
          credentials,
        },
        { env: options.env, log, signal: options.signal, scratch: scratch.dir },
      );
    } catch (error) {
      if (error instanceof BuildFailedError) buildLogTail = error.tail;
      throw error;
    } finally {
      scratch.remove();
    }

    // The registry's answer is the digest; the builder's own report is only a cross-check.
    const pushed = await unchangedOnError(client.headManifest(repository.name, options.tag), pushedButUnread);
    if (!pushed) {
      throw new ExpeditorError(`${builder.name} reported a successful push, but ${repository.full}:${options.tag} is not in the registry`, {
        unchanged: pushedButUnread,
        next: 'run again; if it repeats, the registry drops pushes (look at its logs)',
      });
    }
    if (outcome.builderDigest && outcome.builderDigest !== pushed.digest) {
      throw new ExpeditorError(
        `${repository.full}:${options.tag} points at ${pushed.digest} in the registry, not at ${outcome.builderDigest} that ${builder.name} pushed: another push to the same tag won`,
        { unchanged: pushedButUnread, next: 'make sure one job at a time pushes a tag (tag immutability prevents this)' },
      );
    }
    log.info(`Pushed ${repository.full}@${pushed.digest}`);
    const tags = await ensureExtraTags(client, repository, pushed.digest, options);
    const sizeBytes = await client.imageSize(repository.name, pushed.digest).catch(() => undefined);
    const result: BuildImageResult = {
      image: `${repository.full}@${pushed.digest}`,
      digest: pushed.digest,
      tag: options.tag,
      tags,
      skipped: false,
      repository: repository.full,
      sizeBytes,
      builder: `${builder.name} ${builder.version}`,
      buildMs: outcome.buildMs,
      pushMs: outcome.pushMs,
      registryRequests: client.requests,
    };
    writeSummary(summary, result, settings, undefined);
    summary.write(options.summaryPath);
    return result;
  } catch (error) {
    if (buildLogTail?.length) {
      await log.group(`Build log (last ${buildLogTail.length} lines)`, async () => {
        for (const line of buildLogTail ?? []) log.info(line);
      });
    }
    summary.paragraph(`Failed: ${formatFailure(error)}`);
    if (buildLogTail?.length) summary.details(`Build log (last ${buildLogTail.length} lines)`, buildLogTail.join('\n'));
    summary.write(options.summaryPath);
    throw error;
  }
}

const pushedButUnread = 'the image may have been pushed, but its digest could not be read back, so no image output was produced';

async function resolveRepository(options: BuildImageOptions, settings: Settings): Promise<Repository> {
  let fromFile: string | undefined;
  if (!options.repository) {
    if (!existsSync(options.config.path)) {
      throw new InputError('repository', `is required: give it, or set image.repository in ${options.config.shownAs}`);
    }
    // The file's parser and schema (yaml, zod) load only when the file is used.
    const { loadConfig } = await import('@expeditor/shared/config');
    fromFile = loadConfig(options.config.path, options.config.shownAs).image.repository;
  }
  const value = settings.pick('repository', { name: 'repository', value: options.repository }, fromFile === undefined ? undefined : { key: `${options.config.shownAs}: image.repository`, value: fromFile }) ?? '';
  if (!repositoryPattern.test(value)) {
    if (options.repository) throw new InputError('repository', `expected ${repositoryExpected}, got ${quote(value)}`);
    throw new ExpeditorError(`${options.config.shownAs}: image.repository: expected ${repositoryExpected}, got ${quote(value)}`, {
      key: 'image.repository',
      unchanged: 'nothing was changed',
      next: `fix image.repository in ${options.config.shownAs}, or give the 'repository' input`,
    });
  }
  return parseRepository(value);
}

function imageLabels(options: BuildImageOptions): Record<string, string> {
  for (const name of Object.values(ociLabels)) {
    if (name in options.labels) throw new InputError('labels', `${name} is set by build-image itself; leave it out`);
  }
  const created = (options.now?.() ?? new Date()).toISOString();
  return {
    ...options.labels,
    [ociLabels.revision]: options.revision,
    ...(options.source ? { [ociLabels.source]: options.source } : {}),
    [ociLabels.created]: created,
  };
}

async function registryCredentials(options: BuildImageOptions, repository: Repository): Promise<RegistryCredentials | undefined> {
  const { log } = options;
  if (options.credentials) {
    log.mask(options.credentials.password);
    return { ...options.credentials, source: "input 'registry-username'" };
  }
  const ecr = ecrRegistryOf(repository.host);
  if (!ecr) return undefined;
  if (!options.ecr) throw new ExpeditorError('build-image was started without an ECR client for an ECR repository');
  const what = `ECR GetAuthorizationToken (account ${ecr.account}, ${ecr.region})`;
  try {
    const api = await options.ecr(ecr.region);
    const login = await api.login(ecr.account);
    // Masked before anything can print them.
    log.mask(login.token);
    log.mask(login.password);
    log.info(`Logged in to ${repository.host} through ${what}${login.expiresAt ? `, valid until ${login.expiresAt.toISOString()}` : ''}`);
    return { username: login.username, password: login.password, source: what };
  } catch (error) {
    throw new ExpeditorError(`${what} failed: ${describeError(error)}`, {
      unchanged: 'nothing was built or pushed',
      next: ecrNext(error, 'ecr:GetAuthorizationToken'),
      cause: error,
    });
  }
}

async function ensureRepository(options: BuildImageOptions, repository: Repository): Promise<void> {
  const ecr = ecrRegistryOf(repository.host);
  if (!ecr || !options.ecr) {
    options.log.info(`create-repository applies to ECR only; ${repository.host} creates repositories on the first push`);
    return;
  }
  try {
    const api = await options.ecr(ecr.region);
    const state = await api.ensureRepository(ecr.account, repository.name);
    options.log.info(
      state === 'created'
        ? `Created ECR repository ${repository.name} (tag immutability and scan on push on)`
        : `ECR repository ${repository.name} exists`,
    );
  } catch (error) {
    throw new ExpeditorError(`creating ECR repository ${repository.name} in account ${ecr.account} failed: ${describeError(error)}`, {
      unchanged: 'nothing was built or pushed',
      next: ecrNext(error, 'ecr:DescribeRepositories and ecr:CreateRepository'),
      cause: error,
    });
  }
}

function ecrNext(error: unknown, permissions: string): string {
  const name = (error as { name?: string })?.name ?? '';
  if (name === 'CredentialsProviderError' || /credential/i.test(String((error as Error)?.message ?? ''))) {
    return 'no AWS credentials were found: run assume-env (or configure AWS credentials) before build-image';
  }
  if (classifyError(error) === 'access') return `the role needs ${permissions} on this registry`;
  return 'check the AWS region and account of the repository, and try again';
}

/** Points each extra tag at `digest` through the registry API (no layer moves); returns all tags. */
async function ensureExtraTags(
  client: RegistryClient,
  repository: Repository,
  digest: string,
  options: BuildImageOptions,
): Promise<string[]> {
  for (const tag of options.extraTags) {
    if (tag === options.tag) continue;
    const current = await unchangedOnError(client.headManifest(repository.name, tag), pushedButTagsMissing);
    if (current?.digest === digest) continue;
    await unchangedOnError(client.tagManifest(repository.name, digest, tag), pushedButTagsMissing);
    options.log.info(`Tagged ${repository.full}:${tag} → ${digest}${current ? ` (was ${current.digest})` : ''}`);
  }
  return [options.tag, ...options.extraTags.filter((tag) => tag !== options.tag)];
}

const pushedButTagsMissing =
  'the image is in the registry under its main tag, but not every extra tag points at it; no image output was produced (a re-run adds the missing tags without building)';

/** Adds what was left unchanged to an error from a step that did not say. */
async function unchangedOnError<T>(promise: Promise<T>, unchanged: string): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ExpeditorError && !error.unchanged) {
      throw new ExpeditorError(error.message, { unchanged, next: error.next, input: error.input, key: error.key, cause: error.cause });
    }
    throw error;
  }
}

function writeSummary(summary: Summary, result: BuildImageResult, settings: Settings, reused: string | undefined): void {
  const build = reused
    ? 'reused'
    : `${formatDuration(result.buildMs ?? 0)} (${result.builder})${result.pushMs !== undefined ? `, push ${formatDuration(result.pushMs)}` : ''}`;
  summary.facts([
    ['Image', `\`${result.image}\``],
    ['Digest', `\`${result.digest}\``],
    ['Tags', result.tags.join(', ')],
    ['Size', result.sizeBytes === undefined ? undefined : formatSize(result.sizeBytes)],
    ['Build', build],
    ['Repository from', settings.provenance.find((p) => p.name === 'repository')?.from],
  ]);
  if (reused) summary.paragraph(`Reused: ${reused}.`);
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Where the environment file is, for the input layer's check and the core. */
export function configLocation(workspace: string, config: string): { path: string; shownAs: string } {
  return { path: join(workspace, config), shownAs: config };
}
