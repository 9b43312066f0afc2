// A connection to a Kubernetes cluster: from a kubeconfig (the input, or KUBECONFIG passed down
// by the context layer) or from EKS (DescribeCluster for endpoint and CA, plus a bearer token
// the action makes itself and renews before it expires). Typed API groups (groups.ts), one watch
// entry point and request counters, all sharing one authentication path and the run's AbortSignal.
// @kubernetes/client-node is loaded here with import(), so only callers that connect pay for it.
import { readFileSync } from 'node:fs';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { classifyError, withRetry } from '@expeditor/shared/retry';
import type { Log } from '@expeditor/shared/log';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { type FileRule, readUserFile } from '@expeditor/shared/workspace-file';
import { EksTokenSource } from './eks-token.ts';
import { applyEnvironmentProxy } from './proxy.ts';
import { nextRequestWritten } from './request-written.ts';
import type * as K from './client-node.ts';
import type { AppsApi, AutoscalingApi, CoreApi, DiscoveryApi, Groups, NetworkingApi } from './groups.ts';

export type ClientNode = typeof K;

/** Where the connection came from, for errors and summaries. */
export type KubeSource =
  | { kind: 'kubeconfig'; path: string; context: string; input: string | undefined }
  | { kind: 'eks'; cluster: string; region: string; arn: string | undefined };

export interface KubeconfigTarget {
  /** The kubeconfig file (the `kubeconfig` input, or the first path of KUBECONFIG). */
  path: string;
  /**
   * The further paths of KUBECONFIG, merged as kubectl does: the first file to define a cluster,
   * user or context (or the current-context) wins, and files that do not exist are skipped.
   */
  also?: string[] | undefined;
  /** Context to use; default the file's current-context. */
  context?: string | undefined;
  /** The input that named the file, for errors ("kubeconfig"); undefined when it came from KUBECONFIG. */
  input?: string | undefined;
  /** Read the file by this rule (inside the workspace, a size cap); without it, as it is. */
  rule?: FileRule | undefined;
  /** Let a user's exec credential plugin run (default true, as kubectl). */
  allowExec?: boolean | undefined;
}

