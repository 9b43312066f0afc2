// One service's bring-up before the wait: read what is there (live color, template, HPA, the
// environment's ConfigMaps/Secrets), then write the target color's objects. Reading comes first
// for every service so a problem found then leaves the cluster untouched; writes never touch
// the live color's objects or the stable Service.
import type { V1Deployment, V1Service, V1ServiceAccount, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { connectionError, isConflict, isNotFound, statusOf, type KubeConnection } from '@expeditor/shared/kube/connect';
import { withRetry } from '@expeditor/shared/retry';
import type { Log } from '@expeditor/shared/log';
import type { DeployEksPlan } from './plan.ts';
import { annotations, colorServiceName, deploymentName, hpaName, isColor, otherColor, type Color } from './names.ts';
import { buildColorService, buildTargetDeployment, copyHpa } from './target.ts';

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
}

export interface Written {
  generation: number;
  /** How the target Deployment was written. */
  created: boolean;
}

interface Context {
  connection: KubeConnection;
  plan: DeployEksPlan;
  log: Log;
  stamp: Record<string, string>;
}

/** A read that retries what can heal, and turns "not there" into undefined. */
async function read<T>(ctx: Context, what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await withRetry(fn, {
      ...(ctx.connection.signal ? { signal: ctx.connection.signal } : {}),
      onRetry: (error, attempt) => ctx.log.info(`${what}: ${describeError(error)}; retry ${attempt}`),
    });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    if (ctx.connection.signal?.aborted) throw error;
    const status = statusOf(error);
    if (status === 401 || status === 403 || status === undefined) throw connectionError(ctx.connection, error);
    throw new ExpeditorError(`reading ${what}: ${describeError(error)}`, { unchanged: 'nothing was changed', cause: error });
  }
}

/** Checks the namespace exists (when we may read it): an unknown one names its input. */
export async function checkNamespace(connection: KubeConnection, plan: DeployEksPlan, log: Log): Promise<void> {
  const ctx = { connection, plan, log, stamp: {} };
  try {
    const ns = await read(ctx, `namespace ${plan.namespace}`, () => connection.core.readNamespace({ name: plan.namespace }));
    if (!ns) {
      throw new ExpeditorError(`namespace ${plan.namespace} does not exist in ${connection.description}`, {
        ...plan.namespaceOrigin,
        unchanged: 'nothing was changed',
        next: 'check the namespace name (and the cluster), or create the namespace first',
      });
    }
  } catch (error) {
    // Without the right to read namespaces, the first namespaced read tells instead.
    if (statusOf((error as { cause?: unknown }).cause) === 403) return;
    throw error;
  }
}

export async function prepare(connection: KubeConnection, plan: DeployEksPlan, service: string, log: Log, stamp: Record<string, string>): Promise<Prepared> {
  const ctx: Context = { connection, plan, log, stamp };
  const ns = plan.namespace;
  const stable = await read(ctx, `Service ${service}`, () => connection.core.readNamespacedService({ name: service, namespace: ns }));
  let live: Color | undefined;
  if (stable) {
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
  const liveDeployment = live
    ? await read(ctx, `Deployment ${deploymentName(service, live)}`, () => connection.apps.readNamespacedDeployment({ name: deploymentName(service, live), namespace: ns }))
    : undefined;
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
    const hpas = await read(ctx, `HorizontalPodAutoscalers in ${ns}`, () => connection.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns }));
    const liveHpa =
      hpas?.items.find((h) => h.metadata?.name === hpaName(service, live)) ??
      hpas?.items.find((h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === deploymentName(service, live));
    if (liveHpa) {
      hpa = copyHpa(liveHpa, { service, namespace: ns, color: target, colorLabel: plan.colorLabel, stamp });
      // Start where the live color is now, within the copy's bounds; the HPA takes it from there.
      const current = liveHpa.status?.currentReplicas ?? liveDeployment?.status?.replicas ?? replicas;
      replicas = Math.max(hpa.spec?.minReplicas ?? 1, Math.min(hpa.spec?.maxReplicas ?? current, current));
    }
  }

  // The environment's ConfigMaps and Secrets must exist, or every pod fails to start.
  const missing: string[] = [];
  await Promise.all([
    ...plan.refs.configMaps.map(async (name) => {
      if (!(await read(ctx, `ConfigMap ${name}`, () => connection.core.readNamespacedConfigMap({ name, namespace: ns })))) missing.push(`ConfigMap ${name}`);
    }),
    ...plan.refs.secrets.map(async (name) => {
      if (!(await read(ctx, `Secret ${name}`, () => connection.core.readNamespacedSecret({ name, namespace: ns })))) missing.push(`Secret ${name}`);
    }),
  ]);
  if (missing.length > 0) {
    throw new ExpeditorError(`${missing.sort().join(' and ')} ${missing.length === 1 ? 'does' : 'do'} not exist in namespace ${ns}`, {
      key: plan.refs.key ? `${plan.refs.key}.${missing[0]?.startsWith('ConfigMap') ? 'config-maps' : 'secrets'}` : undefined,
      unchanged: 'nothing was changed',
      next: 'create them in the namespace, or remove them from the environment file',
    });
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
    const existing = await read(ctx, `ServiceAccount ${saName}`, () => connection.core.readNamespacedServiceAccount({ name: saName, namespace: ns }));
    if (!existing) {
      serviceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: saName, namespace: ns, annotations: { [annotations.irsa]: plan.refs.irsaRole } } };
    } else if (existing.metadata?.annotations?.[annotations.irsa] !== plan.refs.irsaRole) {
      log.warning(
        `ServiceAccount ${ns}/${saName} has ${annotations.irsa}=${existing.metadata?.annotations?.[annotations.irsa] ?? '(none)'}, the environment says ${plan.refs.irsaRole}; left as it is because the live color uses it too`,
        { key: plan.refs.key ? `${plan.refs.key}.irsa-role` : undefined },
      );
    }
  }

  const serviceSpec = { service, namespace: ns, color: target, colorLabel: plan.colorLabel, live, stable, deployment, stamp };
  return {
    service,
    live,
    target,
    stable,
    deployment,
    hpa,
    preview: buildColorService(serviceSpec),
    colorService: plan.route === 'ingress' ? buildColorService(serviceSpec, colorServiceName(service, target)) : undefined,
    serviceAccount,
    templateFrom,
  };
}

