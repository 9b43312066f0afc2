// The step summary of a deploy-eks run: one table for all services (colors, readiness, how long,
// why not), the diagnosis of failures, and where each setting came from.
import { formatDuration } from '@expeditor/shared/deadline';
import { formatFailure } from '@expeditor/shared/errors';
import { Summary } from '@expeditor/shared/summary';
import type { DeployEksResult } from './deploy.ts';
import { diagnosisLines } from './diagnose.ts';
import type { DeployEksPlan } from './plan.ts';
import { dispositionText } from './documents.ts';

export function deploySummary(
  plan: DeployEksPlan,
  where: string,
  outcome: { result: DeployEksResult } | { error: unknown },
  tookMs: number,
): Summary {
  const summary = new Summary();
  const title = `${plan.environment ? `${plan.environment}: ` : ''}${where}, namespace ${plan.namespace}`;
  if ('error' in outcome) {
    summary.heading(`deploy-eks failed — ${title}`);
    summary.facts([
      ['image', imagesText(plan)],
      ['services', plan.services.join(', ')],
      ['took', formatDuration(tookMs)],
    ]);
    summary.details('What happened', formatFailure(outcome.error));
  } else {
    const { results, ready } = outcome.result;
    const readyCount = results.filter((r) => r.ready).length;
    const done = plan.strategy === 'rolling' ? 'rolled out' : 'ready to switch';
    summary.heading(
      `deploy-eks ${ready ? done : `${readyCount} of ${results.length} ${plan.strategy === 'rolling' ? 'rolled out' : 'ready'}`} — ${title}`,
    );
    summary.facts([
      ['image', imagesText(plan)],
      ['took', formatDuration(tookMs)],
    ]);
    if (plan.strategy === 'rolling') {
      summary.table(
        ['service', 'Deployment', 'replicas', 'rolled out', 'took', 'why not'],
        results.map((r) => [
          r.service,
          r.deployment,
          `${r.available}/${r.replicas}`,
          r.ready ? 'yes' : 'no',
          formatDuration(r.tookMs),
          r.reason ?? undefined,
        ]),
      );
    } else
      summary.table(
        ['service', 'live', 'target', 'replicas', 'ready to switch', 'took', 'why not'],
        results.map((r) => [
          r.service,
          r.live ?? 'none (first deploy)',
          `${r.target} (${r.deployment})`,
          `${r.available}/${r.replicas}${r.hpa ? ' (HPA)' : ''}`,
          r.ready ? `yes, preview ${r.previewService}` : 'no',
          formatDuration(r.tookMs),
          r.reason ?? undefined,
        ]),
      );
    for (const r of results) {
      if (r.diagnosis) summary.details(`${r.service}: ${r.diagnosis.kind}`, diagnosisLines(r.diagnosis).join('\n'));
    }
    if (ready && plan.strategy === 'rolling')
      summary.paragraph('Every Deployment runs the new image (updated in place: strategy rolling).');
    else if (ready)
      summary.paragraph('Every target color is up behind its preview Service. Test it there, then move traffic with bluegreen-switch.');
    else if (readyCount > 0)
      summary.paragraph(
        `Ready to switch: ${results
          .filter((r) => r.ready)
          .map((r) => r.service)
          .join(', ')}. The live colors were not touched.`,
      );
  }
  return planSections(summary, plan);
}

/** The manifest's documents and where each setting came from (the end of the summary, also validate-only's). */
export function planSections(summary: Summary, plan: DeployEksPlan): Summary {
  if (plan.documents.length > 0) {
    summary.details(
      `The manifest's ${plan.documents.length} documents`,
      plan.documents.map((d) => `${d.where}: ${dispositionText(d)}`).join('\n'),
    );
  }
  const settings = plan.settings.rows();
  if (settings.length) summary.heading('Settings', 3).table(['setting', 'value', 'from'], settings);
  return summary;
}

/** One image, or each service's when they differ. */
export function imagesText(plan: DeployEksPlan): string {
  const distinct = new Set(Object.values(plan.images));
  if (distinct.size <= 1) return [...distinct][0] ?? plan.image;
  return plan.services.map((s) => `${s}: ${plan.images[s]}`).join(', ');
}
