// The bring-up before the wait: read what is there — for all services at once, a few lists of the
// namespace rather than reads per service — then work out each service's live color and target
// objects, then write them. Reading comes first for every service, so a problem found then
// leaves the cluster untouched; writes never touch the live color's objects or the stable Service.
import type { V1ConfigMap, V1Deployment, V1Ingress, V1Secret, V1Service, V1ServiceAccount, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { connectionError, isConflict, isNotFound, statusOf, type KubeConnection } from '@expeditor/kube/connect';
import { withRetry } from '@expeditor/shared/retry';
import type { Log } from '@expeditor/shared/log';
import type { DeployEksPlan } from './plan.ts';
import { annotations, colorServiceName, deploymentName, hpaName, isColor, otherColor, type Color } from '@expeditor/bluegreen/names';
import { buildColorService, buildTargetDeployment, copyHpa } from './target.ts';
import { liveFromIngress } from './ingress.ts';

/** What a write needs to know of an object already there: replace it at this version. */
interface Existing {
  resourceVersion: string;
  clusterIP?: string | undefined;
  clusterIPs?: string[] | undefined;
}

export interface Prepared {
  service: string;
  live: Color | undefined;
  target: Color;
  stable: V1Service | undefined;
  deployment: V1Deployment;
  hpa: V2HorizontalPodAutoscaler | undefined;
  preview: V1Service;
  colorService: V1Service | undefined;
  /** A ServiceAccount to create for IRSA, when missing. */
  serviceAccount: V1ServiceAccount | undefined;
  /** Where the template came from, for the summary. */
  templateFrom: string;
  /** The target's objects already there (from an earlier run), by name. */
  existing: Map<string, Existing>;
}

export interface Written {
  generation: number;
  /** The target Deployment was created (not replaced). */
  created: boolean;
}

/** What the namespace holds, read once for all services. */
export interface NamespaceView {
  services: Map<string, V1Service>;
  deployments: Map<string, V1Deployment>;
  hpas: V2HorizontalPodAutoscaler[];
  serviceAccounts: Map<string, V1ServiceAccount | undefined>;
  /** Listed on the Ingress route only. */
  ingresses: V1Ingress[];
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

const byName = <T extends { metadata?: { name?: string } }>(items: T[]): Map<string, T> => new Map(items.map((i) => [i.metadata?.name ?? '', i]));

/** Lists Services, Deployments and HPAs of the namespace, and checks the environment's references. */
export async function readNamespace(connection: KubeConnection, plan: DeployEksPlan, log: Log): Promise<NamespaceView> {
  const ns = plan.namespace;
  const { core, apps, autoscaling, networking } = connection;
  const accounts = [...new Set(plan.refs.irsaRole ? [plan.refs.serviceAccount ?? '', ...plan.services] : [])].filter(Boolean);
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
    Promise.all(plan.refs.configMaps.map((name) => read<V1ConfigMap>(connection, log, `ConfigMap ${name}`, () => core.readNamespacedConfigMap({ name, namespace: ns })))),
    Promise.all(plan.refs.secrets.map((name) => read<V1Secret>(connection, log, `Secret ${name}`, () => core.readNamespacedSecret({ name, namespace: ns })))),
    Promise.all(accounts.map((name) => read<V1ServiceAccount>(connection, log, `ServiceAccount ${name}`, () => core.readNamespacedServiceAccount({ name, namespace: ns })))),
    plan.route === 'ingress' ? read(connection, log, `Ingresses in ${ns}`, () => networking.listNamespacedIngress({ namespace: ns })) : undefined,
  ]);
  if (namespace === undefined) {
    throw new ExpeditorError(`namespace ${ns} does not exist in ${connection.description}`, {
      ...plan.namespaceOrigin,
      unchanged: 'nothing was changed',
      next: 'check the namespace name (and the cluster), or create the namespace first',
    });
  }
  // The environment's ConfigMaps and Secrets must exist, or every pod fails to start.
  const missing = [
    ...plan.refs.configMaps.filter((_, i) => !configMaps[i]).map((n) => `ConfigMap ${n}`),
    ...plan.refs.secrets.filter((_, i) => !secrets[i]).map((n) => `Secret ${n}`),
  ];
  if (missing.length > 0) {
    throw new ExpeditorError(`${missing.join(' and ')} ${missing.length === 1 ? 'does' : 'do'} not exist in namespace ${ns}`, {
      key: plan.refs.key ? `${plan.refs.key}.${missing[0]?.startsWith('ConfigMap') ? 'config-maps' : 'secrets'}` : undefined,
      unchanged: 'nothing was changed',
      next: 'create them in the namespace, or remove them from the environment file',
    });
  }
  return {
    services: byName(services?.items ?? []),
    deployments: byName(deployments?.items ?? []),
    hpas: hpas?.items ?? [],
    serviceAccounts: new Map(accounts.map((name, i) => [name, serviceAccounts[i]])),
    ingresses: ingresses?.items ?? [],
  };
}