/** Only what connect needs from an EKS client (@aws-sdk/client-eks EKSClient satisfies it). */
export interface EksClientLike {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

export interface EksTarget {
  cluster: string;
  region: string;
  /** Created at the edge with the region and endpoint the context layer gave. */
  eks: EksClientLike;
  /** The AWS credentials the token is signed with (the SDK's default chain at the edge). */
  credentials: AwsCredentialIdentityProvider;
  /** AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL, passed down; default the regional STS endpoint. */
  stsEndpoint?: string | undefined;
  /** The input that named the cluster, for errors; default 'cluster'. */
  input?: string | undefined;
  /** Renew the token after this long (default 10 minutes; EKS accepts one for 15). */
  tokenRefreshMs?: number;
  /** The clock the token is signed with (tests move it). */
  clock?: () => number;
}

export interface ConnectOptions {
  kubeconfig?: KubeconfigTarget | undefined;
  eks?: EksTarget | undefined;
  /** The run's signal: every request and watch of this connection stops when it fires. */
  signal?: AbortSignal | undefined;
  log?: Log | undefined;
  /** Per-request timeout (default 30 s); watches have their own. */
  requestTimeoutMs?: number;
  /** Check that the cluster answers and accepts the credentials (GET /version); default true. */
  verify?: boolean;
}

export interface KubeStats {
  /** Requests sent (lists, gets, writes), not counting watches. */
  requests: number;
  /** Watch requests started (each re-watch counts). */
  watches: number;
  /** Watches open right now. */
  openWatches: number;
  /** Most watches open at once. */
  peakWatches: number;
  /** Lists made again after a 410 Gone. */
  relists: number;
}

/** What client-node's Watch needs from a KubeConfig. */
interface WatchConfig {
  getCurrentCluster(): { server: string } | null;
  applySecurityAuthentication(context: K.RequestContext): Promise<void>;
}

export interface KubeConnection {
  readonly server: string;
  readonly source: KubeSource;
  /** "EKS cluster prod (us-west-2)" or "kubeconfig ~/.kube/config, context bed". */
  readonly description: string;
  readonly k8s: ClientNode;
  readonly core: CoreApi;
  readonly apps: AppsApi;
  readonly autoscaling: AutoscalingApi;
  readonly discovery: DiscoveryApi;
  readonly networking: NetworkingApi;
  /** Any kind, found through discovery: for server-side apply of documents deploy-eks has no typed client for. */
  readonly objects: K.KubernetesObjectApi;
  readonly signal: AbortSignal | undefined;
  readonly stats: KubeStats;
  /** A client-node Watch on this connection (same credentials, token renewal, counters). */
  newWatch(): K.Watch;
  /** Options for a PATCH call: client-node defaults to JSON Patch, so the type is always explicit. */
  patchOptions(type: 'merge' | 'strategic'): ReturnType<ClientNode['setHeaderOptions']>;
  /** The apiserver's version (GET /version), e.g. v1.37.2. */
  version(): Promise<string>;
  /** One call outside the typed groups (a custom resource's status subresource, say), on the same machinery. */
  request: Groups['request'];
}

/** Loads client-node (a few hundred ms): call after the inputs are valid. */
export async function loadClientNode(): Promise<ClientNode> {
  return import('./client-node.ts');
}

export async function connectKube(options: ConnectOptions): Promise<KubeConnection> {
  if (!options.kubeconfig === !options.eks) {
    throw new ExpeditorError('give either a kubeconfig or an EKS cluster to connect to', {
      input: 'cluster',
      unchanged: 'nothing was changed',
      next: "set the 'cluster' input (EKS) or the 'kubeconfig' input (or KUBECONFIG)",
    });
  }
  // client-node takes a few hundred ms to load, all of it on this thread. On the EKS path it starts
  // once DescribeCluster's request is written, so the request is not held back and the load runs
  // while AWS answers (started at once, it would finish before the request even left).
  const load = () => Promise.all([loadClientNode(), import('./groups.ts')]);
  let described: DescribedCluster | undefined;
  let loading: ReturnType<typeof load>;
  if (options.eks) {
    const sent = nextRequestWritten();
    loading = sent.written.then(load);
    loading.catch(() => undefined);
    try {
      described = await describeEksCluster(options.eks, options);
    } finally {
      sent.settle();
    }
  } else {
    loading = load();
  }
  const [k8s, { makeGroups }] = await loading;
  const kc = new k8s.KubeConfig();
  let source: KubeSource;
  let tokens: EksTokenSource | undefined;
  if (options.kubeconfig) {
    source = loadKubeconfig(kc, options.kubeconfig);
  } else {
    const eks = options.eks as EksTarget;
    const cluster = described as DescribedCluster;
    source = { kind: 'eks', cluster: eks.cluster, region: eks.region, arn: cluster.arn };
    kc.loadFromOptions({
      clusters: [{ name: eks.cluster, server: cluster.endpoint, caData: cluster.caData, skipTLSVerify: false }],
      users: [{ name: 'expeditor' }],
      contexts: [{ name: eks.cluster, cluster: eks.cluster, user: 'expeditor' }],
      currentContext: eks.cluster,
    });
    tokens = new EksTokenSource({
      cluster: eks.cluster,
      region: eks.region,
      credentials: eks.credentials,
      stsEndpoint: eks.stsEndpoint,
      ...(eks.tokenRefreshMs !== undefined ? { refreshAfterMs: eks.tokenRefreshMs } : {}),
      ...(eks.clock ? { clock: eks.clock } : {}),
    });
  }
  // Behind a proxy (HTTPS_PROXY, NO_PROXY) unless the kubeconfig names its own (proxy-url).
  applyEnvironmentProxy(kc);
  const server = kc.getCurrentCluster()?.server ?? '';
  const stats: KubeStats = { requests: 0, watches: 0, openWatches: 0, peakWatches: 0, relists: 0 };
  const log = options.log;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;

  let maskedToken: string | undefined;
  // client-node makes a new undici Agent (so a new TLS connection) for every request; one Agent
  // kept for the connection reuses its keep-alive connections instead.
  let dispatcher: ReturnType<K.RequestContext['getDispatcher']>;
  const authenticate = async (context: K.RequestContext): Promise<void> => {
    await kc.applySecurityAuthentication(context);
    dispatcher ??= context.getDispatcher();
    if (dispatcher) context.setDispatcher(dispatcher);
    if (tokens) {
      const token = await tokens.token();
      // A token is a credential for 15 minutes: it must never reach a log. Masked once per
      // token (each mask is an ::add-mask:: line in the job log).
      if (token !== maskedToken) {
        log?.mask(token);
        maskedToken = token;
      }
      context.setHeaderParam('Authorization', `Bearer ${token}`);
    }
  };
  const auth = {
    async applySecurityAuthentication(context: K.RequestContext): Promise<void> {
      stats.requests++;
      await authenticate(context);
    },
  };
  const timeouts: PromiseMiddlewareLike = {
    async pre(context) {
      const limits = [AbortSignal.timeout(requestTimeoutMs), ...(options.signal ? [options.signal] : [])];
      context.setSignal(AbortSignal.any(limits));
      return context;
    },
    async post(context) {
      // A 401 with an EKS token: the next request signs a fresh one.
      if (context.httpStatusCode === 401) tokens?.invalidate();
      return context;
    },
  };
  const configuration = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(server, {}),
    authMethods: { default: auth } as never,
    promiseMiddleware: [timeouts as never],
  });
  const watchConfig: WatchConfig = {
    getCurrentCluster: () => kc.getCurrentCluster(),
    applySecurityAuthentication: authenticate,
  };
  const description =
    source.kind === 'eks' ? `EKS cluster ${source.cluster} (${source.region})` : `kubeconfig ${source.path} (context ${source.context})`;
  const groups = makeGroups(configuration);
  const connection: KubeConnection = {
    server,
    source,
    description,
    k8s,
    core: groups.core,
    apps: groups.apps,
    autoscaling: groups.autoscaling,
    discovery: groups.discovery,
    networking: groups.networking,
    objects: new k8s.KubernetesObjectApi(configuration),
    signal: options.signal,
    stats,
    newWatch: () => new k8s.Watch(watchConfig as unknown as K.KubeConfig),
    patchOptions: (type) =>
      k8s.setHeaderOptions('Content-Type', type === 'merge' ? k8s.PatchStrategy.MergePatch : k8s.PatchStrategy.StrategicMergePatch),
    version: groups.version,
    request: groups.request,
  };
  if (options.verify !== false) await verifyConnection(connection, options);
  return connection;
}

