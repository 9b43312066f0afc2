// An image reference as Docker reads it (`nginx`, `team/app:1`, `127.0.0.1:5000/app@sha256:…`):
// which registry to ask, under which repository name, for which tag or digest. Docker Hub's
// defaults (docker.io, library/, :latest) are applied here so a reference the kubelet would pull
// resolves to the same image.

export interface ImageRef {
  /** The reference as given. */
  image: string;
  /** The repository as written, without tag or digest (`nginx`, `127.0.0.1:5000/team/app`). */
  repository: string;
  /** The registry host as references name it (`docker.io` when none is written). */
  host: string;
  /** Where its API answers (`registry-1.docker.io` for Docker Hub, else the host). */
  address: string;
  /** The repository inside the registry (`library/nginx` for `nginx`). */
  name: string;
  /** The tag (`latest` when neither tag nor digest is written); undefined when only a digest is. */
  tag: string | undefined;
  /** `sha256:…` when the reference pins one. */
  digest: string | undefined;
}

const dockerHub = 'docker.io';

export function parseImageRef(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const named = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = named.lastIndexOf('/');
  const colon = named.indexOf(':', lastSlash + 1);
  const repository = colon >= 0 ? named.slice(0, colon) : named;
  const writtenTag = colon >= 0 ? named.slice(colon + 1) : undefined;
  // Docker's rule: the first component is a registry only when it looks like a host
  // (a dot, a port, or localhost); `team/app` is on Docker Hub.
  const slash = repository.indexOf('/');
  const first = slash >= 0 ? repository.slice(0, slash) : '';
  const isHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let host = isHost ? first : dockerHub;
  let name = isHost ? repository.slice(slash + 1) : repository;
  if (host === 'index.docker.io' || host === 'registry-1.docker.io') host = dockerHub;
  if (host === dockerHub && !name.includes('/')) name = `library/${name}`;
  return {
    image,
    repository,
    host,
    address: host === dockerHub ? 'registry-1.docker.io' : host,
    name,
    tag: writtenTag ?? (digest ? undefined : 'latest'),
    digest,
  };
}
