// The contract between tests and the bed: what each started part gives a test.

export type PartName = 'oidc' | 'moto' | 'registry' | 'k8s';

/** A local GitHub OIDC token issuer (JWKS + the ACTIONS_ID_TOKEN_REQUEST_URL endpoint). */
export interface OidcPart {
  /** The `iss` of the tokens, also the base URL of `/.well-known/openid-configuration` and the JWKS. */
  readonly issuer: string;
  /** What GitHub puts in ACTIONS_ID_TOKEN_REQUEST_URL (the action appends `&audience=`). */
  readonly requestUrl: string;
  /** What GitHub puts in ACTIONS_ID_TOKEN_REQUEST_TOKEN; the endpoint refuses any other bearer. */
  readonly requestToken: string;
  /** Claims put into every token the request endpoint issues from now on (merged over defaults). */
  setClaims(claims: Record<string, unknown>): void;
  /** Signs a token directly with the given claims merged over the defaults. */
  mint(claims?: Record<string, unknown>): Promise<string>;
}

/** moto server with the bed's extensions (ECS/CodeDeploy lifecycles, STS trust checks, faults). */
export interface MotoPart {
  /** Point AWS SDKs here (AWS_ENDPOINT_URL). */
  readonly endpoint: string;
  /** Environment for an SDK client or a child process: endpoint, region, dummy credentials. */
  env(account?: string): Record<string, string>;
  /** POST a JSON body to one of the bed's control endpoints (`/_bed/...`) and return its JSON. */
  control<T = unknown>(path: string, body?: unknown): Promise<T>;
}

/** A distribution registry (2.x) on a free port, with buildah/skopeo able to push to it. */
export interface RegistryPart {
  /** `127.0.0.1:PORT`, the registry host as it appears in image references. */
  readonly host: string;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** A small base image the bed built itself and pushed (nothing can be pulled here). */
  readonly baseImage: string;
  /** `sha256:…` of baseImage's manifest as the registry stores it. */
  readonly baseDigest: string;
  /**
   * Environment every buildah/skopeo call on this bed needs, merged over process.env: vfs storage,
   * auth file, temp dir and config under this bed's directory, the bed's registries plain HTTP,
   * chroot isolation. No extra flags are needed.
   */
  readonly containerEnv: Record<string, string>;
  /** The manifest digest the registry answers for `repository:tag` (HEAD), or undefined if none. */
  digest(repository: string, tag: string): Promise<string | undefined>;
  /**
   * Starts a second registry on its own port that requires HTTP basic auth (htpasswd), also
   * plain HTTP for containerEnv. Stopped with the part.
   */
  startAuthenticated(): Promise<AuthRegistry>;
}

/** A registry that refuses anonymous pushes and pulls; log in with username/password. */
export interface AuthRegistry {
  readonly host: string;
  readonly url: string;
  readonly username: string;
  readonly password: string;
  stop(): Promise<void>;
}

/** etcd + kube-apiserver + controller-manager + scheduler + KWOK nodes. */
export interface K8sPart {
  readonly server: string;
  /** Path of a kubeconfig with cluster-admin rights on this apiserver. */
  readonly kubeconfig: string;
  readonly token: string;
  readonly caFile: string;
  readonly caData: string;
}

export interface Parts {
  oidc: OidcPart;
  moto: MotoPart;
  registry: RegistryPart;
  k8s: K8sPart;
}

export interface BedContext {
  /** A directory of this bed's own (certs, data, logs), removed on stop. */
  readonly dir: string;
  readonly logDir: string;
  /** Parts started before this one (parts start in the order oidc, moto, registry, k8s). */
  readonly started: Partial<Parts>;
}

export interface PartHandle<T> {
  readonly part: T;
  stop(): Promise<void>;
}
