// The inputs of a switch on an Argo Rollout (input `rollout`): the Rollout names its own active and
// preview Services and Argo moves their selectors, so the inputs that choose colors, Services or
// an Ingress have no meaning there and are refused rather than ignored; cleanup is Argo's own
// (scaleDownDelaySeconds), so it is refused too.
import { InputError } from '@expeditor/shared/errors';
import type { EksSwitchInputs } from './inputs.ts';
import type { SwitchAction } from './types.ts';

type RolloutInputs = Pick<
  EksSwitchInputs,
  'rollout' | 'service' | 'stableService' | 'previewService' | 'route' | 'ingress' | 'targetColor' | 'canary' | 'analysis'
>;

/** Problems of the inputs given with `rollout`; none without it. */
export function rolloutInputProblems(action: SwitchAction, inputs: RolloutInputs): InputError[] {
  if (!inputs.rollout) return [];
  const problems: InputError[] = [];
  const notWith = (input: string, why: string): void => {
    problems.push(new InputError(input, `is not used with 'rollout': ${why}`, `leave '${input}' out`));
  };
  if (action === 'cleanup') {
    problems.push(
      new InputError(
        'action',
        "cleanup is not used with 'rollout': Argo Rollouts scales the old ReplicaSet down itself after spec.strategy.blueGreen.scaleDownDelaySeconds",
        'use switch (promote) or rollback (abort)',
      ),
    );
  }
  if (inputs.service) notWith('service', 'the Rollout names its active Service (spec.strategy.blueGreen.activeService)');
  if (inputs.stableService) notWith('stable-service', 'the Rollout names its active Service (spec.strategy.blueGreen.activeService)');
  if (inputs.previewService) notWith('preview-service', 'the Rollout names its preview Service (spec.strategy.blueGreen.previewService)');
  if (inputs.route === 'ingress' || inputs.ingress)
    notWith(inputs.ingress ? 'ingress' : 'route', 'Argo moves the active Service, not an Ingress');
  if (inputs.targetColor) notWith('target-color', 'a Rollout has no colors; switch promotes its new ReplicaSet');
  if (inputs.canary) notWith('canary', 'a blue/green Rollout switches all at once');
  if (inputs.analysis) notWith('analysis', "the Rollout's own pre- and post-promotion analysis runs (its AnalysisRuns are followed)");
  return problems;
}
