// Route `service`: the stable Service's selector names the live color. A switch (or rollback)
// checks the target, patches the selector's color in one guarded request with the record
// annotations, then watches the Service's endpoints until only the target's pods remain.
import type { V1Service } from '@kubernetes/client-node';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { formatDuration } from '@expeditor/shared/deadline';
import { describeOutcome } from '@expeditor/analysis/analysis';
import { annotations, isColor, type Color } from '@expeditor/bluegreen/names';
import { describeRecord, readRecord, recordAnnotations, targetColor } from './record.ts';
import { analysisBeforeSwitch, checkArgs } from './analysis.ts';
import { rollBackSelector } from './selector-rollback.ts';
import { checkColor, notReadyError } from './ready-check.ts';
import { guardedPatch, SwitchConflictError } from './guard.ts';
import { selectorText } from '@expeditor/bluegreen/readiness';
import { waitForEndpoints } from './converge.ts';
import type { EksSwitchDeps, EksSwitchOptions, EksSwitchResult } from './types.ts';

export interface StableService {
  service: V1Service;
  selector: Record<string, string>;
  live: Color;
}

/** Reads the stable Service and its live color; errors name the input at fault. */
export async function readStableService(opts: EksSwitchOptions, deps: EksSwitchDeps): Promise<StableService> {
  return stableService(await deps.kube.readService(opts.namespace, opts.stableService), opts);
}

/** The stable Service's live color from its selector: missing, no color label or not a color is an error. */
export function stableService(
  service: V1Service | undefined,
  opts: Pick<EksSwitchOptions, 'namespace' | 'service' | 'stableService' | 'colorLabel'>,
): StableService {
  if (!service) {
    const renamed = opts.stableService !== opts.service;
    throw new ExpeditorError(`Service ${opts.stableService} does not exist in namespace ${opts.namespace}`, {
      input: renamed ? 'stable-service' : 'service',
      unchanged: 'nothing was changed',
      next: renamed
        ? `check the stable Service's name ('stable-service', or stable-service in the service's eks.services entry) and the namespace`
        : "check the 'service' and 'namespace' inputs (the stable Service, not a color's; a stable Service of another name is given as 'stable-service')",
    });
  }
  const selector = service.spec?.selector ?? {};
  const value = selector[opts.colorLabel];
  if (value === undefined) {
    const shown = Object.keys(selector).length ? selectorText(selector) : 'none';
    throw new ExpeditorError(`the selector of Service ${opts.stableService} (${shown}) has no color label '${opts.colorLabel}'`, {
      input: 'color-label',
      unchanged: 'nothing was changed',
      next: `give the label key that carries the color as 'color-label', or add ${opts.colorLabel}: <live color> to the Service's selector`,
    });
  }
  if (!isColor(value)) {
    throw new ExpeditorError(`Service ${opts.stableService} selects ${opts.colorLabel}=${value}, which is neither blue nor green`, {
      input: 'service',
      unchanged: 'nothing was changed',
      next: `point the Service at blue or green first`,
    });
  }
  return { service, selector, live: value };
}

/**
 * Whose endpoints the guard checks besides the target's pods: the preview Service when it is on
 * the target color (its ready endpoints must be the target's ready pods), else none — with why.
 */
export function previewToCheck(
  preview: V1Service | undefined,
  previewName: string,
  target: Color,
  colorLabel: string,
): { service: string | undefined; why?: string } {
  const previewColor = preview?.spec?.selector?.[colorLabel];
  if (preview && previewColor === target) return { service: previewName };
  if (preview)
    return {
      service: undefined,
      why: `preview Service ${previewName} points at ${previewColor ?? 'no color'}, not ${target}: checking ${target}'s pods directly`,
    };
  return { service: undefined, why: `no preview Service ${previewName}: checking ${target}'s pods directly` };
}

