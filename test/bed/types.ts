// The contract between tests and the bed: what each started part gives a test.

export type PartName = 'oidc' | 'moto' | 'registry' | 'docker' | 'k8s' | 'argo' | 'prometheus' | 'github';

/** A local GitHub OIDC token issuer (JWKS + the ACTIONS_ID_TOKEN_REQUEST_URL endpoint). */
export interface OidcPart {
  /** The `iss` of the tokens, also the base URL of `/.well-known/openid-configuration` and the JWKS. */
  readonly issuer: string;
  /** What GitHub puts in ACTIONS_ID_TOKEN_REQUEST_URL (the action appends `&audience=`). */
  readonly requestUrl: string;
  /** What GitHub puts in ACTIONS_ID_TOKEN_REQUEST_TOKEN; the endpoint refuses any other bearer. */
  readonly requestToken: string;
  /**
   * Claims put into every token the request endpoint issues from now on (merged over defaults;
   * replaces what an earlier call set). A claim set to `undefined` is left out. `sub` follows
   * GitHub's rule (`repo:O/R:environment:E` when `environment` is set, else `repo:O/R:ref:REF`)
   * unless given. Defaults: repository acme/shop, ref refs/heads/main, aud https://github.com/acme.
   */
  setClaims(claims: Record<string, unknown>): void;
  /** Signs a token directly with the given claims merged over the defaults and setClaims'. */
  mint(claims?: Record<string, unknown>): Promise<string>;
}

/** moto server with the bed's extensions (ECS/CodeDeploy lifecycles, STS trust checks, faults). */
export interface MotoPart {
  /** Point AWS SDKs here (AWS_ENDPOINT_URL). */
  readonly endpoint: string;
  /** The region the bed's clients use (us-west-2). */
  readonly region: string;
  /** The account moto uses when a request names none (123456789012). */
  readonly defaultAccount: string;
  /**
   * Environment for an SDK client or a child process: endpoint, region, and bed credentials whose
   * access key id encodes `account` (12 digits), so every request signed with them acts as it.
   */
  env(account?: string): Record<string, string>;
  /** The same as `env`, shaped for an AWS SDK v3 client constructor. */
  clientConfig(account?: string): MotoClientConfig;
  /**
   * POST a JSON body to one of the bed's control endpoints and return its JSON: `speed`,
   * `fault/ecs`, `fault/codedeploy`, `fault/clear`, `faults`, `throttle`, `calls`, `marks`, `health`, `iam`
   * (with or without the leading `/_bed/`). Throws with the bed's message on an error status.
   */
  control<T = unknown>(path: string, body?: unknown): Promise<T>;
}

export interface MotoClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
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
   * plain HTTP for containerEnv. Stopped with the part. By default its one account is the bed's
   * (username/password on the result); `account` replaces it with the caller's, given with the
   * bcrypt hash of its password (htpasswd), e.g. for the password an emulated ECR hands out.
   */
  startAuthenticated(account?: { username: string; password: string; bcrypt: string }): Promise<AuthRegistry>;
}

/** A registry that refuses anonymous pushes and pulls; log in with username/password. */
export interface AuthRegistry {
  readonly host: string;
  readonly url: string;
  readonly username: string;
  readonly password: string;
  stop(): Promise<void>;
}

/**
 * A Docker engine of the bed's own (Debian's dockerd 20.10, vfs storage, no bridge network) with
 * the buildx plugin, on a unix socket in the bed's directory. Registries on 127.0.0.0/8 (the bed
 * registry among them) are plain HTTP to it. RUN steps need the host network (`--network host`).
 */
