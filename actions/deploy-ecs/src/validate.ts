// validate-only: the deploy's plan and nothing after it. The inputs, the environment file and the
// local files (task definition, AppSpec) are checked by the same functions the deploy runs, and the
// task definition file is rendered as the deploy would render it, so a config the deploy refuses
// is refused here with the same error. No client is made and no request is sent: what needs AWS
// (the service's controller, the CodeDeploy group, the alarms) is left to the deploy.
import { Summary } from '@expeditor/shared/summary';
import type { Log } from '@expeditor/shared/log';
import { renderForPlan, type DeployEcsPlan } from './plan.ts';

export interface DeployEcsValidated {
  validated: true;
  plan: DeployEcsPlan;
}

/** Renders the task definition file (when there is one) and writes the "validated" summary. */
export function validateDeployEcs(plan: DeployEcsPlan, run: { log: Log }, stepSummaryPath: string | undefined): DeployEcsValidated {
  // Without an image (a rollback's is known only when it runs) the file is checked but not rendered:
  // which container gets the image can depend on the image's repository.
  const rendered = plan.template && plan.image ? renderForPlan(plan, plan.template.input) : undefined;
  const where = plan.service
    ? `${plan.environment ? `${plan.environment}: ` : ''}${plan.cluster}/${plan.service}`
    : `${plan.template?.input.family ?? 'task definition'} (registered only, no service)`;
  const left = 'the service, its deployment controller, the CodeDeploy group and the alarms are checked by the deploy (AWS)';
  run.log.info(`validated: ${where} (validate-only: nothing was sent; ${left})`);
  for (const change of rendered?.changes ?? []) run.log.info(change);
  const summary = new Summary().heading(`deploy-ecs validated — ${where}`).facts([
    ['image', plan.image || 'not given: the task definition is rendered with it at deploy'],
    ['task definition', plan.template ? `${plan.template.file} (family ${plan.template.input.family})` : "the service's current one"],
    ['container', rendered?.container ?? plan.container],
    ['AppSpec', plan.appSpec?.file],
    ['status', `validate-only: nothing was sent, no output is set; ${left}`],
  ]);
  const settings = plan.settings.rows();
  if (settings.length) summary.heading('Settings', 3).table(['setting', 'value', 'from'], settings);
  summary.write(stepSummaryPath);
  return { validated: true, plan };
}