/** One service's plan from the namespace view: live color, template, target objects. No request. */
export function prepare(view: NamespaceView, plan: DeployEksPlan, service: string, log: Log, stamp: Record<string, string>): Prepared {
  const ns = plan.namespace;
  const stable = view.services.get(service);
  let live: Color | undefined;
  // On the Ingress route the switch moves the Ingress, not the stable Service: ask the Ingress.
  const fromIngress = plan.route === 'ingress' ? liveFromIngress(view.ingresses, service, plan.ingress, plan.ingressOrigin) : undefined;
  if (fromIngress) {
    live = fromIngress;
  } else if (stable) {
    const value = stable.spec?.selector?.[plan.colorLabel];
    if (!isColor(value)) {
      throw new ExpeditorError(
        `Service ${ns}/${service} is not set up for blue/green: its selector ${JSON.stringify(stable.spec?.selector ?? {})} has no ${plan.colorLabel}=blue|green`,
        {
          input: 'services',
          unchanged: 'nothing was changed',
          next: `add ${plan.colorLabel}: <color of the running Deployment> to the Service's selector (and pod labels), or set color-label to the key it uses`,
        },
      );
    }
    live = value;
  }
  const target: Color = live ? otherColor(live) : 'blue';
  const liveDeployment = live ? view.deployments.get(deploymentName(service, live)) : undefined;
  const manifest = plan.manifests?.get(service);
  let template: V1Deployment;
  let templateFrom: string;
  if (manifest) {
    template = manifest.deployment;
    templateFrom = manifest.where;
  } else if (liveDeployment) {
    template = liveDeployment;
    templateFrom = `Deployment ${deploymentName(service, live as Color)} (live)`;
  } else if (live) {
    throw new ExpeditorError(`Deployment ${ns}/${deploymentName(service, live)} does not exist, but Service ${service} sends traffic to ${plan.colorLabel}=${live}`, {
      input: 'services',
      unchanged: 'nothing was changed',
      next: `give a Deployment manifest (input 'manifest'), or name the live Deployment ${deploymentName(service, live)} (deploy-eks's convention)`,
    });
  } else {
    throw new ExpeditorError(`first deploy of ${service} in ${ns} (no Service ${service} yet) needs a Deployment manifest`, {
      input: 'manifest',
      unchanged: 'nothing was changed',
      next: "give the 'manifest' input (a file or directory with the service's Deployment)",
    });
  }

  // The live color's HPA (named by convention, or any aiming at the live Deployment) is copied.
  let hpa: V2HorizontalPodAutoscaler | undefined;
  let replicas = liveDeployment?.spec?.replicas ?? template.spec?.replicas ?? 1;
  if (live) {
    const liveHpa =
      view.hpas.find((h) => h.metadata?.name === hpaName(service, live)) ??
      view.hpas.find((h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === deploymentName(service, live));
    if (liveHpa) {
      hpa = copyHpa(liveHpa, { service, namespace: ns, color: target, colorLabel: plan.colorLabel, stamp });
      // Start where the live color is now, within the copy's bounds; the HPA takes it from there.
      const current = liveHpa.status?.currentReplicas ?? liveDeployment?.status?.replicas ?? replicas;
      replicas = Math.max(hpa.spec?.minReplicas ?? 1, Math.min(hpa.spec?.maxReplicas ?? current, current));
    }
  }

  const deployment = buildTargetDeployment(template, {
    service,
    namespace: ns,
    color: target,
    colorLabel: plan.colorLabel,
    image: plan.image,
    repository: plan.repository,
    container: plan.container,
    replicas,
    refs: plan.refs,
    stamp,
  });

  // IRSA: the pods' ServiceAccount carries the role; one that is missing is created. An existing
  // one is shared with the live color, so it is not changed here (only reported).
  let serviceAccount: V1ServiceAccount | undefined;
  const saName = deployment.spec?.template.spec?.serviceAccountName;
  if (plan.refs.irsaRole && saName) {
    const existing = view.serviceAccounts.get(saName);
    if (!existing) {
      serviceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: saName, namespace: ns, annotations: { [annotations.irsa]: plan.refs.irsaRole } } };
    } else if (existing.metadata?.annotations?.[annotations.irsa] !== plan.refs.irsaRole) {
      log.warning(
        `ServiceAccount ${ns}/${saName} has ${annotations.irsa}=${existing.metadata?.annotations?.[annotations.irsa] ?? '(none)'}, the environment says ${plan.refs.irsaRole}; left as it is because the live color uses it too`,
        plan.refs.key ? { key: `${plan.refs.key}.irsa-role` } : undefined,
      );
    }
  }

  // Ports and selector come from the stable Service, else (Ingress route) the live color's Service.
  const portsFrom = stable ?? (live ? view.services.get(colorServiceName(service, live)) : undefined);
  const serviceSpec = { service, namespace: ns, color: target, colorLabel: plan.colorLabel, live, stable: portsFrom, deployment, stamp };
  const preview = buildColorService(serviceSpec);
  const colorService = plan.route === 'ingress' ? buildColorService(serviceSpec, colorServiceName(service, target)) : undefined;
  const existing = new Map<string, Existing>();
  const known = (name: string | undefined, object: { metadata?: { resourceVersion?: string }; spec?: object } | undefined) => {
    if (name && object?.metadata?.resourceVersion) {
      const spec = object.spec as { clusterIP?: string; clusterIPs?: string[] } | undefined;
      existing.set(name, { resourceVersion: object.metadata.resourceVersion, clusterIP: spec?.clusterIP, clusterIPs: spec?.clusterIPs });
    }
  };
  known(`Deployment/${deployment.metadata?.name}`, view.deployments.get(deployment.metadata?.name ?? ''));
  known(`Service/${preview.metadata?.name}`, view.services.get(preview.metadata?.name ?? ''));
  if (colorService) known(`Service/${colorService.metadata?.name}`, view.services.get(colorService.metadata?.name ?? ''));
  if (hpa) known(`HorizontalPodAutoscaler/${hpa.metadata?.name}`, view.hpas.find((h) => h.metadata?.name === hpa.metadata?.name));
  return { service, live, target, stable, deployment, hpa, preview, colorService, serviceAccount, templateFrom, existing };
}

