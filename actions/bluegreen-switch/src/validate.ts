// validate-only: the switch's plan and nothing after it. The inputs, the environment file (route,
// Service and Ingress names, canary steps, the analysis section or input) and the connection
// (which cluster or kubeconfig) are planned by the same functions the switch runs, and the
// analysis windows are held against the timeout as the switch holds them before any traffic
// moves, so a plan the switch refuses is refused here with the same error. No client is made and
// no request is sent: what needs the cluster or AWS (the live color, readiness, the CodeDeploy
// deployment, whether the analysis sources answer) is left to the switch.
import type { GitHubContext } from '@expeditor/shared/context';
import type { Log } from '@expeditor/shared/log';
import { formatDuration } from '@expeditor/shared/deadline';
import { Summary, type Cell } from '@expeditor/shared/summary';
import { describeConnection } from '@expeditor/kube/plan';
import type { CheckPlan } from '@expeditor/analysis/plan';
import { eksWindowsMs, plannedWindows, windowsError, windowsProblem } from './analysis-deadline.ts';
import type { EcsSwitchInputs } from './ecs/inputs.ts';
import { planEcsSwitch, type EcsPlanCommon, type EcsSwitchPlan } from './ecs/plan.ts';
import { deadlineProblem } from './ecs/analysis.ts';
import type { EksSwitchInputs } from './eks/inputs.ts';
import { planEksSwitch, type EksPlanCommon, type EksSwitchPlan } from './eks/plan.ts';
import { switchChecks } from './eks/analysis.ts';
import { target } from './eks/summary.ts';

export type SwitchValidated =
  | { validated: true; platform: 'eks'; plan: EksSwitchPlan }
  | { validated: true; platform: 'ecs'; plan: EcsSwitchPlan };

type Common = { timeoutMs: number };
type Run = { log: Log };
const unchanged = 'nothing was changed (validate-only sends nothing)';

/** EKS: the switch's plan and its analysis windows against the timeout, then the "validated" summary. */
export function validateEksSwitch(
  common: EksPlanCommon & Common,
  inputs: EksSwitchInputs,
  github: GitHubContext,
  run: Run,
): SwitchValidated {
  const plan = planEksSwitch(common, inputs, { workspace: github.workspace, sha: github.sha, runUrl: github.runUrl });
  const o = plan.options;
  const checks = switchChecks(o);
  // As before the switch's first move: a service route moves once, an Ingress once per canary step.
  const steps = o.route === 'ingress' && o.canary?.length ? o.canary.length : 1;
  const problem = windowsProblem(eksWindowsMs(plannedWindows(checks), { steps, stepPauseMs: o.stepPauseMs }), common.timeoutMs);
  if (problem) throw windowsError(problem, unchanged);
  const where = `${describeConnection(plan.connect)}, namespace ${o.namespace}`;
  const left = 'the cluster, the live color, readiness and the analysis sources are checked by the switch';
  const canary =
    o.route === 'ingress' && o.canary?.length ? `${o.canary.join(', ')}, ${formatDuration(o.stepPauseMs)} between steps` : undefined;
  return validated({ platform: 'eks', plan }, o.action, { common, github, run, left, checks }, [
    o.rollout ? ['route', 'Argo Rollout'] : ['route', o.route],
    target(plan),
    ['canary', canary],
    ['probe', o.probeUrl],
    ['where', where],
  ]);
}

/** ECS: the switch's plan and its analysis windows against the timeout, then the "validated" summary. */
export function validateEcsSwitch(
  common: EcsPlanCommon & Common,
  inputs: EcsSwitchInputs,
  github: GitHubContext,
  run: Run,
): SwitchValidated {
  const plan = planEcsSwitch(common, inputs, { workspace: github.workspace });
  const checks = plan.analysis ?? [];
  const problem = deadlineProblem({ windowMs: plannedWindows(checks) }, common.timeoutMs);
  if (problem) throw windowsError(problem, unchanged);
  const left =
    "the CodeDeploy deployment, its state and config (a step check's canary or linear), and the analysis sources are checked by the switch (AWS)";
  return validated({ platform: 'ecs', plan }, plan.action, { common, github, run, left, checks }, [
    [
      'CodeDeploy',
      plan.deploymentId ?? (plan.group ? `newest fitting deployment of ${plan.group.application}/${plan.group.group}` : undefined),
    ],
    ['region', plan.region],
  ]);
}

/** The log line and the step summary of a plan that passed. */
function validated(
  result: { platform: 'eks'; plan: EksSwitchPlan } | { platform: 'ecs'; plan: EcsSwitchPlan },
  action: string,
  c: { common: Common; github: GitHubContext; run: Run; left: string; checks: readonly CheckPlan[] },
  facts: [string, Cell][],
): SwitchValidated {
  const { plan } = result;
  const title = `${plan.environment ? `${plan.environment}: ` : ''}${action} (${result.platform.toUpperCase()})`;
  c.run.log.info(`validated: ${title} (validate-only: nothing was sent; ${c.left})`);
  const shown = c.checks.map((k) => `${k.name} (${k.source.provider}, ${k.at.join('/')})`).join(', ');
  const summary = new Summary()
    .heading(`bluegreen-switch validated — ${title}`)
    .facts([
      ...facts,
      ['analysis', shown || undefined],
      ['timeout', formatDuration(c.common.timeoutMs)],
      ['status', `validate-only: nothing was sent, no output is set; ${c.left}`],
    ]);
  const rows = plan.settings.rows();
  if (rows.length) summary.heading('Settings', 3).table(['setting', 'value', 'from'], rows);
  summary.write(c.github.stepSummaryPath);
  return { validated: true, ...result };
}
