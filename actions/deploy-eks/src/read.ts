// The bring-up's read: what the namespace holds, read once for all services — a few lists of the
// namespace rather than reads per service — and the environment's references checked. Nothing is
// written, so a problem found here leaves the cluster untouched.
import type {
  V1ConfigMap,
  V1Deployment,
  V1Ingress,
  V1Namespace,
  V1Secret,
  V1Service,
  V1ServiceAccount,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { connectionError, isNotFound, statusOf, type KubeConnection } from '@expeditor/kube/connect';
import { withRetry } from '@expeditor/shared/retry';
import type { Log } from '@expeditor/shared/log';
import type { DeployEksPlan } from './plan.ts';

/** What the namespace holds, read once for all services. */
export interface NamespaceView {
  services: Map<string, V1Service>;
  deployments: Map<string, V1Deployment>;
  hpas: V2HorizontalPodAutoscaler[];
  serviceAccounts: Map<string, V1ServiceAccount | undefined>;
  /** Listed on the Ingress route only. */
  ingresses: V1Ingress[];
  /** False when the namespace does not exist yet and the manifest brings its Namespace. */
  namespaceExists: boolean;
}

/** The answers of the namespace's reads, as they came back (undefined: not there). */
export interface NamespaceReads {
  /** 'forbidden' when the namespace itself may not be read (the namespaced reads tell instead). */
  namespace: V1Namespace | 'forbidden' | undefined;
  services: readonly V1Service[];
  deployments: readonly V1Deployment[];
  hpas: readonly V2HorizontalPodAutoscaler[];
  /** Per name of plan.refs.configMaps, in order. */
  configMaps: readonly (V1ConfigMap | undefined)[];
  /** Per name of plan.refs.secrets, in order. */
  secrets: readonly (V1Secret | undefined)[];
  /** Per name of serviceAccountsToRead(plan), in order. */
  serviceAccounts: readonly (V1ServiceAccount | undefined)[];
  ingresses: readonly V1Ingress[];
}

/** The ServiceAccounts IRSA needs to know about: the environment's, or one per service. */
export function serviceAccountsToRead(plan: Pick<DeployEksPlan, 'refs' | 'services'>): string[] {
  return [...new Set(plan.refs.irsaRole ? [plan.refs.serviceAccount ?? '', ...plan.services] : [])].filter(Boolean);
}

/** A read that retries what can heal, and turns "not there" into undefined. */
async function read<T>(connection: KubeConnection, log: Log, what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await withRetry(fn, {
      ...(connection.signal ? { signal: connection.signal } : {}),
      onRetry: (error, attempt) => log.info(`${what}: ${describeError(error)}; retry ${attempt}`),
    });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    if (connection.signal?.aborted) throw error;
    const status = statusOf(error);
    if (status === 401 || status === 403 || status === undefined) throw connectionError(connection, error);
    throw new ExpeditorError(`reading ${what}: ${describeError(error)}`, { unchanged: 'nothing was changed', cause: error });
  }
}

const byName = <T extends { metadata?: { name?: string } }>(items: readonly T[]): Map<string, T> =>
  new Map(items.map((i) => [i.metadata?.name ?? '', i]));

