// build-image's orchestration: one image per commit. Asks the registry whether repository:tag
// exists and reuses it when it does; otherwise builds (buildx or buildah), pushes, and reads the
// digest back from the registry. Registry and ECR access come in through their ports (registry.ts,
// ecr.ts); the step summary is written by the edge (action.ts) from the result or the error.
import { resolve } from 'node:path';
import { ExpeditorError } from '@expeditor/shared/errors';
import { cancelledLeaving } from '@expeditor/shared/cancel-write';
import { abortReason, DeadlineError, withDeadline } from '@expeditor/shared/deadline';
import type { Env } from '@expeditor/shared/inputs';
import type { Log } from '@expeditor/shared/log';
import { type AttestationPlan, attestationFacts, checkBuildahAttestations, describeAttestations } from './attestations.ts';
import { BuildFailedError, chooseBuilder, scratchDir, type BuildOutcome, type BuilderChoice, type NetworkMode } from './builders.ts';
import { type CacheSetting, planCache } from './cache.ts';
import { checkBuildContext } from './dockerfile.ts';
import { checkSecretsMounted, resolveSecrets, type SecretSource, secretFlags } from './secrets.ts';
import type { EcrFactory } from './ecr.ts';
import { ensureRepository, onePerRegion, registryCredentials } from './ecr-auth.ts';
import { describeIdentity, type InputsIdentity, inputsIdentity } from './inputs-identity.ts';
import { imageLabels } from './labels.ts';
import type { RegistryFactory } from './registry.ts';
import { resolveRepository } from './resolve-repository.ts';
import { reuseByInputs, tagInputs } from './reuse-by-inputs.ts';
import { describeSourceDate, sourceDate } from './source-date.ts';
import { pointExtraTags } from './tags.ts';
import { nothingBuilt, pushedButTagsMissing, pushedButUnread, unchangedOnError } from './unchanged.ts';

export interface BuildOrReuseOptions {
  /** The repository input; when absent, image.repository from the environment file. */
  repository: string | undefined;
  /** The environment file (absolute path) and how to name it in messages. */
  config: { workspace: string; shownAs: string };
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
  /**
   * Reuse an image built from the same inputs (context tree, Dockerfile, build args, target,
   * platforms, labels, secret ids) under another commit: inputs-identity.ts. Off unless true here;
   * the action's input reuse-by-inputs defaults to true.
   */
  reuseByInputs?: boolean | undefined;
  builder: BuilderChoice;
  /** The network of RUN steps (input network); default: the builder's own. */
  network?: NetworkMode | undefined;
  /** The registry layer cache (input cache): none, the image's repository, or a named reference. */
  cache?: CacheSetting;
  /** Build secrets (inputs secrets, secret-envs, secret-files), for RUN --mount=type=secret only. */
  secrets?: readonly SecretSource[];
  /** Target platforms; several push one image index, whose digest is the output. */
  platforms?: readonly string[];
  /** Provenance and SBOM attestations (inputs provenance, sbom): buildx only, off by default. */
  attestations?: AttestationPlan | undefined;
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
  /** Makes the registry access for the repository's host. */
  registry: RegistryFactory;
  /**
   * Where to reach a registry host (`host` → `host:port`) when it is served somewhere else than
   * its name says: an emulator standing in for ECR. Image references keep the original host.
   */
  registryAddresses?: Readonly<Record<string, string>> | undefined;
  /** The wall clock, the image's time only where neither SOURCE_DATE_EPOCH nor HEAD's commit time is known. */
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
  /** The tag naming the image by its build inputs (`inputs-…`); undefined when reuse by inputs is off. */
  inputsTag?: string | undefined;
  /** True when the image was found by its inputs tag and only tagged with `tag` (skipped is true too). */
  reusedByInputs?: boolean;
  /** The commit the reused image was built for (its OCI revision label), when the registry told. */
  reusedFrom?: string | undefined;
  repository: string;
  /** Where the repository came from: `input 'repository'` or the environment file's key. */
  repositoryFrom: string;
  sizeBytes: number | undefined;
  builder: string | undefined;
  buildMs: number | undefined;
  pushMs: number | undefined;
  /** The image's time and where it came from (built images only). */
  created?: string | undefined;
  /** The attestations attached, or why none were (built images only). */
  attestations?: string | undefined;
  /** Requests this run sent to the registry's API, by method. */
  registryRequests: Record<string, number>;
}

