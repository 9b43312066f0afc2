import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GitHubContext } from '@expeditor/shared/context';
import type { ActionInputs } from '@expeditor/shared/inputs';
import { escapesWorkspace } from '@expeditor/shared/patterns';
import { type AttestationPlan, readAttestationInputs } from './attestations.ts';
import type { BuilderChoice, NetworkMode } from './builders.ts';
import { type CacheSetting, cacheExpected, cacheRefPattern, parseCacheSetting } from './cache.ts';
import { duplicateSecretIds, parseSecretLines, type SecretSource } from './secrets.ts';
import { repositoryExpected, repositoryPattern, tagExpected, tagPattern } from './reference.ts';

export interface BuildImageInputs {
  repository: string | undefined;
  config: string;
  context: string;
  dockerfile: string;
  target: string | undefined;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  tag: string;
  extraTags: string[];
  createRepository: boolean;
  force: boolean;
  reuseByInputs: boolean;
  builder: BuilderChoice;
  network: NetworkMode;
  cache: CacheSetting;
  secrets: SecretSource[];
  platforms: string[];
  attestations: AttestationPlan;
  credentials: { username: string; password: string } | undefined;
  timeoutMs: number;
}

/** Platforms registries and both builders know (os/arch[/variant]); ECS and EKS run the first two. */
export const knownPlatforms = [
  'linux/amd64',
  'linux/arm64',
  'linux/arm64/v8',
  'linux/arm/v7',
  'linux/arm/v6',
  'linux/386',
  'linux/ppc64le',
  'linux/s390x',
  'linux/riscv64',
  'windows/amd64',
];

export function readBuildImageInputs(inputs: ActionInputs, context: GitHubContext): BuildImageInputs {
  const repository = inputs.string('repository', { pattern: repositoryPattern, expected: repositoryExpected });
  const config = inputs.string('config', { default: '.github/expeditor.yml' });
  // Missing both the input and the file is the first thing a new user meets: say so first.
  if (!inputs.raw('repository') && !escapesWorkspace(config) && !existsSync(join(context.workspace, config))) {
    inputs.problem('repository', `is required: give it, or set image.repository in ${config}`);
  }
  const tag = inputs.string('tag', { pattern: tagPattern, expected: tagExpected }) ?? context.sha;
  if (!tag) inputs.problem('tag', 'is required when the commit SHA is unknown (GITHUB_SHA is not set)');
  const username = inputs.string('registry-username');
  const password = inputs.string('registry-password');
  if (Boolean(username) !== Boolean(password)) {
    inputs.problem(
      username ? 'registry-password' : 'registry-username',
      `is required with '${username ? 'registry-username' : 'registry-password'}'`,
    );
  }
  const cacheRaw = inputs.string('cache');
  if (cacheRaw && !['true', 'false'].includes(cacheRaw) && !cacheRefPattern.test(cacheRaw)) {
    inputs.problem('cache', `expected ${cacheExpected}, got ${JSON.stringify(cacheRaw)}`);
  }
  // Read raw: the shared parsers quote a bad line, and a line here may hold a secret.
  const problem = (input: string, message: string): void => inputs.problem(input, message);
  const secrets = [
    ...parseSecretLines('secrets', inputs.raw('secrets'), problem),
    ...parseSecretLines('secret-envs', inputs.raw('secret-envs'), problem),
    ...parseSecretLines('secret-files', inputs.raw('secret-files'), problem),
  ];
  for (const id of duplicateSecretIds(secrets)) {
    problem(secrets.find((s) => s.id === id)?.input ?? 'secrets', `secret "${id}" is given more than once`);
  }
  const platforms = inputs.list('platforms');
  for (const platform of platforms) {
    if (!knownPlatforms.includes(platform)) {
      problem('platforms', `unknown platform ${JSON.stringify(platform)} (known: ${knownPlatforms.join(', ')})`);
    }
  }
  const result: BuildImageInputs = {
    repository,
    config,
    context: inputs.string('context', { default: '.' }),
    dockerfile: inputs.string('dockerfile', { default: 'Dockerfile' }),
    target: inputs.string('target', { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, expected: 'a stage name' }),
    buildArgs: inputs.keyValues('build-args'),
    labels: inputs.keyValues('labels'),
    tag: tag ?? '',
    extraTags: inputs.list('extra-tags', { pattern: tagPattern, expected: tagExpected }),
    createRepository: inputs.boolean('create-repository', false),
    force: inputs.boolean('force', false),
    reuseByInputs: inputs.boolean('reuse-by-inputs', true),
    builder: inputs.choice('builder', ['auto', 'buildx', 'buildah'] as const, 'auto'),
    network: inputs.choice('network', ['default', 'host', 'none'] as const, 'default'),
    cache: parseCacheSetting(cacheRaw),
    secrets,
    platforms: [...new Set(platforms)],
    attestations: readAttestationInputs(inputs),
    credentials: username && password ? { username, password } : undefined,
    timeoutMs: inputs.duration('timeout', '30m'),
  };
  for (const name of ['config', 'context', 'dockerfile'] as const) {
    if (escapesWorkspace(result[name])) inputs.problem(name, `must stay inside the workspace, got ${JSON.stringify(result[name])}`);
  }
  inputs.done('build-image');
  return result;
}