interface PromiseMiddlewareLike {
  pre(context: K.RequestContext): Promise<K.RequestContext>;
  post(context: K.ResponseContext): Promise<K.ResponseContext>;
}

function loadKubeconfig(kc: K.KubeConfig, target: KubeconfigTarget): KubeSource {
  const where = target.input ? `input '${target.input}'` : 'KUBECONFIG';
  const fail = (problem: string, next: string, cause?: unknown): never => {
    throw new ExpeditorError(`${where}: ${problem}`, {
      ...(target.input ? { input: target.input } : {}),
      unchanged: 'nothing was changed',
      next,
      cause,
    });
  };
  const files = [target.path, ...(target.also ?? [])];
  const shown = files.join(':');
  const clusters = new Map<string, K.Cluster>();
  const users = new Map<string, K.User>();
  const contexts = new Map<string, K.Context>();
  let currentContext = '';
  let read = 0;
  for (const path of files) {
    let text = '';
    try {
      text = target.rule ? readUserFile(path, target.rule) : readFileSync(path, 'utf8');
    } catch (error) {
      if (error instanceof ExpeditorError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      // kubectl skips KUBECONFIG paths that do not exist; a file named on its own must.
      if (code === 'ENOENT' && files.length > 1) continue;
      fail(
        `${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`,
        'check the path, or connect to EKS with the cluster input instead',
      );
    }
    try {
      kc.loadFromString(text);
    } catch (error) {
      fail(`${path} is not a valid kubeconfig: ${describeError(error)}`, 'fix the file (kubectl config view checks it)', error);
    }
    read += 1;
    // Relative certificate and token paths in a kubeconfig are relative to its file.
    kc.makePathsAbsolute(path);
    for (const c of kc.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of kc.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c);
    currentContext ||= kc.getCurrentContext();
  }
  if (read === 0) fail(`none of the files in it exists (${shown})`, 'check KUBECONFIG, or connect to EKS with the cluster input instead');
  if (files.length > 1)
    kc.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext });
  const context = target.context ?? kc.getCurrentContext();
  if (!context || !kc.getContextObject(context)) {
    fail(
      context ? `${shown} has no context ${JSON.stringify(context)}` : `${shown} has no current-context`,
      `have: ${
        kc
          .getContexts()
          .map((c) => c.name)
          .join(', ') || 'no contexts'
      }`,
    );
  }
  kc.setCurrentContext(context);
  const exec = kc.getCurrentUser()?.exec as { command?: string } | undefined;
  if (exec && target.allowExec === false) {
    fail(
      `the context ${JSON.stringify(context)} of ${shown} gets its credentials by running ${JSON.stringify(exec.command ?? 'a program')} (an exec plugin); a kubeconfig from the repository does not run programs unless allowed`,
      "connect to EKS with the 'cluster' input (no plugin needed), or set 'allow-kubeconfig-exec: true' if you trust the file",
    );
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) fail(`the context ${JSON.stringify(context)} of ${shown} names no cluster with a server`, 'fix the file');
  return { kind: 'kubeconfig', path: shown, context, input: target.input };
}

interface DescribedCluster {
  endpoint: string;
  caData: string;
  arn: string | undefined;
}

