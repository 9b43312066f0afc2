// Route `ingress`: the Ingress path's backend names the live color's Service (`<service>-<color>`).
// A switch moves the backend to the target's Service in one guarded write; a canary shifts
// weights in steps through an AWS Load Balancer Controller forward action, pausing and checking
// the target after each step, and puts every path back on the live color if a check fails or
// the run is cancelled.
import type { V1Ingress, V1Service, V1ServiceBackendPort } from '@kubernetes/client-node';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { formatDuration, sleep } from '@expeditor/shared/deadline';
import { albActionAnnotation, annotations, canaryActionName, colorServiceName, type Color } from '@expeditor/bluegreen/names';
import { describeRecord, readRecord, recordAnnotations, recordAsItWas, targetColor } from './record.ts';
import { checkColor, notReadyError } from './ready-check.ts';
import { guardedPatch, SwitchConflictError } from './guard.ts';
import { selectorText } from '@expeditor/bluegreen/readiness';
import {
  canaryBackend,
  describePath,
  forwardActionAnnotation,
  liveColor,
  parsePathFilter,
  rulesWithBackend,
  serviceBackend,
  servicePaths,
  trafficText,
  type IngressPath,
  type ServicePaths,
} from '@expeditor/bluegreen/ingress';
import type { Analysis } from '@expeditor/analysis/analysis';
import { describeOutcome } from '@expeditor/analysis/analysis';
import type { MomentOutcome } from '@expeditor/analysis/run';
import { analysisBeforeSwitch, checkArgs } from './analysis.ts';
import { cancelledLeaving } from '@expeditor/shared/cancel-write';
import type { CanaryStep, EksSwitchDeps, EksSwitchOptions, EksSwitchResult } from './types.ts';

export interface IngressState {
  ingress: V1Ingress;
  paths: ServicePaths;
  live: Color;
}

export async function readIngressState(opts: EksSwitchOptions, deps: EksSwitchDeps): Promise<IngressState> {
  const name = opts.ingress ?? '';
  return ingressState(await deps.kube.readIngress(opts.namespace, name), opts);
}

/** The Ingress's paths for the service and the live color they serve; a missing Ingress names the input. */
export function ingressState(
  ingress: V1Ingress | undefined,
  opts: Pick<EksSwitchOptions, 'namespace' | 'ingress' | 'service' | 'ingressPath'>,
): IngressState {
  const name = opts.ingress ?? '';
  if (!ingress) {
    throw new ExpeditorError(`Ingress ${name} does not exist in namespace ${opts.namespace}`, {
      input: 'ingress',
      unchanged: 'nothing was changed',
      next: "check the 'ingress' and 'namespace' inputs",
    });
  }
  const paths = servicePaths(ingress, opts.service, opts.ingressPath ? parsePathFilter(opts.ingressPath) : undefined, opts.ingressPath);
  return { ingress, paths, live: liveColor(paths.traffic) };
}

