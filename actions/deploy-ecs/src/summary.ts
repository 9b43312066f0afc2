// The step summary of a deploy-ecs run: what was deployed where, how it ended, links, and where
// each setting came from.
import { formatDuration } from '@expeditor/shared/deadline';
import { formatFailure } from '@expeditor/shared/errors';
import { Summary } from '@expeditor/shared/summary';
import type { DeployEcsResult } from './deploy.ts';
import type { DeployEcsPlan } from './plan.ts';

export function deploySummary(plan: DeployEcsPlan, outcome: { result: DeployEcsResult } | { error: unknown }, tookMs: number): Summary {
  const summary = new Summary();
  const where = plan.service
    ? `${plan.environment ? `${plan.environment}: ` : ''}${plan.cluster}/${plan.service}`
    : `${plan.template?.input.family ?? 'task definition'} (registered only, no service)`;
  if ('error' in outcome) {
    summary.heading(`deploy-ecs failed — ${where}`);
    summary.facts([
      ['image', plan.image],
      ['took', formatDuration(tookMs)],
    ]);
    summary.details('What happened', formatFailure(outcome.error));
  } else {
    const r = outcome.result;
    const registeredOnly = r.strategy === 'register-only';
    summary.heading(registeredOnly ? `deploy-ecs registered only — ${where}` : `deploy-ecs ${r.status} — ${where}`);
    const rows: [string, Parameters<Summary['facts']>[0][number][1]][] = registeredOnly
      ? [
          ['image', plan.image],
          ['task definition', { text: r.taskDefinitionArn, href: r.consoleUrl }],
          ['container', r.container],
          ['status', 'registered only: no service was given, nothing was deployed'],
        ]
      : [
          ['environment', plan.environment],
          ['image', plan.image],
          ['strategy', r.strategy],
          ['task definition', r.taskDefinitionArn],
          ['previous task definition', r.previousTaskDefinitionArn],
          ['container', r.container],
          [r.strategy === 'rolling' ? 'ECS deployment' : 'CodeDeploy deployment', { text: r.deploymentId, href: r.consoleUrl }],
          ['status', r.status],
        ];
    if (r.runTask) {
      rows.push([
        'one-off task',
        `${r.runTask.taskArns.map((a) => a.split('/').pop()).join(', ')}: ${r.runTask.status === 'STOPPED' ? `exited 0 in ${formatDuration(r.runTask.tookMs)}` : 'started, not waited for'}`,
      ]);
    }
    if (r.runningCount !== undefined) rows.push(['tasks', `${r.runningCount}/${r.desiredCount ?? '?'} running`]);
    if (r.blueGreen) {
      const bg = r.blueGreen;
      rows.push(['CodeDeploy group', `${bg.application} / ${bg.group}`], ['traffic shifting', bg.routing]);
      if (bg.traffic) rows.push(['traffic now', bg.traffic.replace(/^traffic: /, '')]);
      if (bg.testListeners.length) rows.push(['test listener', bg.testListeners.join(', ')]);
      if (bg.readyUntil) rows.push(['held at Ready until', bg.readyUntil]);
      if (bg.terminationWaitMinutes) rows.push(['blue kept after the switch', `${bg.terminationWaitMinutes} min`]);
    }
    rows.push(['took', formatDuration(tookMs)]);
    summary.facts(rows);
    if (r.status === 'Ready') {
      summary.paragraph(
        'Green is up and takes test traffic only. Test it, then move traffic with bluegreen-switch (platform ecs, the deployment id above), or roll back with action rollback.',
      );
    }
  }
  const settings = plan.settings.rows();
  if (settings.length) summary.heading('Settings', 3).table(['setting', 'value', 'from'], settings);
  return summary;
}
