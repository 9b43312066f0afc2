// A tag → the digest it names now, asked of the registry (HEAD /v2/<name>/manifests/<tag>), so a
// deploy pins the bytes every pod runs and a moved tag is seen as a new image. ECR hosts log in
// through GetAuthorizationToken (Basic, as docker login does); any other registry is asked
// anonymously, answering a Bearer challenge with an anonymous token (Docker Hub, GHCR).
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import { classifyError } from '@expeditor/shared/retry';
import type { EcrFactory } from './ecr.ts';
import { type ImageRef, parseImageRef } from './image-ref.ts';
import { ecrRegistryOf } from './reference.ts';
import type { RegistryCredentials, RegistryFactory } from './registry.ts';

export interface DigestResolution {
  /** The reference as given (`repo:tag`). */
  image: string;
  /** `repo@sha256:…`, the repository spelled as given (so containers still match by repository). */
  resolved: string;
  digest: string;
  /** The tag asked for (`latest` when none was written); undefined when the image was already by digest. */
  tag: string | undefined;
}

export interface DigestResolverOptions {
  registry: RegistryFactory;
  /** ECR's API for the login; without it an ECR host is asked anonymously (and refuses). */
  ecr?: EcrFactory | undefined;
  log: Pick<Log, 'debug' | 'info' | 'mask'>;
  signal?: AbortSignal | undefined;
  /** Registry host → `host:port` to send its requests to (a mirror; the test bed's ECR stand-in). */
  addresses?: Readonly<Record<string, string>> | undefined;
  /** What to do when anonymous access is refused, in the caller's words. */
  anonymousNext?: string | undefined;
}

/** Resolves images by tag, one registry client (and one ECR login) per host; digests are kept as they are. */
export function digestResolver(options: DigestResolverOptions): (image: string) => Promise<DigestResolution> {
  const clients = new Map<string, Promise<ReturnType<RegistryFactory>>>();
  const clientFor = (ref: ImageRef): Promise<ReturnType<RegistryFactory>> => {
    let client = clients.get(ref.host);
    if (!client) {
      client = ecrCredentials(ref.host, options).then((credentials) =>
        options.registry({
          host: ref.host,
          address: options.addresses?.[ref.host] ?? ref.address,
          credentials,
          log: options.log,
          signal: options.signal,
          anonymousNext: options.anonymousNext,
        }),
      );
      clients.set(ref.host, client);
    }
    return client;
  };
  return async (image) => {
    const ref = parseImageRef(image);
    // Already pinned: no request (the registry may not even be reachable from here).
    if (ref.digest) return { image, resolved: image, digest: ref.digest, tag: undefined };
    const tag = ref.tag ?? 'latest';
    const client = await clientFor(ref);
    const manifest = await client.headManifest(ref.name, tag);
    if (!manifest) {
      throw new ExpeditorError(`registry ${ref.host} has no tag ${tag} in repository ${ref.name}`, {
        next: `push ${ref.repository}:${tag} first, or give the image by a tag or digest that exists`,
      });
    }
    return { image, resolved: `${ref.repository}@${manifest.digest}`, digest: manifest.digest, tag };
  };
}

/** An ECR host's login (masked at once); undefined for any other registry. */
async function ecrCredentials(host: string, options: DigestResolverOptions): Promise<RegistryCredentials | undefined> {
  const registry = ecrRegistryOf(host);
  if (!registry || !options.ecr) return undefined;
  const what = `ECR GetAuthorizationToken (account ${registry.account}, ${registry.region})`;
  try {
    const login = await (await options.ecr(registry.region)).login(registry.account);
    options.log.mask(login.token);
    options.log.mask(login.password);
    return { username: login.username, password: login.password, source: what };
  } catch (error) {
    throw new ExpeditorError(`${what} failed: ${describeError(error)}`, {
      cause: error,
      next:
        classifyError(error) === 'access'
          ? 'the role needs ecr:GetAuthorizationToken and ecr:BatchGetImage on this registry'
          : 'check the AWS credentials (assume-env) and the region and account of the image',
    });
  }
}