export async function switchIngressRoute(opts: EksSwitchOptions, deps: EksSwitchDeps): Promise<EksSwitchResult> {
  const { kube, log } = deps;
  const name = opts.ingress ?? '';
  const rollback = opts.action === 'rollback';
  const state = await readIngressState(opts, deps);
  const { ingress, paths, live } = state;
  const traffic = paths.traffic;
  const shownPaths = paths.paths.map(describePath).join(', ');
  const recorded = readRecord(ingress.metadata?.annotations);
  const target = targetColor({ object: `Ingress ${name}`, recorded, live, rollback, asked: opts.targetColor });
  const base = { action: opts.action, route: 'ingress' as const, from: live };
  const actionKey = albActionAnnotation(canaryActionName(opts.service));
  if (traffic.kind === 'canary') log.warning(`Ingress ${name} is in the middle of a canary (${trafficText(traffic)}) that did not finish`);
  if (target === live && traffic.kind === 'backend') {
    const by = describeRecord(recorded);
    const note = `${target} is already live on Ingress ${name} (${shownPaths})${by ? `, switched ${by}` : ''}; nothing was changed`;
    log.info(note);
    return { ...base, to: live, switched: false, convergenceMs: undefined, note };
  }

  const targetService = colorServiceName(opts.service, target);
  const liveService = colorServiceName(opts.service, live);
  const port = traffic.port;
  const unchanged = `Ingress ${name} still sends ${trafficText(traffic)}${traffic.kind === 'backend' ? ' all traffic' : ''}; nothing was changed`;
  if (target !== live) {
    await log.group(`Checking that ${target} is ready`, async () => {
      const svc = await kube.readService(opts.namespace, targetService);
      const readiness = await targetReadiness(opts, deps, target, targetService, svc, port);
      if (!readiness.ready)
        throw notReadyError(`${rollback ? 'roll back' : 'switch'} Ingress ${name} to ${target}`, target, readiness, unchanged);
      log.info(`${target} is ready: ${readiness.readyPods.length} Ready pods, all ready endpoints of Service ${targetService}`);
    });
  }

  const steps = target !== live && opts.canary && opts.canary.length > 0 && !rollback ? opts.canary : [100];
  // Analysis: sources checked and the pre checks run against the target before any weight moves.
  const analysis =
    target !== live
      ? await analysisBeforeSwitch(opts, deps, target, { steps: steps.length, stepPauseMs: opts.stepPauseMs, unchanged }).catch(
          // A cancel before any weight moved: the line says where traffic still is.
          cancelledLeaving(unchanged),
        )
      : undefined;
  const args = checkArgs(opts, target);
  const originalRecord = recordAsItWas(ingress.metadata?.annotations);
  // Finishing an unfinished canary back onto the live color is no switch: nothing to record.
  const record: Record<string, string | null> =
    target === live ? {} : recordAnnotations({ previousColor: live, switchedAt: new Date(), commit: opts.commit, runUrl: opts.runUrl });
  let current = ingress;
  const done: CanaryStep[] = [];
  // Writes that landed, and whether one is in flight: a write cut off by a cancel may still
  // have landed, while a lost race (409) certainly did not.
  let landed = 0;
  let uncertain = false;
  const canary = steps.length > 1;
  try {
    for (const [i, weight] of steps.entries()) {
      const label = canary ? `step ${i + 1} of ${steps.length} (${weight}% to ${target})` : `${live} → ${target}`;
      await log.group(`Ingress ${name}: ${label}`, async () => {
        const final = weight === 100;
        const patch = final
          ? {
              metadata: { annotations: { ...record, [actionKey]: null } },
              spec: { rules: rulesWithBackend(current, paths.paths, serviceBackend(targetService, port)) },
            }
          : {
              metadata: { annotations: { [actionKey]: forwardActionAnnotation(opts.service, live, target, weight, port) } },
              spec: { rules: rulesWithBackend(current, paths.paths, canaryBackend(opts.service)) },
            };
        uncertain = true;
        current = await guardedPatch({
          resourceVersion: current.metadata?.resourceVersion ?? '',
          patch,
          send: (body) => kube.patchIngress(opts.namespace, name, body),
          read: () => kube.readIngress(opts.namespace, name),
          landed: (fresh) =>
            final
              ? target !== live && fresh.metadata?.annotations?.[annotations.switchedAt] === record[annotations.switchedAt]
              : fresh.metadata?.annotations?.[actionKey] === patch.metadata.annotations[actionKey],
          conflict: (fresh) => {
            uncertain = false;
            return ingressConflict(name, live, target, fresh, opts.service, i > 0);
          },
          signal: deps.signal,
        });
        uncertain = false;
        landed++;
        log.info(
          final
            ? `${shownPaths} → Service ${targetService} (100%)`
            : `${shownPaths} → action ${canaryActionName(opts.service)}: ${liveService} ${100 - weight}%, ${targetService} ${weight}%`,
        );
        if (!canary) return;
        // The pause lets the load balancer move traffic and the new color meet it.
        log.info(`pausing ${formatDuration(opts.stepPauseMs)}, then checking ${target}`);
        await sleep(opts.stepPauseMs, deps.signal);
        const failure = await stepCheck(opts, deps, {
          target,
          targetService,
          port,
          analysis,
          label: `step ${i + 1} of ${steps.length}, ${weight}%`,
        });
        if (failure) {
          done.push({ weight, outcome: 'failed', detail: failure });
          throw new StepFailed(i, weight, failure);
        }
        const checked = analysis?.has('step')
          ? analysis.checks.length === 1 && opts.probeUrl
            ? 'probe passed'
            : 'analysis passed'
          : undefined;
        done.push({ weight, outcome: 'passed', detail: checked ? `${target} ready; ${checked}` : `${target} ready` });
        log.info(`step ${i + 1} passed`);
      });
    }
    // The window after the switch: anything but passed puts every path back on the live color.
    if (analysis?.has('post')) {
      const post = await log.group(`Analysis of ${target} after the switch`, () => analysis.run('post', args, { signal: deps.signal }));
      if (post.state !== 'passed') throw new PostFailed(post);
    }
  } catch (error) {
    if (landed === 0 && !uncertain) throw error;
    const cancelled = deps.signal.aborted;
    if (cancelled && !(error instanceof StepFailed)) {
      const weight = steps[done.length] ?? 100;
      done.push({ weight, outcome: 'cancelled', detail: describeError(error) });
    }
    const restored = await restoreLive(opts, deps, { live, target, paths: paths.paths, port, actionKey, originalRecord }).then(
      () => undefined,
      (restoreError: unknown) => restoreError,
    );
    throw failedCanaryError({ name, service: opts.service, live, target, steps, error, restoreError: restored, canary });
  }

  const note = canary
    ? `canary on Ingress ${name} passed ${steps.map((s) => `${s}%`).join(', ')}: ${target} serves all traffic (was ${live})`
    : `${rollback ? 'rolled back' : 'switched'} Ingress ${name} (${shownPaths}) from ${live} to ${target}`;
  log.info(note);
  return { ...base, to: target, switched: true, convergenceMs: undefined, note, ...(canary ? { canarySteps: done } : {}) };
}

