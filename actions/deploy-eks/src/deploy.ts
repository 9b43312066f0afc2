// deploy-eks's core: for every service, read (live color, template, HPA, references), then write
// the target color and point the preview Service at it, then wait by watching until every
// target is ready to switch or has failed. Services are handled in parallel and watched
// together (a handful of watches however many services); one failing does not stop the others.
import type { V1Deployment, V1EndpointSlice, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { formatDuration } from '@expeditor/shared/deadline';
import { ExpeditorError, ProblemsError, describeError } from '@expeditor/shared/errors';
import type { KubeConnection } from '@expeditor/kube/connect';
import { sources as kubeSources, waitRecording, type WatchSource } from '@expeditor/kube/watch';
import { ChangeLog, type Log } from '@expeditor/shared/log';
import { readNamespace } from './read.ts';
import { prepare, type Prepared } from './prepare.ts';
import { apply, type Written } from './apply.ts';
import { diagnose, diagnosisLines, type Diagnosis } from './diagnose.ts';
import { deploymentName, serviceLabel, type Color } from '@expeditor/bluegreen/names';
import type { DeployEksPlan } from './plan.ts';
import { assess, type Failure, type Progress } from './progress.ts';
import { dispositionText } from './documents.ts';
import { deployRolling } from './rolling.ts';
import { runStamp } from './target.ts';
import { applyWrites, firstDeployWrites, sharedWrites } from './manifest-apply.ts';

export interface ServiceResult {
  service: string;
  namespace: string;
  live: Color | null;
  /** The color brought up; null for a rolling update. */
  target: Color | null;
  deployment: string;
  /** null for a rolling update. */
  previewService: string | null;
  image: string;
  ready: boolean;
  replicas: number;
  available: number;
  /** Why it is not ready; null when it is. */
  reason: string | null;
  /** ms from the write to ready (or to the failure). */
  tookMs: number;
  /** When the action saw it ready (epoch ms, for the benches). */
  readyAt: number | null;
  templateFrom: string;
  hpa: boolean;
  /** For an Argo Rollout (rollout-deploy.ts): where it stands; `paused` = waiting for bluegreen-switch to promote. */
  rollout?: {
    name: string;
    activeService: string;
    phase: string;
    paused: boolean;
    /** Pod-template hashes: of the ReplicaSet serving now, and of the one this run brought up. */
    stableHash: string | null;
    newHash: string | null;
  };
  diagnosis?: Diagnosis | undefined;
}

export interface DeployEksResult {
  results: ServiceResult[];
  ready: boolean;
  /** Set when some service is not ready: what to report as the run's failure. */
  failure: ExpeditorError | undefined;
}

export interface DeployEksOptions {
  log: Log;
  signal?: AbortSignal | undefined;
  /** Clock for the deployed-at annotation. */
  now?: () => Date;
  /** Server-side timeout of each watch (default 300 s). */
  watchTimeoutSeconds?: number;
  /** Called the moment a service is seen ready (benches). */
  onReady?: (service: string, at: number) => void;
  /** Called when the writes are done and the wait starts (benches count requests from here). */
  onWaitStart?: () => void;
}

type Snapshot = { deployments: V1Deployment[]; replicaSets: V1ReplicaSet[]; pods: V1Pod[]; slices: V1EndpointSlice[] };

interface Tracked {
  prepared: Prepared;
  written: Written;
  startedAt: number;
  progress: Progress | undefined;
  failure: Failure | undefined;
  readyAt: number | undefined;
  /** The objects the last assessment saw (watch events replace objects, never mutate them). */
  assessed?: readonly unknown[];
}

export async function deployEks(plan: DeployEksPlan, connection: KubeConnection, options: DeployEksOptions): Promise<DeployEksResult> {
  if (plan.rollouts) return (await import('./rollout-deploy.ts')).deployRollouts(plan, connection, options);
  if (plan.strategy === 'rolling') return deployRolling(plan, connection, options);
  const { log } = options;
  const now = options.now?.() ?? new Date();
  for (const w of plan.warnings) log.warning(w.message, w.input ? { input: w.input } : undefined);

  // 1. Read everything first: a problem found now leaves the cluster as it was.
  const read = await log.group(
    `Reading ${plan.services.length === 1 ? plan.services[0] : `${plan.services.length} services`} in ${plan.namespace} (${connection.description})`,
    async () => {
      const view = await readNamespace(connection, plan, log);
      const outcomes = plan.services.map((s): PromiseSettledResult<Prepared> => {
        try {
          return { status: 'fulfilled', value: prepare(view, plan, s, log, runStamp(plan, s, now)) };
        } catch (reason) {
          return { status: 'rejected', reason };
        }
      });
      const problems = outcomes.flatMap((o) => (o.status === 'rejected' ? [toExpeditorError(o.reason)] : []));
      if (problems.length === 1 && problems[0]) throw problems[0];
      if (problems.length > 1)
        throw new ProblemsError(`${problems.length} of ${plan.services.length} services cannot be brought up`, problems);
      const ready = outcomes.map((o) => (o as PromiseFulfilledResult<Prepared>).value);
      for (const p of ready) {
        log.info(
          `${p.service}: live ${p.live ?? 'none (first deploy)'} → target ${p.target} (${deploymentName(p.service, p.target)}, ${p.deployment.spec?.replicas} replicas${p.hpa ? ', HPA copied' : ''}; template: ${p.templateFrom})`,
        );
      }
      return { prepared: ready, view };
    },
  );
  const prepared = read.prepared;

  // 1b. The manifest's other documents: each one's fate in the log, then every write tried as a
  // dry run, so one the apiserver refuses stops the run before anything changes.
  const shared = sharedWrites(plan);
  const targets = new Map(prepared.map((p) => [p.service, p.target]));
  const firstDeploy = plan.documents.length > 0 ? firstDeployWrites(plan, read.view, targets, log) : [];
  const perColor = prepared.flatMap((p) => p.perColor);
  if (plan.documents.length > 0) {
    await log.group(`Checking the manifest's ${plan.documents.length} documents`, async () => {
      for (const d of plan.documents) log.info(`${dispositionText(d)} (${d.where})`);
      // A namespace the manifest brings is created first: nothing in it can be tried before.
      const namespaces = shared.filter((w) => w.document.kind === 'Namespace');
      if (!read.view.namespaceExists) {
        await applyWrites(connection, namespaces, false);
        for (const w of namespaces) log.info(`created Namespace ${w.document.name}`);
      }
      await applyWrites(connection, [...shared, ...perColor, ...firstDeploy], true);
      await applyWrites(
        connection,
        shared.filter((w) => read.view.namespaceExists || w.document.kind !== 'Namespace'),
        false,
      );
      for (const w of shared) log.info(w.line);
    });
  }

  // 2. Write the target colors (never the live one) and the preview Services.
  const tracked = await log.group('Writing the target colors', async () => {
    const outcomes = await Promise.allSettled(
      prepared.map(async (p): Promise<Tracked> => {
        const startedAt = Date.now();
        const written = await apply(connection, plan, p);
        if (p.perColor.length > 0) {
          await applyWrites(connection, p.perColor, false);
          for (const w of p.perColor) log.info(`${p.service}: ${w.line}`);
        }
        log.info(
          `${p.service}: ${written.created ? 'created' : 'updated'} Deployment ${p.deployment.metadata?.name}, Service ${p.names.preview} → ${plan.colorLabel}=${p.target}`,
        );
        return { prepared: p, written, startedAt, progress: undefined, failure: undefined, readyAt: undefined };
      }),
    );
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${prepared[i]?.service}: ${describeError(o.reason)}`] : []));
    if (failed.length > 0) {
      throw new ExpeditorError(`writing the target color failed for ${failed.join('; ')}`, {
        unchanged: 'the live colors still serve traffic; the stable Services were not touched',
        next: 'fix the cause and run again (the idle color is overwritten each run)',
        cause: outcomes.find((o) => o.status === 'rejected')?.reason,
      });
    }
    // A first deploy: the stable Service and Ingress the manifest brings, on the target color.
    if (firstDeploy.length > 0) {
      await applyWrites(connection, firstDeploy, false);
      for (const w of firstDeploy) log.info(w.line);
    }
    return outcomes.map((o) => (o as PromiseFulfilledResult<Tracked>).value);
  });

  // 3. Watch every target until ready or failed.
  const waitError = await log.group(
    `Waiting for ${tracked.length === 1 ? `${tracked[0]?.prepared.service} ${tracked[0]?.prepared.target}` : `${tracked.length} services`} to be ready`,
    () => waitForAll(connection, plan, tracked, options),
  );

  // 4. Diagnose failures (events, logs) and report.
  const results: ServiceResult[] = await Promise.all(
    tracked.map(async (t): Promise<ServiceResult> => {
      const p = t.prepared;
      const progress = t.progress;
      let diagnosis: Diagnosis | undefined;
      let reason: string | null = null;
      if (t.failure) {
        diagnosis = await diagnose(connection, plan.namespace, t.failure, undefined);
        reason = `${t.failure.kind}${t.failure.pod ? ` (pod ${t.failure.pod})` : ''}: ${t.failure.message}`;
      } else if (!t.readyAt) {
        reason = `${waitError ? describeError(waitError) : 'not ready'}; ${progress?.line ?? `${p.target}: not observed yet`}`;
      }
      return {
        service: p.service,
        namespace: plan.namespace,
        live: p.live ?? null,
        target: p.target,
        deployment: deploymentName(p.service, p.target),
        previewService: p.names.preview,
        image: plan.images[p.service] ?? plan.image,
        ready: t.readyAt !== undefined,
        replicas: progress?.desired ?? p.deployment.spec?.replicas ?? 0,
        available: progress?.available ?? 0,
        reason,
        tookMs: (t.readyAt ?? Date.now()) - t.startedAt,
        readyAt: t.readyAt ?? null,
        templateFrom: p.templateFrom,
        hpa: p.hpa !== undefined,
        ...(diagnosis ? { diagnosis } : {}),
      };
    }),
  );
  for (const r of results) {
    if (r.diagnosis) {
      await log.group(`${r.service}: ${r.target} failed — ${r.diagnosis.kind}`, async () => {
        for (const line of diagnosisLines(r.diagnosis as Diagnosis)) log.info(line);
      });
      log.error(`${r.service}: ${r.reason}`);
    }
  }
  const notReady = results.filter((r) => !r.ready);
  const ready = notReady.length === 0;
  let failure: ExpeditorError | undefined;
  if (!ready) {
    const readyOnes = results.filter((r) => r.ready).map((r) => r.service);
    failure = new ExpeditorError(
      `${notReady.length} of ${results.length} ${results.length === 1 ? 'service is' : 'services are'} not ready to switch: ${notReady.map((r) => `${r.service} ${r.target} (${r.reason})`).join('; ')}`,
      {
        unchanged: `the live colors still serve traffic (${results.map((r) => `${r.service}: ${r.live ?? 'none'}`).join(', ')}); nothing was switched`,
        next: `${readyOnes.length ? `ready to switch: ${readyOnes.join(', ')}. ` : ''}Fix the cause (see the diagnosis above) and run deploy-eks again; the idle color is overwritten`,
        ...(waitError ? { cause: waitError } : {}),
      },
    );
  }
  return { results, ready, failure };
}

function toExpeditorError(error: unknown): ExpeditorError {
  return error instanceof ExpeditorError
    ? error
    : new ExpeditorError(describeError(error), { unchanged: 'nothing was changed', cause: error });
}

/**
 * One set of watches for all services (per target color: Deployments, ReplicaSets and Pods by
 * `app in (...)` and the color label; EndpointSlices of all preview Services). Returns the error
 * that ended the wait early (deadline, cancel), if any; per-service outcomes go into `tracked`.
 */
async function waitForAll(
  connection: KubeConnection,
  plan: DeployEksPlan,
  tracked: Tracked[],
  options: DeployEksOptions,
): Promise<Error | undefined> {
  const log = options.log;
  const changes = new ChangeLog(log);
  const s = kubeSources(connection, plan.namespace);
  const byColor = new Map<Color, string[]>();
  for (const t of tracked) byColor.set(t.prepared.target, [...(byColor.get(t.prepared.target) ?? []), t.prepared.service]);
  const sources: Record<string, WatchSource<never>> = {};
  for (const [color, services] of byColor) {
    const selector = `${serviceLabel} in (${services.join(',')}),${plan.colorLabel}=${color}`;
    sources[`deployments-${color}`] = s.deployments(selector) as WatchSource<never>;
    sources[`replicaSets-${color}`] = s.replicaSets(selector) as WatchSource<never>;
    sources[`pods-${color}`] = s.pods(selector) as WatchSource<never>;
  }
  // The preview Services, and on the Ingress route the target colors' own Services too.
  const watched = tracked.flatMap((t) => [
    t.prepared.names.preview,
    ...(t.prepared.colorService?.metadata?.name ? [t.prepared.colorService.metadata.name] : []),
  ]);
  const slicesPath = s.endpointSlices(watched[0] as string);
  const slicesSelector = `kubernetes.io/service-name in (${watched.join(',')})`;
  sources.slices = {
    path: slicesPath.path,
    labelSelector: slicesSelector,
    list: () => connection.discovery.listNamespacedEndpointSlice({ namespace: plan.namespace, labelSelector: slicesSelector }),
  } as WatchSource<never>;
  const prefix = (service: string): string => (tracked.length === 1 ? '' : `${service} `);
  options.onWaitStart?.();

  // Runs after every watch event: objects are grouped by service in one pass, and only a service
  // whose objects changed is assessed again, so a check costs O(objects), not O(services ×
  // objects) — with 50 services that was the largest part of the action's CPU while waiting.
  const check = (snapshot: Record<string, readonly unknown[]>): true | undefined => {
    const mine = byService(collect(snapshot), plan.colorLabel);
    let settled = 0;
    for (const t of tracked) {
      if (t.readyAt || t.failure) {
        settled++;
        continue;
      }
      const p = t.prepared;
      const own = mine.owned.get(ownerKey(p.service, p.target));
      const colorService = p.colorService?.metadata?.name;
      const observed = {
        deployment: mine.deployments.get(deploymentName(p.service, p.target)),
        replicaSets: own?.replicaSets ?? [],
        pods: own?.pods ?? [],
        slices: mine.slices.get(p.names.preview) ?? [],
        colorSlices: colorService ? { service: colorService, slices: mine.slices.get(colorService) ?? [] } : undefined,
      };
      const objects = [
        observed.deployment,
        ...observed.replicaSets,
        ...observed.pods,
        ...observed.slices,
        ...(observed.colorSlices?.slices ?? []),
      ];
      if (t.assessed && sameObjects(t.assessed, objects)) continue;
      t.assessed = objects;
      const progress = assess(observed, p.names, p.target, t.written.generation, p.preview.spec?.selector);
      t.progress = progress;
      changes.report(p.service, `${prefix(p.service)}${progress.line}`);
      if (progress.failure) {
        t.failure = progress.failure;
        settled++;
      } else if (progress.ready) {
        t.readyAt = Date.now();
        options.onReady?.(p.service, t.readyAt);
        log.info(
          `${prefix(p.service)}${p.target}: ready to switch (${progress.desired}/${progress.desired} available, preview ${p.names.preview} → ${progress.readyEndpoints.length} pods) in ${formatDuration(t.readyAt - t.startedAt)}`,
        );
        settled++;
      }
    }
    return settled === tracked.length ? true : undefined;
  };

  // On a deadline or cancel the last known state of each unfinished service is in `tracked`.
  return waitRecording(connection, {
    sources,
    check,
    signal: options.signal,
    ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
    onRestart: (source, why, detail) => log.debug(`watch ${source} ${why === 'gone' ? 'listed again' : 'resumed'}: ${detail}`),
  });
}

function collect(snapshot: Record<string, readonly unknown[]>): Snapshot {
  const out: Snapshot = { deployments: [], replicaSets: [], pods: [], slices: [] };
  for (const [key, items] of Object.entries(snapshot)) {
    const kind = key.split('-')[0] as keyof Snapshot;
    (out[kind] as unknown[]).push(...items);
  }
  return out;
}

function sameObjects(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const ownerKey = (service: string, color: string): string => `${service}\u0000${color}`;

/** The watched objects by service: Deployments by name, ReplicaSets and Pods by service + color labels, slices by Service. */
function byService(all: Snapshot, colorLabel: string) {
  const deployments = new Map<string, V1Deployment>();
  for (const d of all.deployments) deployments.set(d.metadata?.name ?? '', d);
  const owned = new Map<string, { replicaSets: V1ReplicaSet[]; pods: V1Pod[] }>();
  const ownedBy = (labels: Record<string, string> | undefined) => {
    const app = labels?.[serviceLabel];
    const color = labels?.[colorLabel];
    if (app === undefined || color === undefined) return undefined;
    const key = ownerKey(app, color);
    const entry = owned.get(key) ?? { replicaSets: [], pods: [] };
    owned.set(key, entry);
    return entry;
  };
  for (const rs of all.replicaSets) ownedBy(rs.metadata?.labels)?.replicaSets.push(rs);
  for (const pod of all.pods) ownedBy(pod.metadata?.labels)?.pods.push(pod);
  const slices = new Map<string, V1EndpointSlice[]>();
  for (const slice of all.slices) {
    const service = slice.metadata?.labels?.['kubernetes.io/service-name'] ?? '';
    const list = slices.get(service);
    if (list) list.push(slice);
    else slices.set(service, [slice]);
  }
  return { deployments, owned, slices };
}
