// bluegreen-switch on an Argo Rollouts blue/green Rollout (input `rollout`): `switch` promotes a
// Rollout paused for promotion and waits until it is Healthy with the active Service on the new
// ReplicaSet; `rollback` aborts an update and waits until the active Service is on the stable
// ReplicaSet. Argo moves the Service's selector itself; the switch writes only what the kubectl
// plugin writes, in one guarded patch, then follows the Rollout and its own AnalysisRuns (one line
// per change) and the active Service's endpoints, so a failure names the AnalysisRun that decided.
import { ExpeditorError } from '@expeditor/shared/errors';
import { formatDuration } from '@expeditor/shared/deadline';
import { ChangeLog } from '@expeditor/shared/log';
import { WaitInterrupted, waitUntil } from '@expeditor/kube/watch';
import { analysisRunLine, failedRuns, ownedRuns, type AnalysisRun } from './argo-analysis.ts';
import { argoSources, patchRolloutSpec, patchRolloutStatus, readSwitchRollout } from './argo-kube.ts';
import {
  abortDecision,
  abortProgress,
  podHashLabel,
  promotionDecision,
  promotionProgress,
  type RolloutDecision,
  type SwitchRollout,
} from './argo-rollout.ts';
import { waitForEndpoints } from './converge.ts';
import { guardedPatch, SwitchConflictError } from './guard.ts';
import type { EksSwitchDeps, EksSwitchOptions, EksSwitchResult } from './types.ts';

export async function switchRollout(opts: EksSwitchOptions, deps: EksSwitchDeps): Promise<EksSwitchResult> {
  const { log } = deps;
  const connection = deps.kube.connection;
  const name = opts.rollout ?? '';
  const promote = opts.action === 'switch';
  const read = () => readSwitchRollout(connection, opts.namespace, name);
  const decide = (r: SwitchRollout): RolloutDecision => (promote ? promotionDecision(r) : abortDecision(r));
  let before = await read();
  let decision = decide(before);
  const base = { action: opts.action, route: 'service' as const, from: decision.from, to: decision.to };
  if (decision.kind === 'nothing') {
    log.info(decision.note);
    return { ...base, switched: false, convergenceMs: undefined, note: decision.note };
  }

  const verb = promote ? 'Promoting' : 'Aborting';
  return log.group(`${verb} Rollout ${name}: active ${decision.from} → ${decision.to}`, async () => {
    const since = performance.now();
    // The controller writes the Rollout's status on its own (conditions, messages), so a write
    // guarded by the version read can lose to it: read again and, if the decision is still the
    // same, write again. A decision that changed (someone else promoted or aborted) stops here.
    for (let attempt = 1; decision.kind === 'patch' && decision.status; attempt++) {
      const status = decision.status;
      const sent = await guardedPatch<SwitchRollout>({
        resourceVersion: before.metadata?.resourceVersion ?? '',
        patch: { status },
        send: (body) => patchRolloutStatus(connection, opts.namespace, name, body),
        read: () => read().catch(() => undefined),
        landed: (fresh) => (promote ? !(fresh.status?.pauseConditions ?? []).length : fresh.status?.abort === true),
        conflict: (fresh) => lostRace(name, fresh),
        signal: deps.signal,
      }).then(
        () => true,
        (error: unknown) => {
          if (!(error instanceof SwitchConflictError) || attempt >= 5) throw error;
          return false;
        },
      );
      if (sent) break;
      const previous = decision;
      const fresh = await read();
      // Another promote or abort landed first: the fresh Rollout may now be refused or need nothing.
      const again = (() => {
        try {
          return decide(fresh);
        } catch {
          return undefined;
        }
      })();
      if (again?.kind !== 'patch' || again.from !== previous.from || again.to !== previous.to) throw lostRace(name, fresh);
      before = fresh;
      decision = again;
    }
    if (decision.kind !== 'patch') throw new Error('unreachable: a patch decision was made above');
    if (decision.spec) await patchRolloutSpec(connection, opts.namespace, name, decision.spec);
    log.info(
      promote
        ? `cleared the pause of Rollout ${name}${decision.spec ? ' and unpaused it' : ''} (what kubectl argo rollouts promote does)`
        : `set status.abort on Rollout ${name} (what kubectl argo rollouts abort does)`,
    );
    await followRollout(opts, deps, before, decision.to);
    const converged = await waitForEndpoints(deps.kube, {
      namespace: opts.namespace,
      service: decision.activeService,
      selector: { ...(before.spec?.selector?.matchLabels ?? {}), [podHashLabel]: decision.to },
      since,
      signal: deps.signal,
      log,
    });
    const note = promote
      ? `Rollout ${name} promoted: Healthy, active Service ${decision.activeService} on ReplicaSet ${decision.to} (${converged.endpoints} endpoints) after ${formatDuration(converged.ms)}`
      : `Rollout ${name} aborted: active Service ${decision.activeService} on the stable ReplicaSet ${decision.to} (${converged.endpoints} endpoints) after ${formatDuration(converged.ms)}`;
    log.info(note);
    return { ...base, switched: true, convergenceMs: converged.ms, note };
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
    if (error instanceof WaitInterrupted) {
      throw new ExpeditorError(
        `Rollout ${name} was ${opts.action === 'switch' ? 'promoted' : 'aborted'}, but had not settled when the wait stopped (${error.reason.message}): ${last}`,
        {
          cause: error.reason,
          unchanged: 'the write stands; Argo Rollouts carries on with it',
          next: 'follow it with kubectl argo rollouts get rollout; abort with action rollback if needed',
        },
      );
    }
    throw error;
  }
}