/** Lists Services, Deployments and HPAs of the namespace, and checks the environment's references. */
export async function readNamespace(connection: KubeConnection, plan: DeployEksPlan, log: Log): Promise<NamespaceView> {
  const ns = plan.namespace;
  const { core, apps, autoscaling, networking } = connection;
  const accounts = serviceAccountsToRead(plan);
  // Lists of a namespace that does not exist answer empty, so its existence is read alongside.
  const [namespace, services, deployments, hpas, configMaps, secrets, serviceAccounts, ingresses] = await Promise.all([
    read(connection, log, `namespace ${ns}`, () => core.readNamespace({ name: ns })).catch((error: unknown) => {
      // Without the right to read namespaces, the namespaced reads below tell instead.
      if (statusOf((error as { cause?: unknown }).cause) === 403) return 'forbidden' as const;
      throw error;
    }),
    read(connection, log, `Services in ${ns}`, () => core.listNamespacedService({ namespace: ns })),
    read(connection, log, `Deployments in ${ns}`, () => apps.listNamespacedDeployment({ namespace: ns })),
    read(connection, log, `HorizontalPodAutoscalers in ${ns}`, () => autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns })),
    Promise.all(
      plan.refs.configMaps.map((name) =>
        read<V1ConfigMap>(connection, log, `ConfigMap ${name}`, () => core.readNamespacedConfigMap({ name, namespace: ns })),
      ),
    ),
    Promise.all(
      plan.refs.secrets.map((name) =>
        read<V1Secret>(connection, log, `Secret ${name}`, () => core.readNamespacedSecret({ name, namespace: ns })),
      ),
    ),
    Promise.all(
      accounts.map((name) =>
        read<V1ServiceAccount>(connection, log, `ServiceAccount ${name}`, () => core.readNamespacedServiceAccount({ name, namespace: ns })),
      ),
    ),
    plan.route === 'ingress'
      ? read(connection, log, `Ingresses in ${ns}`, () => networking.listNamespacedIngress({ namespace: ns }))
      : undefined,
  ]);
  return namespaceView(plan, connection.description, {
    namespace,
    services: services?.items ?? [],
    deployments: deployments?.items ?? [],
    hpas: hpas?.items ?? [],
    configMaps,
    secrets,
    serviceAccounts,
    ingresses: ingresses?.items ?? [],
  });
}

/**
 * The view of the namespace from its reads, or the error that stops the run before any write: the
 * namespace does not exist, or a ConfigMap or Secret of the environment is missing (every pod
 * would fail to start). `where` names the cluster in messages.
 */
export function namespaceView(
  plan: Pick<DeployEksPlan, 'namespace' | 'namespaceOrigin' | 'refs' | 'services'> & { documents?: DeployEksPlan['documents'] },
  where: string,
  reads: NamespaceReads,
): NamespaceView {
  const ns = plan.namespace;
  // What the manifest brings itself need not be there yet.
  const brought = new Set((plan.documents ?? []).map((d) => `${d.kind}/${d.name}`));
  if (reads.namespace === undefined && !brought.has(`Namespace/${ns}`)) {
    throw new ExpeditorError(`namespace ${ns} does not exist in ${where}`, {
      ...plan.namespaceOrigin,
      unchanged: 'nothing was changed',
      next: 'check the namespace name (and the cluster), or create the namespace first',
    });
  }
  const missing = [
    ...plan.refs.configMaps.filter((n, i) => !reads.configMaps[i] && !brought.has(`ConfigMap/${n}`)).map((n) => `ConfigMap ${n}`),
    ...plan.refs.secrets.filter((n, i) => !reads.secrets[i] && !brought.has(`Secret/${n}`)).map((n) => `Secret ${n}`),
  ];
  if (missing.length > 0) {
    throw new ExpeditorError(`${missing.join(' and ')} ${missing.length === 1 ? 'does' : 'do'} not exist in namespace ${ns}`, {
      key: plan.refs.key ? `${plan.refs.key}.${missing[0]?.startsWith('ConfigMap') ? 'config-maps' : 'secrets'}` : undefined,
      unchanged: 'nothing was changed',
      next: 'create them in the namespace, or remove them from the environment file',
    });
  }
  const accounts = serviceAccountsToRead(plan);
  return {
    services: byName(reads.services),
    deployments: byName(reads.deployments),
    hpas: [...reads.hpas],
    serviceAccounts: new Map(accounts.map((name, i) => [name, reads.serviceAccounts[i]])),
    ingresses: [...reads.ingresses],
    namespaceExists: reads.namespace !== undefined,
  };
}
