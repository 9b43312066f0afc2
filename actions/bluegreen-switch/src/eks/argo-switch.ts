// bluegreen-switch on an Argo Rollouts blue/green Rollout (input `rollout`): `switch` promotes a
// Rollout paused for promotion and waits until it is Healthy with the active Service on the new
// ReplicaSet; `rollback` aborts an update and waits until the active Service is on the stable
// ReplicaSet. Argo moves the Service's selector itself; the switch writes only what the kubectl
// plugin writes, in one guarded patch, then follows the Rollout and its own AnalysisRuns (one line
// per change) and the active Service's endpoints, so a failure names the AnalysisRun that decided.
import { ExpeditorError } from '@expeditor/shared/errors';
import { cleanupMs } from '@expeditor/aws/pacing';
import { CancelledError, DeadlineError, formatDuration, settledWithin } from '@expeditor/shared/deadline';
import { ChangeLog } from '@expeditor/shared/log';
import { WaitInterrupted, waitUntil } from '@expeditor/kube/watch';
import { analysisRunLine, failedRuns, ownedRuns, type AnalysisRun } from './argo-analysis.ts';
import { argoSources, patchRolloutSpec, patchRolloutStatus, readSwitchRollout } from './argo-kube.ts';
import {
  abortDecision,
  abortProgress,
  promotionDecision,
  promotionProgress,
  type RolloutDecision,
  type SwitchRollout,
} from './argo-rollout.ts';
import { podHashLabel } from '@expeditor/bluegreen/argo-rollout';
import { waitForEndpoints } from './converge.ts';
import { guardedPatch, SwitchConflictError } from './guard.ts';
import type { EksSwitchDeps, EksSwitchOptions, EksSwitchResult } from './types.ts';

type PatchDecision = Extract<RolloutDecision, { kind: 'patch' }>;

interface Target {
  name: string;
  promote: boolean;
  read: () => Promise<SwitchRollout>;
}

export async function switchRollout(opts: EksSwitchOptions, deps: EksSwitchDeps): Promise<EksSwitchResult> {
  const { log } = deps;
  const connection = deps.kube.connection;
  const name = opts.rollout ?? '';
  const target: Target = { name, promote: opts.action === 'switch', read: () => readSwitchRollout(connection, opts.namespace, name) };
  const before = await target.read();
  const decision = decide(target, before);
  const base = { action: opts.action, route: 'service' as const, from: decision.from, to: decision.to };
  if (decision.kind === 'nothing') {
    log.info(decision.note);
    return { ...base, switched: false, convergenceMs: undefined, note: decision.note };
  }

  return log.group(`${target.promote ? 'Promoting' : 'Aborting'} Rollout ${name}: active ${decision.from} → ${decision.to}`, async () => {
    const since = performance.now();
    const sent = await sendStatus(target, before, decision, opts, deps).catch((error: unknown) => cancelledAt(error, target, decision));
    if (sent.decision.spec) await patchRolloutSpec(connection, opts.namespace, name, sent.decision.spec);
    log.info(
      target.promote
        ? `cleared the pause of Rollout ${name}${sent.decision.spec ? ' and unpaused it' : ''} (what kubectl argo rollouts promote does)`
        : `set status.abort on Rollout ${name} (what kubectl argo rollouts abort does)`,
    );
    await followRollout(opts, deps, sent.rollout, sent.decision.to);
    const converged = await waitForEndpoints(deps.kube, {
      namespace: opts.namespace,
      service: sent.decision.activeService,
      selector: { ...(sent.rollout.spec?.selector?.matchLabels ?? {}), [podHashLabel]: sent.decision.to },
      since,
      signal: deps.signal,
      log,
    });
    const where = `active Service ${sent.decision.activeService} on ${target.promote ? 'ReplicaSet' : 'the stable ReplicaSet'} ${sent.decision.to} (${converged.endpoints} endpoints) after ${formatDuration(converged.ms)}`;
    const note = target.promote ? `Rollout ${name} promoted: Healthy, ${where}` : `Rollout ${name} aborted: ${where}`;
    log.info(note);
    return { ...base, switched: true, convergenceMs: converged.ms, note };
  });
}

function decide(target: Target, rollout: SwitchRollout): RolloutDecision {
  return target.promote ? promotionDecision(rollout) : abortDecision(rollout);
}

/**
 * The decision's status patch, guarded by the resourceVersion it was made on. The controller writes
 * the Rollout's status on its own (conditions, messages), so the guard can trip on the controller:
 * the Rollout is read again and, while the decision made on it stays the same, the patch is sent
 * again. A decision that changed (someone else promoted or aborted in between) is a lost race.
 */
async function sendStatus(
  target: Target,
  rollout: SwitchRollout,
  decision: PatchDecision,
  opts: EksSwitchOptions,
  deps: EksSwitchDeps,
): Promise<{ rollout: SwitchRollout; decision: PatchDecision }> {
  for (let attempt = 1; decision.status; attempt++) {
    try {
      await guardedPatch<SwitchRollout>({
        resourceVersion: rollout.metadata?.resourceVersion ?? '',
        patch: { status: decision.status },
        send: (body) => patchRolloutStatus(deps.kube.connection, opts.namespace, target.name, body),
        read: () => target.read().catch(() => undefined),
        landed: (fresh) => written(target, fresh),
        conflict: (fresh) => lostRace(target.name, fresh),
        signal: deps.signal,
      });
      break;
    } catch (error) {
      if (!(error instanceof SwitchConflictError) || attempt >= 5) throw error;
    }
    const fresh = await target.read();
    let again: RolloutDecision | undefined;
    try {
      again = decide(target, fresh);
    } catch {
      // Refused now: another promote or abort landed first.
    }
    if (again?.kind !== 'patch' || again.from !== decision.from || again.to !== decision.to) throw lostRace(target.name, fresh);
    rollout = fresh;
    decision = again;
  }
  return { rollout, decision };
}

