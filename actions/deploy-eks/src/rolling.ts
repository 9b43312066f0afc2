// strategy: rolling on EKS (dev environments): each service's Deployment is updated in place —
// the manifest's, else the one already there named after the service — with the image set on the
// containers of its repository, applied server-side, then watched to readiness by the same
// predicate and diagnosis as a blue/green color. No colors, no preview, nothing to switch.
import type { V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { colorStatus, selectorText, type ColorStatus, type Failure } from '@expeditor/bluegreen/readiness';
import { formatDuration } from '@expeditor/shared/deadline';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { ChangeLog } from '@expeditor/shared/log';
import { repositoryOf } from '@expeditor/shared/patterns';
import { connectionError, isNotFound, statusOf, type KubeConnection } from '@expeditor/kube/connect';
import { sources as kubeSources, waitRecording, type WatchSource } from '@expeditor/kube/watch';
import type { DeployEksOptions, DeployEksResult, ServiceResult } from './deploy.ts';
import { diagnose, type Diagnosis } from './diagnose.ts';
import { applyWrites, fieldManager, serverFields, sharedWrites } from './manifest-apply.ts';
import { runStamp } from './target.ts';
import { dispositionText } from './documents.ts';
import type { DeployEksPlan } from './plan.ts';

interface Rollout {
  service: string;
  name: string;
  body: V1Deployment;
  templateFrom: string;
  generation: number;
  startedAt: number;
  status: ColorStatus | undefined;
  readyAt: number | undefined;
  failure: Failure | undefined;
}

/** The Deployment with the image on the containers (and init containers) of its repository. */
export function rolledDeployment(
  template: V1Deployment,
  plan: DeployEksPlan,
  service: string,
  stamp: Record<string, string>,
): V1Deployment {
  const image = plan.images[service] ?? plan.image;
  const repository = repositoryOf(image);
  const d = structuredClone(template);
  const podSpec = d.spec?.template?.spec;
  const containers = podSpec?.containers ?? [];
  const chosen = plan.container
    ? containers.filter((c) => c.name === plan.container)
    : containers.filter((c) => c.image && repositoryOf(c.image) === repository);
  if (chosen.length !== 1) {
    throw new ExpeditorError(
      plan.container
        ? `Deployment ${d.metadata?.name} has no container ${JSON.stringify(plan.container)} (have: ${containers.map((c) => c.name).join(', ')})`
        : `Deployment ${d.metadata?.name} has ${chosen.length === 0 ? 'no container running' : 'several containers running'} ${repository}: which one gets the new image?`,
      {
        input: 'container',
        unchanged: 'nothing was changed',
        next: `give the 'container' input (one of ${containers.map((c) => c.name).join(', ')})`,
      },
    );
  }
  for (const c of chosen) c.image = image;
  for (const c of podSpec?.initContainers ?? []) if (c.image && repositoryOf(c.image) === repository) c.image = image;
  const metadata = d.metadata ?? {};
  for (const key of serverFields) delete (metadata as Record<string, unknown>)[key];
  delete d.status;
  return {
    ...d,
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...metadata, namespace: plan.namespace, annotations: { ...metadata.annotations, ...stamp } },
  };
}

