// `action: cleanup`: scale the color that no longer serves to zero, once it has been idle for the
// keep period, and optionally delete the preview Service. Never the live color: the live color is
// read again right before and right after the scale, and a rollback that raced it is undone.
import type { V1Deployment } from '@kubernetes/client-node';
import { ExpeditorError } from '@expeditor/shared/errors';
import { formatDuration, sleep } from '@expeditor/shared/deadline';
import { annotations, deploymentName, otherColor, type Color } from '@expeditor/bluegreen/names';
import { readRecord, type RecordedSwitch } from './record.ts';
import { guardedPatch, SwitchConflictError } from './guard.ts';
import { readStableService } from './service-route.ts';
import { readIngressState, type IngressState } from './ingress-route.ts';
import { trafficText } from '@expeditor/bluegreen/ingress';
import type { EksSwitchDeps, EksSwitchOptions, EksSwitchResult } from './types.ts';

export interface LiveState {
  live: Color;
  record: RecordedSwitch;
  /** "Service shop" or "Ingress shop" */
  what: string;
}

async function liveState(opts: EksSwitchOptions, deps: EksSwitchDeps): Promise<LiveState> {
  if (opts.route === 'service') {
    const stable = await readStableService(opts, deps);
    return { live: stable.live, record: readRecord(stable.service.metadata?.annotations), what: `Service ${opts.stableService}` };
  }
  return ingressLiveState(opts, await readIngressState(opts, deps));
}

/** The live color on the Ingress route; a canary half-way has no idle color to clean up. */
export function ingressLiveState(opts: Pick<EksSwitchOptions, 'ingress'>, state: IngressState): LiveState {
  if (state.paths.traffic.kind === 'canary') {
    throw new ExpeditorError(
      `Ingress ${opts.ingress ?? ''} is in the middle of a canary (${trafficText(state.paths.traffic)}): both colors serve`,
      {
        unchanged: 'nothing was changed',
        next: 'finish the switch (action switch) or roll it back first, then clean up',
      },
    );
  }
  return { live: state.live, record: readRecord(state.ingress.metadata?.annotations), what: `Ingress ${opts.ingress ?? ''}` };
}

/** Cleanup scales the idle color: asking for the live one is an error naming 'target-color'. */
export function checkCleanupTarget(asked: Color | undefined, live: LiveState): void {
  if (asked && asked === live.live) {
    throw new ExpeditorError(`${live.live} is the live color of ${live.what}: cleanup never scales the live color down`, {
      input: 'target-color',
      unchanged: 'nothing was changed',
      next: `leave 'target-color' empty (cleanup scales the idle color, ${otherColor(live.live)})`,
    });
  }
}

/**
 * How long to keep the idle color before scaling it down (ms; 0: now). The keep period runs from
 * the switch that made it idle; without a recorded switch time, or ending after the run's
 * deadline, it is an error naming 'keep'.
 */
export function keepWaitMs(k: { keepMs: number; live: LiveState; now: number; deadlineAt: number | undefined }): number {
  if (k.keepMs <= 0) return 0;
  const old = otherColor(k.live.live);
  const since = k.live.record.switchedAt;
  if (!since) {
    throw new ExpeditorError(
      `${k.live.what} has no recorded switch time (annotation ${annotations.switchedAt}), so the keep period cannot be measured`,
      {
        input: 'keep',
        unchanged: 'nothing was changed',
        next: "set 'keep' to 0s to scale the idle color down now",
      },
    );
  }
  const endsAt = since.getTime() + k.keepMs;
  const wait = endsAt - k.now;
  if (wait <= 0) return 0;
  if (k.deadlineAt !== undefined && endsAt > k.deadlineAt) {
    throw new ExpeditorError(
      `${old} has been idle since ${since.toISOString()}; the keep period of ${formatDuration(k.keepMs)} ends at ${new Date(endsAt).toISOString()}, after this run's deadline`,
      {
        input: 'keep',
        unchanged: `nothing was changed; ${old} keeps running as a hot standby`,
        next: 'run cleanup again after the keep period (e.g. a scheduled workflow), or lower keep',
      },
    );
  }
  return wait;
}

