// The bring-up's write: the target color's objects as prepare.ts decided them, independent ones
// in parallel. Each is created, or replaced at the version the read saw (the idle color's, from
// an earlier run); writes never touch the live color's objects or the stable Service.
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { connectionError, isConflict, isNotFound, statusOf, type KubeConnection } from '@expeditor/kube/connect';
import { withRetry } from '@expeditor/shared/retry';
import type { DeployEksPlan } from './plan.ts';
import type { Existing, Prepared } from './prepare.ts';

export interface Written {
  generation: number;
  /** The target Deployment was created (not replaced). */
  created: boolean;
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
        const fresh = (await withRetry(() => ops.read()).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)))) as
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
      throw new ExpeditorError(`writing ${what}: ${describeError(error)}`, {
        unchanged: 'the live color still serves traffic',
        cause: error,
      });
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
    await withRetry(() => core.createNamespacedServiceAccount({ namespace: ns, body: prepared.serviceAccount as never })).catch(
      (error: unknown) => {
        if (!isConflict(error)) throw error;
      },
    );
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