interface Ops<T> {
  read: () => Promise<T>;
  create: (body: T) => Promise<T>;
  replace: (body: T) => Promise<T>;
}

/**
 * Creates the object, or replaces the one there (the idle color's, from an earlier run) at the
 * version the lists saw; a conflict (someone changed or created it meanwhile) reads it again.
 */
async function write<T extends { metadata?: { resourceVersion?: string; name?: string }; spec?: unknown }>(
  connection: KubeConnection,
  kind: string,
  object: T,
  known: Existing | undefined,
  ops: Ops<T>,
): Promise<{ result: T; created: boolean }> {
  const what = `${kind} ${object.metadata?.name}`;
  let current = known;
  for (let attempt = 1; ; attempt++) {
    try {
      if (!current) return { result: await withRetry(() => ops.create(object)), created: true };
      const next = structuredClone(object);
      next.metadata = { ...next.metadata, resourceVersion: current.resourceVersion };
      // A Service keeps its cluster IP across a replace.
      const spec = next.spec as { clusterIP?: string; clusterIPs?: string[] } | undefined;
      if (spec && current.clusterIP) {
        spec.clusterIP = current.clusterIP;
        spec.clusterIPs = current.clusterIPs;
      }
      return { result: await withRetry(() => ops.replace(next)), created: false };
    } catch (error) {
      if ((isConflict(error) || isNotFound(error)) && attempt < 4) {
        const fresh = (await ops.read().catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)))) as
          | { metadata?: { resourceVersion?: string }; spec?: { clusterIP?: string; clusterIPs?: string[] } }
          | undefined;
        current = fresh?.metadata?.resourceVersion
          ? { resourceVersion: fresh.metadata.resourceVersion, clusterIP: fresh.spec?.clusterIP, clusterIPs: fresh.spec?.clusterIPs }
          : undefined;
        continue;
      }
      if (connection.signal?.aborted) throw error;
      const status = statusOf(error);
      if (status === 401 || status === 403) throw connectionError(connection, error);
      throw new ExpeditorError(`writing ${what}: ${describeError(error)}`, { unchanged: 'the live color still serves traffic', cause: error });
    }
  }
}

