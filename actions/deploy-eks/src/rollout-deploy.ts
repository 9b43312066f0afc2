// deploy-eks for Argo Rollouts: each service's Rollout from the manifest gets the image on the
// containers of its repository and is applied server-side with the manifest's other documents (a
// dry run of everything first), then watched until the new ReplicaSet is ready and the Rollout
// is paused for promotion — bluegreen-switch promotes or aborts it from there. A Rollout that
// promotes itself (autoPromotionEnabled not false) or a first revision is followed to Healthy.
// Argo owns the Services' selectors and the two ReplicaSets; deploy-eks writes only the Rollout.
import { formatDuration } from '@expeditor/shared/deadline';
import { ExpeditorError, ProblemsError, describeError, originError } from '@expeditor/shared/errors';
import { ChangeLog } from '@expeditor/shared/log';
import { repositoryOf } from '@expeditor/shared/patterns';
import { selectorText } from '@expeditor/bluegreen/readiness';
import { connectionError, isNotFound, type KubeConnection } from '@expeditor/kube/connect';
import { sources as kubeSources, waitRecording, type WatchSource } from '@expeditor/kube/watch';
import type { V1EndpointSlice, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { DeployEksOptions, DeployEksResult, ServiceResult } from './deploy.ts';
import { diagnose, diagnosisLines, type Diagnosis } from './diagnose.ts';
import { dispositionText } from './documents.ts';
import { applyWrites, serverFields, sharedWrites, type DocumentWrite } from './manifest-apply.ts';
import type { DeployEksPlan } from './plan.ts';
import { readRollout, rolloutSource } from './rollout-cluster.ts';
import type { ManifestRollout, RolloutObject } from './rollout-manifest.ts';
import { rolloutState, templateImages, type LiveRollout, type RolloutState } from './rollout-status.ts';
import { runStamp } from './target.ts';

interface Tracked {
  service: string;
  planned: ManifestRollout;
  name: string;
  body: RolloutObject;
  live: LiveRollout | undefined;
  startedAt: number;
  state: RolloutState | undefined;
  doneAt: number | undefined;
}

/** The Rollout as it will be applied: the image on the containers of its repository, this run's stamp. */
export function rolloutBody(planned: ManifestRollout, plan: DeployEksPlan, service: string, stamp: Record<string, string>): RolloutObject {
  const body = structuredClone(planned.rollout);
  const image = plan.images[service] ?? plan.image;
  const repository = repositoryOf(image);
  const podSpec = body.spec.template?.spec;
  const containers = podSpec?.containers ?? [];
  const chosen = plan.container
    ? containers.filter((c) => c.name === plan.container)
    : containers.filter((c) => c.image && repositoryOf(c.image) === repository);
  const name = body.metadata?.name ?? service;
  if (chosen.length !== 1) {
    const names = containers.map((c) => c.name).join(', ');
    throw new ExpeditorError(
      plan.container
        ? `${planned.where}: Rollout ${name} has no container ${JSON.stringify(plan.container)} (have: ${names})`
        : `${planned.where}: Rollout ${name} has ${chosen.length === 0 ? 'no container running' : 'several containers running'} ${repository}: which one gets the new image?`,
      { input: 'container', unchanged: 'nothing was changed', next: `give the 'container' input (one of ${names})` },
    );
  }
  for (const c of chosen) c.image = image;
  for (const c of podSpec?.initContainers ?? []) if (c.image && repositoryOf(c.image) === repository) c.image = image;
  const metadata: Record<string, unknown> = { ...body.metadata };
  for (const key of serverFields) delete metadata[key];
  delete body.status;
  return {
    ...body,
    metadata: { ...metadata, namespace: plan.namespace, annotations: { ...body.metadata?.annotations, ...stamp } },
  };
}

/**
 * The Services the Rollout names: each must exist, in the manifest or in the cluster (Argo would
 * stall on a missing one). Returns those already in the cluster: Argo owns their selectors (it
 * adds the pod-template hash, and Service selectors are one atomic field to server-side apply), so
 * applying the manifest's copy again would point them at every ReplicaSet at once; they are left as they are.
 */
async function namedServices(
  connection: KubeConnection,
  plan: DeployEksPlan,
  t: Tracked,
): Promise<{ problems: ExpeditorError[]; existing: string[] }> {
  const inManifest = new Set(plan.documents.filter((d) => d.kind === 'Service').map((d) => d.name));
  const named = [
    ['activeService', t.planned.activeService],
    ['previewService', t.planned.previewService],
  ] as const;
  const problems: ExpeditorError[] = [];
  const existing: string[] = [];
  for (const [key, service] of named) {
    if (!service) continue;
    const found = await connection.core.readNamespacedService({ namespace: plan.namespace, name: service }).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw connectionError(connection, error);
    });
    if (found) existing.push(service);
    else if (!inManifest.has(service)) {
      problems.push(
        originError(
          plan.manifestOrigin,
          `${t.planned.where}: Rollout ${t.name}: spec.strategy.blueGreen.${key} names Service ${service}, which is neither in the manifest nor in namespace ${plan.namespace}`,
          {
            unchanged: 'nothing was changed',
            next: `add Service ${service} to the manifest (selecting the Rollout's pods), or fix spec.strategy.blueGreen.${key}`,
          },
        ),
      );
    }
  }
  return { problems, existing };
}