/** Create, or replace what is there (the idle color's objects from an earlier run), retrying a conflict. */
async function upsert<T extends { metadata?: { resourceVersion?: string; name?: string } }>(
  ctx: Context,
  what: string,
  object: T,
  ops: { read: () => Promise<T>; create: (body: T) => Promise<T>; replace: (body: T) => Promise<T> },
  keep?: (existing: T, next: T) => void,
): Promise<{ result: T; created: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = await read(ctx, what, ops.read);
      if (!existing) return { result: await withRetry(() => ops.create(object)), created: true };
      const next = structuredClone(object);
      next.metadata = { ...next.metadata, resourceVersion: existing.metadata?.resourceVersion ?? '' };
      keep?.(existing, next);
      return { result: await withRetry(() => ops.replace(next)), created: false };
    } catch (error) {
      // Someone changed it between our read and write (or created it): read again.
      if ((isConflict(error) || statusOf(error) === 409) && attempt < 3) continue;
      if (error instanceof ExpeditorError) throw error;
      throw new ExpeditorError(`writing ${what}: ${describeError(error)}`, {
        unchanged: `the live color still serves traffic`,
        cause: error,
      });
    }
  }
}

export async function apply(connection: KubeConnection, plan: DeployEksPlan, prepared: Prepared, log: Log): Promise<Written> {
  const ctx: Context = { connection, plan, log, stamp: {} };
  const ns = plan.namespace;
  const { core, apps, autoscaling } = connection;
  if (prepared.serviceAccount) {
    const sa = prepared.serviceAccount;
    await core.createNamespacedServiceAccount({ namespace: ns, body: sa }).catch((error: unknown) => {
      if (!isConflict(error)) throw error;
    });
  }
  const name = prepared.deployment.metadata?.name as string;
  const { result, created } = await upsert(ctx, `Deployment ${name}`, prepared.deployment, {
    read: () => apps.readNamespacedDeployment({ name, namespace: ns }),
    create: (body) => apps.createNamespacedDeployment({ namespace: ns, body }),
    replace: (body) => apps.replaceNamespacedDeployment({ name, namespace: ns, body }),
  });
  if (prepared.hpa) {
    const hpa = prepared.hpa;
    const hpaName = hpa.metadata?.name as string;
    await upsert(ctx, `HorizontalPodAutoscaler ${hpaName}`, hpa, {
      read: () => autoscaling.readNamespacedHorizontalPodAutoscaler({ name: hpaName, namespace: ns }),
      create: (body) => autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: ns, body }),
      replace: (body) => autoscaling.replaceNamespacedHorizontalPodAutoscaler({ name: hpaName, namespace: ns, body }),
    });
  }
  for (const service of [prepared.preview, prepared.colorService]) {
    if (!service) continue;
    const serviceName = service.metadata?.name as string;
    await upsert(
      ctx,
      `Service ${serviceName}`,
      service,
      {
        read: () => core.readNamespacedService({ name: serviceName, namespace: ns }),
        create: (body) => core.createNamespacedService({ namespace: ns, body }),
        replace: (body) => core.replaceNamespacedService({ name: serviceName, namespace: ns, body }),
      },
      (existing, next) => {
        // The cluster IP cannot change on a replace.
        if (next.spec && existing.spec?.clusterIP) {
          next.spec.clusterIP = existing.spec.clusterIP;
          next.spec.clusterIPs = existing.spec.clusterIPs;
        }
      },
    );
  }
  return { generation: result.metadata?.generation ?? 0, created };
}