export interface DockerPart {
  /** `unix:///…/docker.sock`, what DOCKER_HOST is. */
  readonly host: string;
  /** Environment for the docker CLI: DOCKER_HOST, and DOCKER_CONFIG / BUILDX_CONFIG of this bed (with the buildx plugin). */
  readonly env: Record<string, string>;
  /** The engine's version, e.g. `20.10.24+dfsg1`. */
  readonly version: string;
  /** The buildx plugin's version, e.g. `v0.19.3`. */
  readonly buildx: string;
  /** Runs the docker CLI against this engine. */
  docker(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Removes every image and all build cache (the remote builder's too): the engine is as a fresh runner's. */
  reset(): Promise<void>;
  /**
   * Starts (once) a buildkitd of the bed's own and makes it a `remote` buildx builder; returns
   * `env` plus BUILDX_BUILDER naming it. Unlike the engine's builder it exports registry caches.
   */
  remoteBuilder(): Promise<Record<string, string>>;
}

/**
 * etcd + kube-apiserver + controller-manager + scheduler + KWOK nodes.
 *
 * Pods on the KWOK nodes become Running and Ready at once and get pod IPs, so the real endpoints
 * controllers put them behind Services. A marker in a container's image reference makes the pod
 * fail the way a kubelet reports it (KWOK stages in test/bed/k8s/kwok-stages.yaml):
 * - `bed-fail-pull`: waiting `ErrImagePull`, then `ImagePullBackOff`, and again, with events;
 * - `bed-crashloop`: running, then waiting `CrashLoopBackOff` with `restartCount` rising;
 * - `bed-never-ready`: Running, container started, the pod never Ready;
 * - `bed-config-error`: waiting `CreateContainerConfigError`.
 * e.g. `image: 127.0.0.1:5000/app:bed-crashloop`. An annotation `bed.expeditor.dev/ready-after: 2s`
 * holds a healthy pod Pending that long; with `bed.expeditor.dev/ready-jitter: 5s` as well, each
 * pod's wait is drawn between the two. Unschedulable comes from the real scheduler (request more
 * CPU than `nodeCapacity.cpu`), ProgressDeadlineExceeded from the real deployment controller.
 * A bare Pod in a new namespace is refused until the namespace's `default` ServiceAccount exists.
 */
export interface K8sPart {
  /** `https://127.0.0.1:PORT` */
  readonly server: string;
  /** Path of a kubeconfig with cluster-admin rights on this apiserver. */
  readonly kubeconfig: string;
  /** A bearer token of a member of system:masters. */
  readonly token: string;
  /** PEM file of the CA that signed the apiserver's certificate. */
  readonly caFile: string;
  /** The same CA, PEM text. */
  readonly caData: string;
  /**
   * The log every simulated container has (pods/log, `kubectl logs`), in the CRI log format:
   * `<RFC 3339 time> stdout F <line>` per line. Append to it to give pods more to say.
   */
  readonly containerLog: string;
  /** The apiserver's gitVersion, e.g. `v1.37.2`. */
  readonly version: string;
  /** Names of the simulated nodes (all Ready, untainted). */
  readonly nodes: readonly string[];
  /** Capacity (= allocatable) of each node. */
  readonly nodeCapacity: { readonly cpu: string; readonly memory: string; readonly pods: number };
  /**
   * Compacts etcd's history up to its current revision (what the apiserver does every 5 minutes),
   * so a watch or list from an older resourceVersion than the apiserver's watch cache holds is
   * answered 410 Gone. Returns the revision compacted to.
   */
  compactEtcd(): Promise<number>;
  /**
   * Set when moto was started too (startBed(['moto', 'k8s'])): EKS clusters in moto that lead to
   * this apiserver, whose EKS tokens it checks through a TokenReview webhook against moto's STS.
   */
  readonly eks?: BedEks;
}

/** EKS on the bed: moto's EKS API in front of the bed's apiserver, tokens checked as on EKS. */
export interface BedEks {
  /** The STS endpoint tokens must be presigned for (moto's; pass as AWS_ENDPOINT_URL(_STS)). */
  readonly stsEndpoint: string;
  /** The TokenReview webhook kube-apiserver calls. */
  readonly webhookUrl: string;
  /**
   * CreateCluster in moto (default account 123456789012, region us-west-2), then its endpoint and
   * CA set to this apiserver; tokens signed for this cluster name are accepted from then on.
   */
  createCluster(name: string, options?: { account?: string }): Promise<{ name: string; arn: string; endpoint: string }>;
  /** Every TokenReview the webhook answered, oldest first (the apiserver caches answers ~5 s). */
  reviews(): readonly {
    at: number;
    cluster: string | undefined;
    arn: string | undefined;
    authenticated: boolean;
    error: string | undefined;
  }[];
  /**
   * Maps an IAM ARN (a role's ARN for assumed-role sessions) to a Kubernetes user. Without any
   * mapping every identity STS vouches for is in system:masters; with one, unmapped ones are refused.
   */
  mapIdentity(arn: string, mapping: { username?: string; groups: string[] }): void;
}

/**
 * The real Argo Rollouts controller (test/bed/parts/argo.ts) on the bed's Kubernetes, with its
 * CRDs (Rollout, AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate, Experiment) installed.
 * Needs the k8s part: startBed(['k8s', 'argo']).
 */
export interface ArgoPart {
  /** The controller's release, e.g. `v1.10.2`. */
  readonly version: string;
  /** Names of the CRDs installed, e.g. `rollouts.argoproj.io`. */
  readonly crds: readonly string[];
  /** The controller's log (what it did to each Rollout). */
  readonly controllerLog: string;
}

/**
 * Debian's Prometheus 2.42 (test/bed/parts/prometheus.ts) scraping an exporter in the test's own
 * process every `scrapeIntervalMs`: a test sets a gauge (`set`), waits until Prometheus answers
 * the new value (`scraped`), and the code under test queries `url` as it would any Prometheus.
 */
export interface PrometheusPart {
  /** `http://127.0.0.1:PORT`, the address a prometheus check names. */
  readonly url: string;
  readonly scrapeIntervalMs: number;
  /**
   * Sets a gauge the exporter serves from now on (NaN and ±Inf allowed); a function is called at
   * each scrape, so the value can follow what the test bed is doing (the Ingress's weights, say).
   */
  set(name: string, labels: Record<string, string>, value: number | (() => number | Promise<number>)): void;
  /** Resolves once an instant query of the series answers `value` (after the next scrape). */
  scraped(name: string, labels: Record<string, string>, value: number): Promise<void>;
  /** An instant query's `data.result`; throws with the server's message on an error. */
  query(promql: string): Promise<unknown>;
}

/**
 * A local GitHub REST API for Deployments (test/bed/github/). Every request is checked against
 * GitHub's published REST description (@octokit/openapi): a route or method it lacks, a path or
 * query parameter of the wrong type or unknown, a body missing a required field, of a wrong type,
 * or with a field the schema does not list, is answered 422 (404 for no route) and recorded in
 * `malformed()`. Deployments and statuses are kept and answered as GitHub does (newest first,
 * pagination with Link, auto_inactive, `No ref found` for a ref that is neither a full SHA nor added).
 */
export interface GitHubPart {
  /** http://127.0.0.1:PORT — what GITHUB_API_URL is on a runner. */
  readonly apiUrl: string;
  /** The token a request must carry (the job's GITHUB_TOKEN). */
  readonly token: string;
  /** owner/name of the one repository (acme/shop). */
  readonly repository: string;
  /** GITHUB_API_URL and GITHUB_REPOSITORY for a child process. */
  readonly env: Record<string, string>;
  requests(): readonly {
    method: string;
    path: string;
    operationId: string | undefined;
    status: number;
    problems: { where: string; message: string }[];
  }[];
  /** Requests refused because they do not fit GitHub's description (should be none). */
  malformed(): readonly {
    method: string;
    path: string;
    operationId: string | undefined;
    status: number;
    problems: { where: string; message: string }[];
  }[];
  /** Deployments kept, oldest first, each with its statuses oldest first. */
  deployments(environment?: string): {
    id: number;
    sha: string;
    environment: string;
    payload: unknown;
    production: boolean;
    statuses: { id: number; state: string; description: string; logUrl: string; environmentUrl: string }[];
  }[];
  /** A branch or tag name the repository has (full SHAs are always accepted as refs). */
  addRef(name: string, sha: string): void;
  /** The next `times` well-formed requests are answered `status` (e.g. 502, 403 with a spent rate limit). */
  fault(status: number, times?: number, headers?: Record<string, string>): void;
}

export interface Parts {
  oidc: OidcPart;
  moto: MotoPart;
  registry: RegistryPart;
  docker: DockerPart;
  k8s: K8sPart;
  argo: ArgoPart;
  prometheus: PrometheusPart;
  github: GitHubPart;
}

export interface BedContext {
  /** A directory of this bed's own (certs, data, logs), removed on stop. */
  readonly dir: string;
  readonly logDir: string;
  /** Parts started before this one (parts start in the order oidc, moto, registry, docker, k8s, argo, prometheus, github). */
  readonly started: Partial<Parts>;
}

export interface PartHandle<T> {
  readonly part: T;
  stop(): Promise<void>;
}
