// The step summary of an ECS switch, rollback or cleanup, with the analysis' evaluations.
import type { Evaluation } from '@expeditor/analysis/run';
import { analysisTable } from '@expeditor/analysis/summary';
import { formatDuration } from '@expeditor/shared/deadline';
import { formatFailure } from '@expeditor/shared/errors';
import { Summary } from '@expeditor/shared/summary';
import type { EcsSwitchResult } from './ecs-switch.ts';
import type { EcsSwitchPlan } from './plan.ts';

export function switchSummary(
  plan: EcsSwitchPlan,
  outcome: { result: EcsSwitchResult } | { error: unknown },
  tookMs: number,
  evaluations: readonly Evaluation[] = [],
): Summary {
  const summary = new Summary();
  const what = `bluegreen-switch ${plan.action} (ECS${plan.environment ? `, ${plan.environment}` : ''})`;
  if ('error' in outcome) {
    summary.heading(`${what} failed`);
    summary.details('What happened', formatFailure(outcome.error));
  } else {
    const r = outcome.result;
    summary.heading(`${what}: ${r.status}`);
    summary.facts([
      ['CodeDeploy deployment', { text: r.newDeploymentId ?? r.deploymentId, href: r.consoleUrl }],
      ...(r.newDeploymentId ? ([['acted on', r.deploymentId]] as const) : []),
      ['traffic was on', r.from],
      ['traffic is on', r.to],
      ['switched', r.switched ? 'yes' : 'no'],
      ['converged in', r.convergenceMs !== undefined ? formatDuration(r.convergenceMs) : undefined],
      ['took', formatDuration(tookMs)],
    ]);
    summary.paragraph(r.words);
  }
  // Also when the run failed: the rows say which check sent the traffic back.
  analysisTable(summary, evaluations);
  const settings = plan.settings.rows();
  if (settings.length) summary.heading('Settings', 3).table(['setting', 'value', 'from'], settings);
  return summary;
}