export async function deployRolling(plan: DeployEksPlan, connection: KubeConnection, options: DeployEksOptions): Promise<DeployEksResult> {
  const { log } = options;
  const now = options.now?.() ?? new Date();

  // 1. The Deployments to update: the manifest's, else the cluster's named after the service.
  const rollouts = await log.group(`Reading ${plan.services.join(', ')} in ${plan.namespace} (${connection.description})`, async () =>
    Promise.all(
      plan.services.map(async (service): Promise<Rollout> => {
        const manifest = plan.manifests?.get(service);
        let template = manifest?.deployment;
        let templateFrom = manifest?.where ?? '';
        if (!template) {
          template = await connection.apps
            .readNamespacedDeployment({ name: service, namespace: plan.namespace })
            .catch((error: unknown) => {
              if (!isNotFound(error)) throw error;
              throw new ExpeditorError(`Deployment ${plan.namespace}/${service} does not exist, and no manifest gives it`, {
                input: 'manifest',
                unchanged: 'nothing was changed',
                next: "give the 'manifest' input with the service's Deployment for a first deploy",
              });
            });
          templateFrom = `Deployment ${service} (in the cluster)`;
        }
        const body = rolledDeployment(template, plan, service, runStamp(plan, service, now));
        const name = body.metadata?.name ?? service;
        log.info(`${service}: Deployment ${name} updated in place with ${plan.images[service] ?? plan.image} (template: ${templateFrom})`);
        return {
          service,
          name,
          body,
          templateFrom,
          generation: 0,
          startedAt: 0,
          status: undefined,
          readyAt: undefined,
          failure: undefined,
        };
      }),
    ),
  );

  // 2. The manifest's other documents, then the Deployments; a dry run of everything first.
  const shared = sharedWrites(plan);
  const deployments = rollouts.map((r) => ({
    document: {
      object: r.body as never,
      where: r.templateFrom,
      kind: 'Deployment',
      name: r.name,
      disposition: { kind: 'apply' as const, images: [] },
    },
    body: r.body as never,
    line: `Deployment ${r.name}`,
  }));
  await log.group('Applying', async () => {
    for (const d of plan.documents) if (d.disposition.kind !== 'workload') log.info(`${dispositionText(d)} (${d.where})`);
    await applyWrites(connection, [...shared, ...deployments], true);
    await applyWrites(connection, shared, false);
    await Promise.all(
      rollouts.map(async (r) => {
        r.startedAt = Date.now();
        const written = (await connection.objects
          .patch(r.body as never, undefined, undefined, fieldManager, true, connection.k8s.PatchStrategy.ServerSideApply)
          .catch((error: unknown) => {
            const status = statusOf(error);
            if (status === 401 || status === 403) throw connectionError(connection, error);
            throw new ExpeditorError(`writing Deployment ${r.name}: ${describeError(error)}`, {
              unchanged: 'the Deployment keeps its last revision',
              cause: error,
            });
          })) as V1Deployment;
        r.generation = written.metadata?.generation ?? 0;
        log.info(`${r.service}: applied Deployment ${r.name} (generation ${r.generation})`);
      }),
    );
  });

  // 3. Watch each rollout until it is complete or fails.
  const waitError = await log.group(`Waiting for ${rollouts.map((r) => r.name).join(', ')} to roll out`, async () => {
    const changes = new ChangeLog(log);
    const s = kubeSources(connection, plan.namespace);
    const sources: Record<string, WatchSource<never>> = {};
    rollouts.forEach((r, i) => {
      const selector = selectorText(r.body.spec?.selector?.matchLabels ?? {});
      sources[`deployment-${i}`] = s.deployments(undefined, `metadata.name=${r.name}`) as WatchSource<never>;
      sources[`replicaSets-${i}`] = s.replicaSets(selector) as WatchSource<never>;
      sources[`pods-${i}`] = s.pods(selector) as WatchSource<never>;
    });
    const check = (snapshot: Record<string, readonly unknown[]>): true | undefined => {
      let settled = 0;
      rollouts.forEach((r, i) => {
        if (r.readyAt || r.failure) {
          settled++;
          return;
        }
        const deployment = (snapshot[`deployment-${i}`] as V1Deployment[] | undefined)?.[0];
        const uid = deployment?.metadata?.uid;
        const owned = (o: { metadata?: { ownerReferences?: { uid?: string }[] } }) =>
          o.metadata?.ownerReferences?.some((ref) => ref.uid === uid);
        const replicaSets = ((snapshot[`replicaSets-${i}`] ?? []) as V1ReplicaSet[]).filter(owned);
        const rsUids = new Set(replicaSets.map((rs) => rs.metadata?.uid));
        const pods = ((snapshot[`pods-${i}`] ?? []) as V1Pod[]).filter((p) =>
          p.metadata?.ownerReferences?.some((ref) => rsUids.has(ref.uid)),
        );
        const status = colorStatus({
          color: r.name,
          deploymentName: r.name,
          deployment,
          replicaSets,
          pods,
          writtenGeneration: r.generation,
        });
        r.status = status;
        changes.report(r.service, status.line);
        if (status.failure) {
          r.failure = status.failure;
          settled++;
        } else if (status.ready) {
          r.readyAt = Date.now();
          options.onReady?.(r.service, r.readyAt);
          log.info(`${r.name}: rolled out (${status.desired}/${status.desired} available) in ${formatDuration(r.readyAt - r.startedAt)}`);
          settled++;
        }
      });
      return settled === rollouts.length ? true : undefined;
    };
    options.onWaitStart?.();
    return waitRecording(connection, { sources, check, signal: options.signal });
  });

  // 4. Report, with a diagnosis of what failed.
  const results = await Promise.all(
    rollouts.map(async (r): Promise<ServiceResult> => {
      let diagnosis: Diagnosis | undefined;
      let reason: string | null = null;
      if (r.failure) {
        diagnosis = await diagnose(connection, plan.namespace, r.failure, undefined);
        reason = `${r.failure.kind}${r.failure.pod ? ` (pod ${r.failure.pod})` : ''}: ${r.failure.message}`;
      } else if (!r.readyAt) {
        reason = `${waitError ? describeError(waitError) : 'not ready'}; ${r.status?.line ?? 'not observed yet'}`;
      }
      return {
        service: r.service,
        namespace: plan.namespace,
        live: null,
        target: null,
        deployment: r.name,
        previewService: null,
        image: plan.images[r.service] ?? plan.image,
        ready: r.readyAt !== undefined,
        replicas: r.status?.desired ?? r.body.spec?.replicas ?? 0,
        available: r.status?.available ?? 0,
        reason,
        tookMs: (r.readyAt ?? Date.now()) - r.startedAt,
        readyAt: r.readyAt ?? null,
        templateFrom: r.templateFrom,
        hpa: false,
        ...(diagnosis ? { diagnosis } : {}),
      };
    }),
  );
  const notReady = results.filter((r) => !r.ready);
  const failure =
    notReady.length === 0
      ? undefined
      : new ExpeditorError(
          `${notReady.length} of ${results.length} rolling ${results.length === 1 ? 'update' : 'updates'} did not complete: ${notReady.map((r) => `${r.deployment} (${r.reason})`).join('; ')}`,
          {
            unchanged: 'the Deployments keep rolling toward the new image; Kubernetes leaves old pods serving until new ones are ready',
            next: 'fix the cause (see the diagnosis) and deploy again, or roll back with kubectl rollout undo',
            ...(waitError ? { cause: waitError } : {}),
          },
        );
  return { results, ready: notReady.length === 0, failure };
}