/** Writes the target's objects, independent ones in parallel. */
export async function apply(connection: KubeConnection, plan: DeployEksPlan, prepared: Prepared): Promise<Written> {
  const ns = plan.namespace;
  const { core, apps, autoscaling } = connection;
  const known = (kind: string, name: string | undefined) => prepared.existing.get(`${kind}/${name}`);
  if (prepared.serviceAccount) {
    // Pods would be refused without their ServiceAccount, so it comes first.
    await core.createNamespacedServiceAccount({ namespace: ns, body: prepared.serviceAccount }).catch((error: unknown) => {
      if (!isConflict(error)) throw error;
    });
  }
  const name = prepared.deployment.metadata?.name as string;
  const writes: Promise<unknown>[] = [];
  const deployment = write(connection, 'Deployment', prepared.deployment, known('Deployment', name), {
    read: () => apps.readNamespacedDeployment({ name, namespace: ns }),
    create: (body) => apps.createNamespacedDeployment({ namespace: ns, body }),
    replace: (body) => apps.replaceNamespacedDeployment({ name, namespace: ns, body }),
  });
  writes.push(deployment);
  if (prepared.hpa) {
    const hpa = prepared.hpa;
    const hpaName = hpa.metadata?.name as string;
    writes.push(
      write(connection, 'HorizontalPodAutoscaler', hpa, known('HorizontalPodAutoscaler', hpaName), {
        read: () => autoscaling.readNamespacedHorizontalPodAutoscaler({ name: hpaName, namespace: ns }),
        create: (body) => autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: ns, body }),
        replace: (body) => autoscaling.replaceNamespacedHorizontalPodAutoscaler({ name: hpaName, namespace: ns, body }),
      }),
    );
  }
  for (const service of [prepared.preview, prepared.colorService]) {
    if (!service) continue;
    const serviceName = service.metadata?.name as string;
    writes.push(
      write(connection, 'Service', service, known('Service', serviceName), {
        read: () => core.readNamespacedService({ name: serviceName, namespace: ns }),
        create: (body) => core.createNamespacedService({ namespace: ns, body }),
        replace: (body) => core.replaceNamespacedService({ name: serviceName, namespace: ns, body }),
      }),
    );
  }
  await Promise.all(writes);
  const { result, created } = await deployment;
  return { generation: result.metadata?.generation ?? 0, created };
}