export async function deployRollouts(plan: DeployEksPlan, connection: KubeConnection, options: DeployEksOptions): Promise<DeployEksResult> {
  const { log } = options;
  const now = options.now?.() ?? new Date();
  const planned = plan.rollouts ?? new Map<string, ManifestRollout>();
  for (const w of plan.warnings) log.warning(w.message, w.input ? { input: w.input } : undefined);

  // 1. Read: the live Rollouts and the Services they name; a problem found here changes nothing.
  const { all: tracked, argoServices } = await log.group(
    `Reading ${plan.services.join(', ')} in ${plan.namespace} (${connection.description})`,
    async () => {
      const all = await Promise.all(
        plan.services.map(async (service): Promise<Tracked> => {
          const p = planned.get(service) as ManifestRollout;
          const body = rolloutBody(p, plan, service, runStamp(plan, service, now));
          const name = body.metadata.name ?? service;
          const live = await readRollout(connection, plan.namespace, name);
          return { service, planned: p, name, body, live, startedAt: 0, state: undefined, doneAt: undefined };
        }),
      );
      const named = await Promise.all(all.map((t) => namedServices(connection, plan, t)));
      const problems = named.flatMap((n) => n.problems);
      if (problems.length === 1 && problems[0]) throw problems[0];
      if (problems.length > 1) throw new ProblemsError(`${problems.length} Services the Rollouts name are missing`, problems);
      for (const t of all) {
        const stable = t.live?.status?.stableRS;
        const promotion = t.planned.autoPromotion
          ? 'autoPromotionEnabled is not false: Argo promotes by itself, so deploy-eks follows it to Healthy'
          : 'autoPromotionEnabled false: deploy-eks waits until it is paused for promotion';
        log.info(
          `${t.service}: Rollout ${t.name} (${t.planned.where}), active Service ${t.planned.activeService}${t.planned.previewService ? `, preview Service ${t.planned.previewService}` : ''}; ${stable ? `stable ReplicaSet ${t.name}-${stable}` : 'first revision (Argo makes it active without a pause)'}; ${promotion}`,
        );
      }
      return { all, argoServices: new Set(named.flatMap((n) => n.existing)) };
    },
  );

  // 2. Apply: the other documents and the Rollouts, all tried as a dry run first.
  const shared = sharedWrites(plan).filter((w) => !(w.document.kind === 'Service' && argoServices.has(w.document.name)));
  const rolloutWrites: DocumentWrite[] = tracked.map((t) => ({
    document: {
      object: t.body as never,
      where: t.planned.where,
      kind: 'Rollout',
      name: t.name,
      disposition: { kind: 'apply', images: [] },
    },
    body: t.body as never,
    line: `Rollout ${t.name}`,
  }));
  await log.group('Applying', async () => {
    for (const d of plan.documents) {
      if (d.disposition.kind === 'workload') continue;
      const argo = d.kind === 'Service' && argoServices.has(d.name);
      log.info(
        `${argo ? `Service ${d.name}: exists, left as it is (Argo Rollouts manages its selector)` : dispositionText(d)} (${d.where})`,
      );
    }
    // A namespace the manifest brings comes first, as for colors: nothing in it can be tried before.
    const namespaces = shared.filter((w) => w.document.kind === 'Namespace');
    await applyWrites(connection, namespaces, false);
    await applyWrites(connection, [...shared, ...rolloutWrites], true);
    await applyWrites(connection, shared, false);
    // The wait lists each Rollout after this write, so the generation it sees is at least ours.
    const startedAt = Date.now();
    await applyWrites(connection, rolloutWrites, false);
    for (const t of tracked) {
      t.startedAt = startedAt;
      log.info(`${t.service}: applied Rollout ${t.name} with ${plan.images[t.service] ?? plan.image}`);
    }
  });

  // 3. Watch each Rollout, its ReplicaSets and pods until paused for promotion (or Healthy), or failed.
  const waitError = await log.group(`Waiting for ${tracked.map((t) => t.name).join(', ')}`, () =>
    waitForRollouts(connection, plan, tracked, options),
  );

  // 4. Report, with the pod's diagnosis when a pod is what failed.
  const results = await Promise.all(tracked.map((t) => resultOf(connection, plan, t, waitError)));
  for (const r of results) {
    if (r.diagnosis) {
      await log.group(`${r.service}: Rollout ${r.deployment} failed — ${r.diagnosis.kind}`, async () => {
        for (const line of diagnosisLines(r.diagnosis as Diagnosis)) log.info(line);
      });
    }
    if (r.reason) log.error(`${r.service}: ${r.reason}`);
  }
  const notReady = results.filter((r) => !r.ready);
  const failure =
    notReady.length === 0
      ? undefined
      : new ExpeditorError(
          `${notReady.length} of ${results.length} ${results.length === 1 ? 'Rollout is' : 'Rollouts are'} not ready to promote: ${notReady.map((r) => `${r.deployment} (${r.reason})`).join('; ')}`,
          {
            unchanged: 'each active Service still sends traffic to its stable ReplicaSet; nothing was promoted',
            next: 'fix the cause (see above) and run deploy-eks again: Argo replaces the preview ReplicaSet with the new template',
            ...(waitError ? { cause: waitError } : {}),
          },
        );
  return { results, ready: notReady.length === 0, failure };
}