/** The Rollout carries this run's write: its pause cleared (promote) or status.abort set. */
function written(target: Target, fresh: SwitchRollout): boolean {
  return target.promote ? !(fresh.status?.pauseConditions ?? []).length : fresh.status?.abort === true;
}

/**
 * A cancel (or the run's deadline) that ends the status write (before it is sent, or between its
 * retries) says where the Rollout is, read back: this run's write landed (Argo carries on with
 * it), or nothing changed.
 */
async function cancelledAt(error: unknown, target: Target, decision: PatchDecision): Promise<never> {
  if (!(error instanceof CancelledError || error instanceof DeadlineError) || error.unchanged) throw error;
  const fresh = await settledWithin(target.read(), cleanupMs.afterCancel);
  const verb = target.promote ? 'promote' : 'abort';
  throw new ExpeditorError(error.message, {
    cause: error,
    unchanged: !fresh
      ? undefined
      : written(target, fresh)
        ? `this run's ${verb} of Rollout ${target.name} landed; Argo Rollouts carries on with it`
        : `Rollout ${target.name} was not ${target.promote ? 'promoted' : 'aborted'}: the active Service stays on ${decision.from}`,
    next: fresh
      ? `look at the Rollout (kubectl argo rollouts get rollout ${target.name}) and run the ${target.promote ? 'switch' : 'rollback'} again if it still needs it`
      : `look at Rollout ${target.name} (kubectl argo rollouts get rollout ${target.name})`,
  });
}

/** Someone else promoted or aborted (or deleted) the Rollout between this run's read and its write. */
function lostRace(name: string, fresh: SwitchRollout | undefined): SwitchConflictError {
  const now = fresh ? `${fresh.status?.phase ?? 'unknown'}${fresh.status?.message ? `: ${fresh.status.message}` : ''}` : 'gone';
  return new SwitchConflictError(
    `someone else changed Rollout ${name} while this run was deciding (now ${now})`,
    'this run changed nothing',
    'look at the Rollout (kubectl argo rollouts get rollout) and run again if it still needs it',
  );
}

/** Watches the Rollout and its AnalysisRuns until the promotion (or abort) has settled; throws when it ended elsewhere. */
async function followRollout(opts: EksSwitchOptions, deps: EksSwitchDeps, before: SwitchRollout, target: string): Promise<void> {
  const connection = deps.kube.connection;
  const name = opts.rollout ?? '';
  const changes = new ChangeLog(deps.log);
  const s = argoSources(connection, opts.namespace, name);
  let last = '';
  let failure: ExpeditorError | undefined;
  try {
    await waitUntil<{ rollout: SwitchRollout; analysisRuns: AnalysisRun }, true>(connection, {
      sources: s,
      signal: deps.signal,
      check: ({ rollout, analysisRuns }) => {
        const runs = ownedRuns(analysisRuns, before.metadata?.uid);
        for (const run of runs) changes.report(`run ${run.metadata?.name}`, analysisRunLine(run));
        const progress = opts.action === 'switch' ? promotionProgress(rollout[0], target) : abortProgress(rollout[0], target);
        last = progress.line;
        changes.report('rollout', progress.line);
        if (progress.failure) {
          const failed = failedRuns(runs);
          const status = rollout[0]?.status;
          const back = status?.stableRS !== undefined && status.blueGreen?.activeSelector === status.stableRS;
          if (progress.held) {
            throw new ExpeditorError(progress.failure, {
              unchanged: 'Argo Rollouts holds the Rollout paused; traffic stays where it is',
              next: 'look at the AnalysisRun; run switch again to promote anyway, or rollback to abort',
            });
          }
          failure = new ExpeditorError(`${progress.failure}${failed.length ? `; ${failed.join('; ')}` : ''}`, {
            unchanged: back
              ? `Argo Rollouts put the active Service back on the stable ReplicaSet ${status?.stableRS}`
              : 'Argo Rollouts is moving the active Service back to the stable ReplicaSet',
            next: failed.length
              ? 'look at the AnalysisRun (kubectl describe analysisrun) and fix the new revision, then deploy again'
              : 'look at the Rollout (kubectl argo rollouts get rollout) and deploy again',
          });
          // Reported once Argo has moved traffic back, so the failure says where traffic is.
          if (back) throw failure;
          return undefined;
        }
        return progress.done ? true : undefined;
      },
    });
  } catch (error) {
    if (error instanceof WaitInterrupted && failure) throw failure;
    // Stopped (deadline, cancel) during the wait, or before it began (the signal fired as the write
    // went out; waitUntil then throws the signal's reason): either way the write stands.
    const stopped = error instanceof WaitInterrupted ? error.reason : error === deps.signal.reason ? (error as Error) : undefined;
    if (stopped) {
      throw new ExpeditorError(
        `Rollout ${name} was ${opts.action === 'switch' ? 'promoted' : 'aborted'}, but had not settled when the wait stopped (${stopped.message})${last ? `: ${last}` : ''}`,
        {
          cause: stopped,
          unchanged: 'the write stands; Argo Rollouts carries on with it',
          next: 'follow it with kubectl argo rollouts get rollout; abort with action rollback if needed',
        },
      );
    }
    throw error;
  }
}