export async function buildOrReuse(options: BuildOrReuseOptions): Promise<BuildImageResult> {
  // Up to the build, a cancel or the deadline leaves nothing: reads, checks and the builder probe.
  return buildOrReuseSteps(options).catch(cancelledLeaving(nothingBuilt));
}

async function buildOrReuseSteps(options: BuildOrReuseOptions): Promise<BuildImageResult> {
  const { log, signal } = options;
  const ecr = options.ecr && onePerRegion(options.ecr);
  // Everything checkable without a network call comes first: bad input changes nothing.
  const { repository, from } = await resolveRepository(options.repository, options.config);
  // The commit's time, not the build's: the same commit gives the same image (source-date.ts).
  const date = await sourceDate(options.env, options.workspace, options.now ?? (() => new Date()), signal);
  const labels = imageLabels(options.labels, {
    revision: options.revision,
    source: options.source,
    created: new Date(date.epoch * 1000),
  });
  // Secrets are masked before anything else can print them.
  const secrets = resolveSecrets(options.secrets ?? [], options.env, options.workspace);
  for (const secret of secrets) log.mask(secret.value);
  const contextDir = resolve(options.workspace, options.context);
  const dockerfilePath = resolve(contextDir, options.dockerfile);
  const stages = await checkBuildContext({
    contextDir,
    dockerfilePath,
    workspace: options.workspace,
    target: options.target,
    buildArgs: options.buildArgs,
  });
  checkSecretsMounted(secrets, stages.secretMounts, options.dockerfile);
  const identity: InputsIdentity = options.reuseByInputs
    ? await inputsIdentity({
        contextDir,
        dockerfilePath,
        target: options.target,
        buildArgs: options.buildArgs,
        labels: options.labels,
        platforms: options.platforms ?? [],
        secretIds: secrets.map((secret) => secret.id),
        attestations: attestationFacts(options.attestations),
        env: options.env,
        signal,
      })
    : { on: false, reason: "input 'reuse-by-inputs' is false" };
  const inputsTag = identity.on ? identity.tag : undefined;
  const address = options.registryAddresses?.[repository.host] ?? repository.host;
  const cache = planCache(options.cache, repository, address);
  log.info(`Image ${repository.full}:${options.tag} (repository from ${from})`);

  /**
   * After a stop during a registry write (the builder's push, a tag): reads the tag back, on a
   * signal of its own (the clean-up time), and says where it points. The tag only moves when the
   * manifest PUT was sent; blobs uploaded before it stay in the registry, unreferenced.
   */
  const stoppedWithTag = async (error: unknown, during: string, before: string | undefined): Promise<never> => {
    const stop = signal ? abortReason(signal) : error;
    const message = `${stop instanceof Error ? stop.message : String(stop)}, during ${during}`;
    const next = stop instanceof DeadlineError ? stop.next : undefined;
    const readBack = options.registry({
      host: repository.host,
      address,
      credentials,
      log,
      signal: withDeadline(undefined, stop instanceof DeadlineError ? 120_000 : 8_000),
    });
    const now = await readBack.headManifest(repository.name, options.tag).then(
      (found) => ({ found }),
      (readError: unknown) => ({ readError }),
    );
    const tagged = `${repository.full}:${options.tag}`;
    const unchanged =
      'readError' in now
        ? `${tagged} may or may not have been pushed: it could not be read back (${now.readError instanceof Error ? now.readError.message : String(now.readError)}); no image output was produced`
        : now.found && now.found.digest !== before
          ? `the push had landed: ${tagged} points at ${now.found.digest}, but no image output was produced and no extra tags were set`
          : `${tagged} was not pushed (${before ? `it still points at ${before}` : 'it does not exist'}); layers already uploaded, if any, stay in the registry unreferenced`;
    throw new ExpeditorError(message, { cause: error, unchanged, ...(next ? { next } : {}) });
  };
  log.info(describeIdentity(identity, options.context));

  const credentials = await registryCredentials(options.credentials, repository, ecr, log);
  const registry = options.registry({ host: repository.host, address, credentials, log, signal });
  const finished = async (
    digest: string,
  ): Promise<
    Pick<
      BuildImageResult,
      'image' | 'digest' | 'tag' | 'tags' | 'repository' | 'repositoryFrom' | 'inputsTag' | 'sizeBytes' | 'registryRequests'
    >
  > => {
    const tags = await pointExtraTags(registry, repository, digest, options, log).catch(cancelledLeaving(pushedButTagsMissing));
    const sizeBytes = await registry.imageSize(repository.name, digest).catch(() => undefined);
    return {
      image: `${repository.full}@${digest}`,
      digest,
      tag: options.tag,
      tags,
      repository: repository.full,
      repositoryFrom: from,
      inputsTag,
      sizeBytes,
      registryRequests: registry.requests,
    };
  };

  const existing = await unchangedOnError(registry.headManifest(repository.name, options.tag), nothingBuilt);
  if (existing && !options.force) {
    log.info(`${repository.full}:${options.tag} already exists (${existing.digest}): nothing to build`);
    return { ...(await finished(existing.digest)), skipped: true, builder: undefined, buildMs: undefined, pushMs: undefined };
  }
  if (existing) log.info(`${repository.full}:${options.tag} exists (${existing.digest}); building again because force is true`);
  else log.info(`${repository.full}:${options.tag} does not exist yet`);
  if (!existing && !options.force && inputsTag) {
    const same = await reuseByInputs(registry, repository, inputsTag, options.tag, log).catch((error: unknown) =>
      signal?.aborted ? stoppedWithTag(error, 'tagging the image of the same inputs', undefined) : Promise.reject(error),
    );
    if (same) {
      const result = await finished(same.digest);
      return {
        ...result,
        skipped: true,
        reusedByInputs: true,
        reusedFrom: same.builtFor,
        builder: undefined,
        buildMs: undefined,
        pushMs: undefined,
      };
    }
  }

  if (options.createRepository) await ensureRepository(repository, ecr, log);

  const builder = await chooseBuilder(options.builder, options.env, signal);
  log.info(`Builder: ${builder.name} ${builder.version}; ${builder.reason}`);
  if (builder.name === 'buildah') checkBuildahAttestations(options.attestations);
  const created = describeSourceDate(date);
  log.info(`Image time: ${created}`);
  log.info(
    `Building stage ${stages.built} of ${options.dockerfile}${options.platforms?.length ? ` for ${options.platforms.join(', ')}${options.platforms.length > 1 ? ' (one image index)' : ''}` : ''}`,
  );
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
        network: options.network ?? 'default',
        cache,
        secretFlags: secretFlags(secrets, scratch.dir),
        platforms: options.platforms ?? [],
        sourceDateEpoch: date.epoch,
        attestations: options.attestations,
        localName: `${repository.full}:${options.tag}`,
        destination: `${address}/${repository.name}:${options.tag}`,
        address,
        credentials,
        tagExisted: existing !== undefined,
      },
      { env: options.env, log, signal, scratch: scratch.dir },
    );
  } catch (error) {
    // The builder process (and what it started) has ended: exec waits for it. Did its push land?
    if (signal?.aborted) return stoppedWithTag(error, `the ${builder.name} build and push`, existing?.digest);
    if (error instanceof BuildFailedError && error.tail.length) {
      await log.group(`Build log (last ${error.tail.length} lines)`, async () => {
        for (const line of error.tail) log.info(line);
      });
    }
    throw error;
  } finally {
    scratch.remove();
  }

  // The registry's answer is the digest; the builder's own report is only a cross-check.
  const pushed = await unchangedOnError(registry.headManifest(repository.name, options.tag), pushedButUnread);
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
  if (inputsTag)
    await tagInputs(registry, repository, inputsTag, pushed.digest, log).catch(
      cancelledLeaving(
        `the image is in the registry under ${options.tag} (${pushed.digest}); its inputs tag may not point at it, and no image output was produced`,
      ),
    );
  return {
    ...(await finished(pushed.digest)),
    skipped: false,
    builder: `${builder.name} ${builder.version}`,
    buildMs: outcome.buildMs,
    pushMs: outcome.pushMs,
    created,
    attestations: describeAttestations(options.attestations, builder.name),
  };
}