export async function switchServiceRoute(opts: EksSwitchOptions, deps: EksSwitchDeps): Promise<EksSwitchResult> {
  const { kube, log } = deps;
  const rollback = opts.action === 'rollback';
  const stable = await readStableService(opts, deps);
  const { live } = stable;
  const recorded = readRecord(stable.service.metadata?.annotations);
  const target = targetColor({ object: `Service ${opts.stableService}`, recorded, live, rollback, asked: opts.targetColor });
  const base = { action: opts.action, route: 'service' as const, from: live };
  if (target === live) {
    const by = describeRecord(recorded);
    const note = `${target} is already live on Service ${opts.stableService}${by ? ` (switched ${by})` : ''}; nothing was changed`;
    log.info(note);
    return { ...base, to: live, switched: false, convergenceMs: undefined, note };
  }

  const selector = { ...stable.selector, [opts.colorLabel]: target };
  const unchanged = `Service ${opts.stableService} still selects ${live}; nothing was changed`;
  await log.group(`Checking that ${target} is ready`, async () => {
    const previewName = opts.previewService;
    const chosen = previewToCheck(await kube.readService(opts.namespace, previewName), previewName, target, opts.colorLabel);
    const endpointsService = chosen.service;
    if (chosen.why) log.info(chosen.why);
    const readiness = await checkColor(kube, {
      namespace: opts.namespace,
      service: opts.service,
      color: target,
      selector,
      endpointsService,
    });
    if (!readiness.ready)
      throw notReadyError(`${rollback ? 'roll back' : 'switch'} Service ${opts.stableService} to ${target}`, target, readiness, unchanged);
    log.info(
      `${target} is ready: ${readiness.readyPods.length} Ready pods${endpointsService ? `, all ready endpoints of ${endpointsService}` : ''}`,
    );
  });

  // Analysis: sources checked and the pre checks run against the target before the selector moves.
  const analysis = await analysisBeforeSwitch(opts, deps, target, { steps: 1, stepPauseMs: 0, unchanged });
  const args = checkArgs(opts, target);

  const switchedAt = new Date();
  const record = recordAnnotations({ previousColor: live, switchedAt, commit: opts.commit, runUrl: opts.runUrl });
  const resourceVersion = stable.service.metadata?.resourceVersion ?? '';
  let sentAt = 0;
  const switching = log.group(`Switching Service ${opts.stableService}: ${live} → ${target}`, async () => {
    sentAt = performance.now();
    await guardedPatch({
      resourceVersion,
      patch: { metadata: { annotations: record }, spec: { selector: { [opts.colorLabel]: target } } },
      send: (body) => kube.patchService(opts.namespace, opts.stableService, body),
      read: () => kube.readService(opts.namespace, opts.stableService),
      landed: (fresh) => fresh.metadata?.annotations?.[annotations.switchedAt] === record[annotations.switchedAt],
      conflict: (fresh) => serviceConflict(opts, live, target, fresh),
      signal: deps.signal,
    });
    log.info(`selector is now ${selectorText(selector)} (recorded: previous color ${live}, ${switchedAt.toISOString()})`);
  });
  // Stopped (cancel, deadline) between retries of the write, an earlier attempt may have landed,
  // its answer lost. With a post analysis that is a switch nobody watched: rolled back below, like
  // a stopped convergence. (Without one, or when it did not land, eksSwitch says where traffic is.)
  let stoppedAtWrite: { stopped: unknown } | undefined;
  if (analysis?.has('post')) {
    await switching.catch(async (error: unknown) => {
      if (!deps.signal.aborted) throw error;
      const fresh = await kube.readService(opts.namespace, opts.stableService).catch(() => undefined);
      if (fresh?.metadata?.annotations?.[annotations.switchedAt] !== record[annotations.switchedAt]) throw error;
      stoppedAtWrite = { stopped: error };
    });
  } else await switching;

  const converging = stoppedAtWrite
    ? Promise.resolve(stoppedAtWrite)
    : log.group(`Waiting until Service ${opts.stableService}'s endpoints are only ${target}'s pods`, () =>
        waitForEndpoints(kube, {
          namespace: opts.namespace,
          service: opts.stableService,
          selector,
          since: sentAt,
          signal: deps.signal,
          log,
        }),
      );
  // Without a post analysis a switch stopped while converging stands (converge.ts says so); with
  // one, it is a switch nobody watched, rolled back like a post window that was stopped.
  const converged = analysis?.has('post') ? await converging.catch((error: unknown) => ({ stopped: error })) : await converging;
  if (analysis?.has('post')) {
    // Any end but passed — failed, inconclusive, a source that stopped answering, a cancelled
    // run — puts the selector back: a switch nobody could watch is not a switch that passed.
    let why: string | undefined;
    try {
      if ('stopped' in converged) throw converged.stopped;
      const post = await log.group(`Analysis of ${target} after the switch`, () => analysis.run('post', args, { signal: deps.signal }));
      if (post.state !== 'passed') why = `the analysis of ${target} after the switch did not pass: ${describeOutcome(post)}`;
    } catch (error) {
      why = `the analysis of ${target} after the switch was stopped: ${describeError(error)}`;
    }
    if (why) {
      const restored = await log.group(`Rolling Service ${opts.stableService} back to ${live}`, () =>
        rollBackSelector(opts, deps, { live, target, selector: stable.selector, before: stable.service.metadata?.annotations }),
      );
      throw new ExpeditorError(`${why}; ${restored.text}`, {
        unchanged: restored.ok
          ? `${live} serves all traffic again; ${target} keeps running for a look`
          : `${target} may still serve traffic`,
        next: restored.ok
          ? `look at ${target} (the evaluations in the step summary, its pods and logs), redeploy, and run the switch again`
          : `put Service ${opts.stableService}'s selector back on ${opts.colorLabel}=${live} by hand (kubectl edit service ${opts.stableService})`,
      });
    }
  }
  // (Only narrows the type: a stopped convergence with a post analysis was rolled back above.)
  if ('stopped' in converged) throw converged.stopped;
  const note = `${rollback ? 'rolled back' : 'switched'} Service ${opts.stableService} from ${live} to ${target}; its endpoints were only ${target}'s ${converged.endpoints} pods after ${formatDuration(converged.ms)}`;
  log.info(note);
  return { ...base, to: target, switched: true, convergenceMs: converged.ms, note };
}

function serviceConflict(opts: EksSwitchOptions, live: Color, target: Color, fresh: V1Service | undefined): SwitchConflictError {
  const now = fresh?.spec?.selector?.[opts.colorLabel];
  const by = describeRecord(readRecord(fresh?.metadata?.annotations));
  const what =
    now !== live
      ? `someone else switched Service ${opts.stableService} while this run was deciding: it now selects ${now ?? 'no color'}${by ? ` (switched ${by})` : ''}`
      : `someone else changed Service ${opts.stableService} while this run was deciding (it still selects ${live})`;
  return new SwitchConflictError(
    `${what}; this run's switch to ${target} was not applied`,
    'the other change stands; this run changed nothing',
    'look at who else is changing this Service (concurrent workflow runs?), then run again if the switch is still wanted',
  );
}