async function waitForRollouts(
  connection: KubeConnection,
  plan: DeployEksPlan,
  tracked: Tracked[],
  options: DeployEksOptions,
): Promise<Error | undefined> {
  const { log } = options;
  const changes = new ChangeLog(log);
  const s = kubeSources(connection, plan.namespace);
  const sources: Record<string, WatchSource<never>> = {};
  tracked.forEach((t, i) => {
    const selector = selectorText(t.body.spec.selector?.matchLabels ?? {});
    sources[`rollout-${i}`] = rolloutSource(connection, plan.namespace, t.name) as WatchSource<never>;
    sources[`replicaSets-${i}`] = s.replicaSets(selector) as WatchSource<never>;
    sources[`pods-${i}`] = s.pods(selector) as WatchSource<never>;
    if (t.planned.previewService) sources[`slices-${i}`] = s.endpointSlices(t.planned.previewService) as WatchSource<never>;
  });
  const check = (snapshot: Record<string, readonly unknown[]>): true | undefined => {
    let settled = 0;
    tracked.forEach((t, i) => {
      if (t.doneAt || t.state?.outcome === 'failed') {
        settled++;
        return;
      }
      const rollout = (snapshot[`rollout-${i}`] as LiveRollout[] | undefined)?.[0];
      const uid = rollout?.metadata?.uid;
      const replicaSets = ((snapshot[`replicaSets-${i}`] ?? []) as V1ReplicaSet[]).filter((rs) =>
        rs.metadata?.ownerReferences?.some((o) => o.uid === uid),
      );
      const state = rolloutState({
        rollout,
        replicaSets,
        pods: (snapshot[`pods-${i}`] ?? []) as V1Pod[],
        images: templateImages(t.body.spec.template),
        previewSlices: (snapshot[`slices-${i}`] ?? []) as V1EndpointSlice[],
      });
      t.state = state;
      changes.report(t.service, tracked.length === 1 ? state.line : `${t.service}: ${state.line}`);
      if (state.outcome === 'failed') settled++;
      else if (state.outcome === 'paused' || state.outcome === 'healthy') {
        t.doneAt = Date.now();
        options.onReady?.(t.service, t.doneAt);
        log.info(
          `${t.name}: ${state.outcome === 'paused' ? 'ready to promote' : 'Healthy on the new ReplicaSet'} (${state.available}/${state.desired} available) in ${formatDuration(t.doneAt - t.startedAt)}`,
        );
        settled++;
      }
    });
    return settled === tracked.length ? true : undefined;
  };
  options.onWaitStart?.();
  return waitRecording(connection, {
    sources,
    check,
    signal: options.signal,
    ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
  });
}

async function resultOf(connection: KubeConnection, plan: DeployEksPlan, t: Tracked, waitError: Error | undefined): Promise<ServiceResult> {
  const state = t.state;
  const failure = state?.failure;
  // A pod's failure gets its events and logs; a Degraded Rollout's message says it all.
  const diagnosis = failure?.pod ? await diagnose(connection, plan.namespace, failure, undefined) : undefined;
  const reason = failure
    ? `${failure.pod ? `${failure.kind} (pod ${failure.pod}): ` : ''}${failure.message}`
    : t.doneAt
      ? null
      : `${waitError ? describeError(waitError) : 'not ready'}; ${state?.line ?? 'not observed yet'}`;
  return {
    service: t.service,
    namespace: plan.namespace,
    live: null,
    target: null,
    deployment: t.name,
    previewService: t.planned.previewService ?? null,
    image: plan.images[t.service] ?? plan.image,
    ready: t.doneAt !== undefined,
    replicas: state?.desired ?? t.body.spec.replicas ?? 0,
    available: state?.available ?? 0,
    reason,
    tookMs: (t.doneAt ?? Date.now()) - t.startedAt,
    readyAt: t.doneAt ?? null,
    templateFrom: t.planned.where,
    hpa: false,
    rollout: {
      name: t.name,
      activeService: t.planned.activeService,
      phase: state?.phase ?? '',
      paused: state?.outcome === 'paused',
      stableHash: state?.stableHash ?? null,
      newHash: state?.newHash ?? null,
    },
    ...(diagnosis ? { diagnosis } : {}),
  };
}
