// ECR's part of a build: the registry login (GetAuthorizationToken, when no registry credentials
// were given) and, on request, the repository. Both go through the EcrApi port (ecr.ts); failures
// say which permission or credentials are missing.
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import { classifyError } from '@expeditor/shared/retry';
import type { EcrApi, EcrFactory } from './ecr.ts';
import { ecrRegistryOf, type Repository } from './reference.ts';
import type { RegistryCredentials } from './registry.ts';
import { nothingBuilt } from './unchanged.ts';

/** One ECR client per region, for the login and the repository check alike. */
export function onePerRegion(factory: EcrFactory): EcrFactory {
  const clients = new Map<string, Promise<EcrApi>>();
  return (region) => {
    const client = clients.get(region) ?? factory(region);
    clients.set(region, client);
    return client;
  };
}

/**
 * The credentials for the registry: the inputs' when given, else an ECR login for an ECR host,
 * else none (anonymous). Secrets are masked before anything can print them.
 */
export async function registryCredentials(
  given: { username: string; password: string } | undefined,
  repository: Repository,
  ecr: EcrFactory | undefined,
  log: Pick<Log, 'info' | 'mask'>,
): Promise<RegistryCredentials | undefined> {
  if (given) {
    log.mask(given.password);
    return { ...given, source: "input 'registry-username'" };
  }
  const registry = ecrRegistryOf(repository.host);
  if (!registry) return undefined;
  if (!ecr) throw new ExpeditorError('build-image was started without an ECR client for an ECR repository');
  const what = `ECR GetAuthorizationToken (account ${registry.account}, ${registry.region})`;
  try {
    const api = await ecr(registry.region);
    const login = await api.login(registry.account);
    // Masked before anything can print them.
    log.mask(login.token);
    log.mask(login.password);
    log.info(`Logged in to ${repository.host} through ${what}${login.expiresAt ? `, valid until ${login.expiresAt.toISOString()}` : ''}`);
    return { username: login.username, password: login.password, source: what };
  } catch (error) {
    throw new ExpeditorError(`${what} failed: ${describeError(error)}`, {
      unchanged: nothingBuilt,
      next: ecrNext(error, 'ecr:GetAuthorizationToken'),
      cause: error,
    });
  }
}

/** create-repository: the ECR repository, made with tag immutability and scan on push if missing. */
export async function ensureRepository(repository: Repository, ecr: EcrFactory | undefined, log: Pick<Log, 'info'>): Promise<void> {
  const registry = ecrRegistryOf(repository.host);
  if (!registry || !ecr) {
    log.info(`create-repository applies to ECR only; ${repository.host} creates repositories on the first push`);
    return;
  }
  try {
    const api = await ecr(registry.region);
    const state = await api.ensureRepository(registry.account, repository.name);
    log.info(
      state === 'created'
        ? `Created ECR repository ${repository.name} (tag immutability and scan on push on)`
        : `ECR repository ${repository.name} exists`,
    );
  } catch (error) {
    throw new ExpeditorError(`creating ECR repository ${repository.name} in account ${registry.account} failed: ${describeError(error)}`, {
      unchanged: nothingBuilt,
      next: ecrNext(error, 'ecr:DescribeRepositories and ecr:CreateRepository'),
      cause: error,
    });
  }
}

/** What to do about a failed ECR call: credentials, permissions, or region and account. */
export function ecrNext(error: unknown, permissions: string): string {
  const name = (error as { name?: string })?.name ?? '';
  if (name === 'CredentialsProviderError' || /credential/i.test(String((error as Error)?.message ?? ''))) {
    return 'no AWS credentials were found: run assume-env (or configure AWS credentials) before build-image';
  }
  if (classifyError(error) === 'access') return `the role needs ${permissions} on this registry`;
  return 'check the AWS region and account of the repository, and try again';
}