/** The post-switch analysis did not pass. */
class PostFailed extends Error {
  readonly outcome: MomentOutcome;
  constructor(outcome: MomentOutcome) {
    super(describeOutcome(outcome));
    this.outcome = outcome;
  }
}

class StepFailed extends Error {
  readonly index: number;
  readonly weight: number;
  constructor(index: number, weight: number, detail: string) {
    super(detail);
    this.index = index;
    this.weight = weight;
  }
}

/** Target ready, and its Service has the port the Ingress uses and selects it. */
async function targetReadiness(
  opts: EksSwitchOptions,
  deps: EksSwitchDeps,
  target: Color,
  targetService: string,
  svc: V1Service | undefined,
  port: V1ServiceBackendPort,
): Promise<{ ready: boolean; problems: string[]; readyPods: string[] }> {
  const problems = colorServiceProblems(svc, targetService, target, opts.colorLabel, port);
  if (!svc || !problems.selects) return { ready: false, problems: problems.problems, readyPods: [] };
  const selector = svc.spec?.selector ?? {};
  const readiness = await checkColor(deps.kube, {
    namespace: opts.namespace,
    service: opts.service,
    color: target,
    selector,
    endpointsService: targetService,
  });
  return {
    ...readiness,
    ready: readiness.ready && problems.problems.length === 0,
    problems: [...problems.problems, ...readiness.problems],
  };
}

/**
 * What is wrong with the target color's Service before its pods are looked at: missing, not
 * selecting the color (then `selects` is false and the pods are not worth checking), or without
 * the port the Ingress path uses.
 */
export function colorServiceProblems(
  svc: V1Service | undefined,
  targetService: string,
  target: Color,
  colorLabel: string,
  port: V1ServiceBackendPort,
): { problems: string[]; selects: boolean } {
  if (!svc)
    return { problems: [`Service ${targetService} (the ${target} color's Service the Ingress would use) does not exist`], selects: false };
  const selector = svc.spec?.selector ?? {};
  const problems: string[] = [];
  const selects = selector[colorLabel] === target;
  if (!selects)
    problems.push(
      `Service ${targetService} selects ${Object.keys(selector).length ? selectorText(selector) : 'nothing'}, not ${colorLabel}=${target}`,
    );
  const ports = svc.spec?.ports ?? [];
  const hasPort = port.number !== undefined ? ports.some((p) => p.port === port.number) : ports.some((p) => p.name === port.name);
  if (!hasPort) problems.push(`Service ${targetService} has no port ${port.number ?? port.name ?? '?'}, which the Ingress path uses`);
  return { problems, selects };
}

/** The health check after a step (readiness, then the step's analysis): undefined when it passed, else what failed. */
async function stepCheck(
  opts: EksSwitchOptions,
  deps: EksSwitchDeps,
  s: { target: Color; targetService: string; port: V1ServiceBackendPort; analysis: Analysis | undefined; label: string },
): Promise<string | undefined> {
  const svc = await deps.kube.readService(opts.namespace, s.targetService);
  const readiness = await targetReadiness(opts, deps, s.target, s.targetService, svc, s.port);
  if (!readiness.ready) return `${s.target} is no longer ready: ${readiness.problems.join('; ')}`;
  if (s.analysis?.has('step')) {
    const outcome = await s.analysis.run('step', checkArgs(opts, s.target), { signal: deps.signal, label: s.label });
    if (outcome.state !== 'passed') return stepFailureText(opts, outcome);
  }
  return undefined;
}

