// Names of images as the distribution spec allows them: a registry host (with an optional port),
// a repository path and tags. Checked before anything else, so a bad name never reaches a registry.

/** One path component of a repository name (distribution spec). */
export const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
export const hostPattern = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\\d{1,5})?';

/** `host[:port]/path`, with no tag or digest: the registry must be named. */
export const repositoryPattern = new RegExp(`^${hostPattern}/${component}(?:/${component})*$`);
export const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const repositoryExpected =
  'a repository with its registry host and no tag, such as 123456789012.dkr.ecr.us-west-2.amazonaws.com/app or 127.0.0.1:5000/team/app';
export const tagExpected = 'a tag of letters, digits, _ . - (at most 128, not starting with . or -)';

export interface Repository {
  /** `host[:port]` as written in the reference. */
  host: string;
  /** The path inside the registry, e.g. `team/app`. */
  name: string;
  /** `host/name` */
  full: string;
}

export function parseRepository(full: string): Repository {
  const slash = full.indexOf('/');
  return { host: full.slice(0, slash), name: full.slice(slash + 1), full };
}

export interface EcrRegistry {
  account: string;
  region: string;
}

const ecrHost = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The account and region of an ECR registry host, or undefined for any other registry. */
export function ecrRegistryOf(registryHost: string): EcrRegistry | undefined {
  const match = ecrHost.exec(registryHost);
  return match ? { account: match[1] ?? '', region: match[2] ?? '' } : undefined;
}

/**
 * Registries on the loopback interface speak plain HTTP, as Docker assumes for 127.0.0.0/8 and
 * localhost (a registry service container on a runner, or the test bed); every other one HTTPS.
 */
export function isLoopback(address: string): boolean {
  const hostname = address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return hostname === 'localhost' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