async function describeEksCluster(target: EksTarget, options: ConnectOptions): Promise<DescribedCluster> {
  const { DescribeClusterCommand } = await import('@aws-sdk/client-eks');
  const input = target.input ?? 'cluster';
  let response: { cluster?: { endpoint?: string; certificateAuthority?: { data?: string }; status?: string; arn?: string } };
  try {
    response = (await withRetry(
      () =>
        target.eks.send(new DescribeClusterCommand({ name: target.cluster }), options.signal ? { abortSignal: options.signal } : undefined),
      {
        ...(options.signal ? { signal: options.signal } : {}),
        onRetry: (error, attempt) => options.log?.info(`eks:DescribeCluster: ${describeError(error)}; retry ${attempt}`),
      },
    )) as typeof response;
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : error;
    const name = (error as { name?: string }).name;
    if (name === 'ResourceNotFoundException') {
      throw new ExpeditorError(`EKS cluster ${JSON.stringify(target.cluster)} does not exist in ${target.region}`, {
        input,
        unchanged: 'nothing was changed',
        next: `check the cluster name and region (aws eks list-clusters --region ${target.region}), and that the role is in the cluster's account`,
        cause: error,
      });
    }
    if (classifyError(error) === 'access') {
      throw new ExpeditorError(`eks:DescribeCluster on ${target.cluster} was denied: ${describeError(error)}`, {
        input,
        unchanged: 'nothing was changed',
        next: `allow eks:DescribeCluster on the cluster in the policy of the role this job uses`,
        cause: error,
      });
    }
    throw new ExpeditorError(`could not describe EKS cluster ${target.cluster}: ${describeError(error)}`, {
      input,
      unchanged: 'nothing was changed',
      cause: error,
    });
  }
  const cluster = response.cluster;
  if (cluster?.status && cluster.status !== 'ACTIVE') {
    throw new ExpeditorError(`EKS cluster ${target.cluster} is ${cluster.status}, not ACTIVE`, {
      input,
      unchanged: 'nothing was changed',
      next: 'wait until the cluster is ACTIVE, then run again',
    });
  }
  if (!cluster?.endpoint || !cluster.certificateAuthority?.data) {
    throw new ExpeditorError(`EKS cluster ${target.cluster} has no endpoint or certificate authority yet`, {
      input,
      unchanged: 'nothing was changed',
      next: 'wait until the cluster is ACTIVE, then run again',
    });
  }
  return { endpoint: cluster.endpoint, caData: cluster.certificateAuthority.data, arn: cluster.arn };
}

/** GET /version: the cluster answers, and accepts our credentials (a refused token is a 401 here). */
async function verifyConnection(connection: KubeConnection, options: ConnectOptions): Promise<void> {
  try {
    await withRetry(() => connection.version(), {
      ...(options.signal ? { signal: options.signal } : {}),
      retries: 2,
      onRetry: (error, attempt) => options.log?.info(`${connection.description}: ${describeError(error)}; retry ${attempt}`),
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : error;
    throw connectionError(connection, error);
  }
}

/** The error for a request the cluster refused or did not answer, naming the input at fault. */
export function connectionError(connection: Pick<KubeConnection, 'source' | 'server' | 'description'>, error: unknown): ExpeditorError {
  const input = connection.source.kind === 'eks' ? 'cluster' : connection.source.input;
  const status = statusOf(error);
  if (status === 401) {
    return new ExpeditorError(`${connection.description} at ${connection.server} refused the credentials (401 Unauthorized)`, {
      ...(input ? { input } : {}),
      unchanged: 'nothing was changed',
      next:
        connection.source.kind === 'eks'
          ? 'the token expired or the IAM identity is not allowed in the cluster: give the role an EKS access entry (or an aws-auth mapping) and check the runner clock'
          : 'the kubeconfig credentials expired or are wrong: refresh them (for EKS, prefer the cluster input: the action makes its own token)',
      cause: error,
    });
  }
  if (status === 403) {
    return new ExpeditorError(`${connection.description}: ${describeError(error)}`, {
      ...(input ? { input } : {}),
      unchanged: 'nothing was changed',
      next: 'grant the identity RBAC rights on Deployments, ReplicaSets, Pods, Services, EndpointSlices and Events in the namespace',
      cause: error,
    });
  }
  const kind = classifyError(error);
  return new ExpeditorError(
    kind === 'network' || kind === 'other'
      ? `${connection.description} does not answer at ${connection.server}: ${describeError(error)}`
      : `${connection.description}: ${describeError(error)}`,
    {
      ...(input ? { input } : {}),
      unchanged: 'nothing was changed',
      next: 'check that the cluster endpoint is reachable from the runner (private endpoints need a runner in the VPC)',
      cause: error,
    },
  );
}

/** The HTTP status of a client-node error (ApiException.code, or a Watch error's statusCode). */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

export function isConflict(error: unknown): boolean {
  return statusOf(error) === 409;
}
