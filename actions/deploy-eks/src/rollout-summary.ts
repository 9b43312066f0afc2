// The step summary of a deploy-eks run on Argo Rollouts: per Rollout, which ReplicaSet serves
// (stable, behind the active Service) and which one this run brought up (behind the preview),
// and whether it waits for bluegreen-switch to promote it. A failed run reads as any other's.
import { formatDuration } from '@expeditor/shared/deadline';
import { Summary } from '@expeditor/shared/summary';
import type { DeployEksResult } from './deploy.ts';
import { diagnosisLines } from './diagnose.ts';
import { dispositionText } from './documents.ts';
import type { DeployEksPlan } from './plan.ts';
import { deploySummary } from './summary.ts';

export function rolloutSummary(
  plan: DeployEksPlan,
  where: string,
  outcome: { result: DeployEksResult } | { error: unknown },
  tookMs: number,
): Summary {
  if ('error' in outcome) return deploySummary(plan, where, outcome, tookMs);
  const { results, ready } = outcome.result;
  const summary = new Summary();
  const waiting = results.filter((r) => r.rollout?.paused).map((r) => r.deployment);
  summary.heading(
    `deploy-eks ${ready ? (waiting.length ? 'ready to promote' : 'rolled out') : `${results.filter((r) => r.ready).length} of ${results.length} ready`} — ${plan.environment ? `${plan.environment}: ` : ''}${where}, namespace ${plan.namespace}`,
  );
  summary.facts([
    ['image', [...new Set(Object.values(plan.images))].join(', ')],
    ['took', formatDuration(tookMs)],
  ]);
  summary.table(
    ['service', 'Rollout', 'active (stable)', 'new ReplicaSet', 'replicas', 'state', 'why not'],
    results.map((r) => [
      r.service,
      r.deployment,
      `${r.rollout?.activeService ?? ''} → ${r.rollout?.stableHash ?? 'none'}`,
      r.rollout?.newHash ?? undefined,
      `${r.available}/${r.replicas}`,
      r.rollout?.paused
        ? `paused for promotion${r.previewService ? `, preview ${r.previewService}` : ''}`
        : r.rollout?.phase || 'not ready',
      r.reason ?? undefined,
    ]),
  );
  for (const r of results) if (r.diagnosis) summary.details(`${r.service}: ${r.diagnosis.kind}`, diagnosisLines(r.diagnosis).join('\n'));
  if (waiting.length) {
    summary.paragraph(
      `Paused for promotion: ${waiting.join(', ')}. Test the preview, then promote with bluegreen-switch (rollout: <name>), or abort with its rollback.`,
    );
  }
  summary.details(
    `The manifest's ${plan.documents.length} documents`,
    plan.documents
      .map((d) => `${d.where}: ${d.disposition.kind === 'workload' ? `Rollout ${d.name}: applied with the image` : dispositionText(d)}`)
      .join('\n'),
  );
  const settings = plan.settings.rows();
  if (settings.length) summary.heading('Settings', 3).table(['setting', 'value', 'from'], settings);
  return summary;
}