/** What to do with the idle color's Deployment: scale it from `replicas` to 0, or why not (a note). */
export function scaleDownDecision(
  name: string,
  deployment: V1Deployment | undefined,
): { replicas: number; resourceVersion: string } | { note: string } {
  if (!deployment) return { note: `Deployment ${name} does not exist; nothing to scale down` };
  const replicas = deployment.spec?.replicas ?? 1;
  if (replicas === 0) return { note: `Deployment ${name} is already scaled to zero` };
  return { replicas, resourceVersion: deployment.metadata?.resourceVersion ?? '' };
}

export async function cleanupOldColor(opts: EksSwitchOptions, deps: EksSwitchDeps): Promise<EksSwitchResult> {
  const { kube, log } = deps;
  const now = deps.now ?? Date.now;
  const first = await liveState(opts, deps);
  const live = first.live;
  const old = otherColor(live);
  const name = deploymentName(opts.service, old);
  const base = { action: 'cleanup' as const, route: opts.route, from: live, to: live, switched: false, convergenceMs: undefined };
  checkCleanupTarget(opts.targetColor, first);

  // The keep period runs from the switch that made `old` idle.
  const wait = keepWaitMs({ keepMs: opts.keepMs, live: first, now: now(), deadlineAt: deps.deadlineAt });
  if (wait > 0) {
    log.info(`keeping ${old} as a hot standby for ${formatDuration(wait)} more (idle since ${first.record.switchedAt?.toISOString()})`);
    await sleep(wait, deps.signal);
  }

  const deployment = await kube.readDeployment(opts.namespace, name);
  let scaledDown: EksSwitchResult['scaledDown'];
  const notes: string[] = [];
  const decision = scaleDownDecision(name, deployment);
  if ('note' in decision) {
    notes.push(decision.note);
  } else {
    const { replicas, resourceVersion } = decision;
    await log.group(`Scaling ${old} (Deployment ${name}) from ${replicas} to 0`, async () => {
      // Read the live color again right before: a rollback since the first read makes `old` live.
      const before = await liveState(opts, deps);
      if (before.live !== live) throw raced(first.what, before.live, 'nothing was changed');
      await guardedPatch({
        resourceVersion,
        patch: {
          metadata: {
            annotations: { [annotations.scaledDownFrom]: String(replicas), [annotations.scaledDownAt]: new Date(now()).toISOString() },
          },
          spec: { replicas: 0 },
        },
        send: (body) => kube.patchDeployment(opts.namespace, name, body),
        read: () => kube.readDeployment(opts.namespace, name),
        landed: (fresh) => fresh.spec?.replicas === 0,
        conflict: () =>
          new SwitchConflictError(
            `Deployment ${name} changed while this run was about to scale it down`,
            'nothing was changed',
            'run cleanup again once nothing else is changing the Deployment',
          ),
        signal: deps.signal,
      });
      // And right after: if a rollback slipped in between, give `old` its replicas back.
      const after = await liveState(opts, deps);
      if (after.live !== live) {
        await kube.patchDeployment(opts.namespace, name, {
          spec: { replicas },
          metadata: { annotations: { [annotations.scaledDownFrom]: null, [annotations.scaledDownAt]: null } },
        });
        throw raced(first.what, after.live, `Deployment ${name} was scaled back to ${replicas} replicas`);
      }
      log.info(`Deployment ${name}: replicas 0 (was ${replicas}); ${live} still serves`);
    });
    scaledDown = { deployment: name, replicas };
    notes.push(`scaled ${old} (Deployment ${name}) from ${replicas} to 0 replicas; ${live} serves`);
  }

  let previewRemoved = false;
  if (opts.removePreview) {
    const preview = opts.previewService;
    previewRemoved = await kube.deleteService(opts.namespace, preview);
    notes.push(previewRemoved ? `deleted the preview Service ${preview}` : `no preview Service ${preview} to delete`);
  }
  const note = notes.join('; ');
  log.info(note);
  return { ...base, note, scaledDown, previewRemoved };
}

function raced(what: string, liveNow: Color, unchanged: string): ExpeditorError {
  return new ExpeditorError(`${what} was switched to ${liveNow} while cleanup ran: ${liveNow} is live now and will not be scaled down`, {
    unchanged,
    next: 'run cleanup again once the switches are done',
  });
}
