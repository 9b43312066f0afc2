// validate-only: the deploy's plan and nothing after it. The inputs, the environment file, the
// manifest (read, split, classified) and the connection (which cluster or kubeconfig) are planned
// by the same function the deploy runs, so a config the deploy refuses is refused here with the
// same error. No client is made and no request is sent: images given by tag are not resolved, and
// what needs the cluster (the live color, the Services, readiness) is left to the deploy.
import type { Log } from '@expeditor/shared/log';
import { Summary } from '@expeditor/shared/summary';
import type { DeployEksPlan } from './plan.ts';
import { imagesText, planSections } from './summary.ts';

export interface DeployEksValidated {
  validated: true;
  plan: DeployEksPlan;
}

/** Logs the plan's warnings and writes the "validated" summary. */
export function validateDeployEks(
  plan: DeployEksPlan,
  where: string,
  run: { log: Log },
  stepSummaryPath: string | undefined,
): DeployEksValidated {
  for (const w of plan.warnings) run.log.warning(w.message, w.input ? { input: w.input } : undefined);
  const title = `${plan.environment ? `${plan.environment}: ` : ''}${where}, namespace ${plan.namespace}`;
  const left = 'the cluster, the live color and the Services are checked by the deploy';
  run.log.info(`validated: ${title} (validate-only: nothing was sent; ${left})`);
  const summary = new Summary().heading(`deploy-eks validated — ${title}`).facts([
    ['image', imagesText(plan)],
    ['services', plan.services.join(', ')],
    ['strategy', plan.rollouts ? 'Argo Rollouts' : plan.strategy],
    ['status', `validate-only: nothing was sent, no output is set${plan.byDigest ? '' : ', images by tag not resolved'}; ${left}`],
  ]);
  planSections(summary, plan);
  summary.write(stepSummaryPath);
  return { validated: true, plan };
}
