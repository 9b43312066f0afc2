// What the actions ask of a container registry (build-image: does a tag exist, tag again, size;
// deploy-eks: which digest a tag names), as a plain interface: client.ts implements it over the
// distribution API (HTTP), as ecr.ts and ecr-client.ts do for the ECR API.
import type { Log } from '@expeditor/shared/log';

export interface RegistryCredentials {
  username: string;
  password: string;
  /** Where they came from, for messages: "input 'registry-username'", "ECR GetAuthorizationToken …". */
  source: string;
}

export interface ManifestRef {
  digest: string;
  mediaType: string;
}

export interface Registry {
  /** The digest `repository:reference` points at, or undefined when the registry has no such tag. */
  headManifest(repository: string, reference: string): Promise<ManifestRef | undefined>;
  /** Points `tag` at the manifest `digest` already in the repository (no layer is sent). */
  tagManifest(repository: string, digest: string, tag: string): Promise<void>;
  /** Compressed size of the image as stored, or undefined when the manifest is gone. */
  imageSize(repository: string, digest: string): Promise<number | undefined>;
  /** A label of the image's config, or undefined when it cannot be read (a hint for messages). */
  imageLabel?(repository: string, digest: string, label: string): Promise<string | undefined>;
  /** Requests sent, by method (for figures and for proving a re-run pushed nothing). */
  readonly requests: Record<string, number>;
}

export interface RegistryOptions {
  /** The registry host as image references name it (used in messages). */
  host: string;
  /** Where to reach it, `host:port`; defaults to `host`. */
  address?: string;
  credentials?: RegistryCredentials | undefined;
  log: Pick<Log, 'debug'>;
  signal?: AbortSignal | undefined;
  /** What to do when anonymous access is refused (the action's own inputs); build-image's by default. */
  anonymousNext?: string | undefined;
}

/** Makes the registry access for one host (the client is made at the edge). */
export type RegistryFactory = (options: RegistryOptions) => Registry;