/** What failed a step; the probe-url input's check reads as the probe always did ("probe URL answered 503 …"). */
function stepFailureText(opts: EksSwitchOptions, outcome: MomentOutcome): string {
  const d = outcome.decisive;
  if (d?.check === 'probe' && opts.probeUrl && d.last) {
    return `probe ${opts.probeUrl} ${d.last.error ? d.last.error.replace(/^GET \S+ /, '') : `answered ${d.last.value}`}`;
  }
  return describeOutcome(outcome);
}

interface Restore {
  live: Color;
  target: Color;
  paths: readonly IngressPath[];
  port: V1ServiceBackendPort;
  actionKey: string;
  originalRecord: Record<string, string | null>;
}

/**
 * Every path back on the live color's Service, the forward action removed and the record as it
 * was before this run. Not bound to the run's signal: it must finish after a cancel. Re-reads
 * and tries again when something else wrote meanwhile, and leaves alone a path that no longer
 * routes to this service's colors (someone else's change).
 */
async function restoreLive(opts: EksSwitchOptions, deps: EksSwitchDeps, r: Restore): Promise<void> {
  const { kube, log } = deps;
  const name = opts.ingress ?? '';
  const liveService = colorServiceName(opts.service, r.live);
  for (let attempt = 1; ; attempt++) {
    const fresh = await kube.readIngress(opts.namespace, name);
    if (!fresh) throw new Error(`Ingress ${name} no longer exists`);
    const ours = new Set([colorServiceName(opts.service, r.target), canaryActionName(opts.service), liveService]);
    const paths = r.paths.filter((p) => {
      const now = fresh.spec?.rules?.[p.rule]?.http?.paths[p.index];
      return now && (now.path ?? '/') === p.path && ours.has(now.backend.service?.name ?? '');
    });
    try {
      await guardedPatch({
        resourceVersion: fresh.metadata?.resourceVersion ?? '',
        patch: {
          metadata: { annotations: { ...r.originalRecord, [r.actionKey]: null } },
          spec: { rules: rulesWithBackend(fresh, paths, serviceBackend(liveService, r.port)) },
        },
        send: (body) => kube.patchIngress(opts.namespace, name, body),
        read: () => kube.readIngress(opts.namespace, name),
        landed: () => false,
        conflict: () => new SwitchConflictError('conflict', '', ''),
      });
      log.info(`restored: ${paths.map(describePath).join(', ')} → Service ${liveService} (100%)`);
      return;
    } catch (error) {
      if (!(error instanceof SwitchConflictError) || attempt >= 5) throw error;
    }
  }
}

function failedCanaryError(f: {
  name: string;
  service: string;
  live: Color;
  target: Color;
  steps: readonly number[];
  error: unknown;
  restoreError: unknown;
  canary: boolean;
}): ExpeditorError {
  const { name, live, target, steps, error, restoreError } = f;
  const restoredText = restoreError
    ? `restoring ${live} FAILED (${describeError(restoreError)}): the Ingress may still send traffic to ${target}`
    : `traffic is back on ${live} (100%)`;
  let what: string;
  if (error instanceof StepFailed) {
    what = `canary step ${error.index + 1} of ${steps.length} (${error.weight}% to ${target}) failed its health check: ${error.message}`;
  } else if (error instanceof PostFailed) {
    what = `the analysis of ${target} after the switch did not pass: ${error.message}`;
  } else {
    what = `${f.canary ? 'the canary' : 'the switch'} on Ingress ${name} stopped: ${describeError(error)}`;
  }
  return new ExpeditorError(`${what}; ${restoredText}`, {
    cause: error,
    unchanged: restoreError ? `${target} keeps running` : `${live} serves all traffic again; ${target} keeps running for a look`,
    next: restoreError
      ? `put the Ingress path back on Service ${colorServiceName(f.service, live)} by hand (kubectl edit ingress ${name})`
      : `look at ${target} (pods, logs, the probe), redeploy, and run the switch again`,
  });
}

function ingressConflict(
  name: string,
  live: Color,
  target: Color,
  fresh: V1Ingress | undefined,
  service: string,
  midway: boolean,
): SwitchConflictError {
  const by = describeRecord(readRecord(fresh?.metadata?.annotations));
  let now = 'it no longer exists';
  if (fresh) {
    try {
      now = `it now sends ${trafficText(servicePaths(fresh, service, undefined).traffic)}`;
    } catch {
      now = 'its paths changed';
    }
  }
  return new SwitchConflictError(
    `someone else changed Ingress ${name} while this run was ${midway ? 'in the middle of its canary' : 'deciding'}: ${now}${by ? ` (switched ${by})` : ''}; this run's switch from ${live} to ${target} was not applied`,
    'the other change stands',
    'look at who else is switching this Ingress (concurrent workflow runs?), then run again if the switch is still wanted',
  );
}
