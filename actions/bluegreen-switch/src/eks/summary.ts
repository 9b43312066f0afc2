// The step summary of an EKS switch, rollback or cleanup.
import { formatDuration } from '@expeditor/shared/deadline';
import { formatFailure } from '@expeditor/shared/errors';
import { Summary, type Cell } from '@expeditor/shared/summary';
import type { EksSwitchPlan } from './plan.ts';
import type { EksSwitchResult } from './types.ts';
import type { Evaluation } from '@expeditor/analysis/run';
import { analysisTable } from '@expeditor/analysis/summary';

export function eksSwitchSummary(
  plan: EksSwitchPlan,
  outcome: { result: EksSwitchResult } | { error: unknown },
  tookMs: number,
  cluster: string | undefined,
  evaluations: readonly Evaluation[] = [],
): Summary {
  const o = plan.options;
  const summary = new Summary();
  const what = `bluegreen-switch ${o.action} (EKS, ${o.rollout ? 'Argo Rollout' : `route ${o.route}`}${plan.environment ? `, ${plan.environment}` : ''})`;
  const where: [string, Cell][] = [['cluster', cluster], ['namespace', o.namespace], target(plan)];
  if ('error' in outcome) {
    summary.heading(`${what} failed`);
    summary.facts([...where, ['took', formatDuration(tookMs)]]);
    summary.details('What happened', formatFailure(outcome.error));
  } else {
    const r = outcome.result;
    summary.heading(`${what}: ${r.switched ? `${r.from} → ${r.to}` : 'no switch'}`);
    summary.facts([
      ...where,
      ['traffic was on', r.from],
      ['traffic is on', r.to],
      ['switched', r.switched ? 'yes' : 'no'],
      ['endpoints converged in', r.convergenceMs !== undefined ? formatDuration(r.convergenceMs) : undefined],
      ...(r.scaledDown ? ([['scaled to zero', `${r.scaledDown.deployment} (was ${r.scaledDown.replicas})`]] as const) : []),
      ['took', formatDuration(tookMs)],
      ['run', o.runUrl ? { text: 'this run', href: o.runUrl } : undefined],
    ]);
    if (r.canarySteps?.length) {
      summary.heading('Canary steps', 3).table(
        ['weight to target', 'check', 'detail'],
        r.canarySteps.map((s) => [`${s.weight}%`, s.outcome, s.detail]),
      );
    }
    summary.paragraph(r.note);
  }
  analysisTable(summary, evaluations);
  const settings = plan.settings.rows();
  if (settings.length) summary.heading('Settings', 3).table(['setting', 'value', 'from'], settings);
  return summary;
}

/** What the switch moved: an Argo Rollout (promoted or aborted), a Service's selector or an Ingress's backends. */
export function target(plan: EksSwitchPlan): [string, Cell] {
  const o = plan.options;
  if (o.rollout) return ['Rollout', o.rollout];
  if (o.route === 'service') return ['Service', o.stableService];
  return ['Ingress', `${o.ingress ?? ''}${o.ingressPath ? ` (${o.ingressPath})` : ''}`];
}
