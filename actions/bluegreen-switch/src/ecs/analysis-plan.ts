// Which analysis an ECS switch runs, decided with the other inputs before any network call: the
// analysis input (YAML, the environment file's shape) wins over the environment's section.
// CodeDeploy shifts a canary or linear config's steps on its own clock and cannot be paused
// between them, so there is no moment after a step that the switch could hold traffic at: a check
// that asks for `step` is refused naming its `at` key, and a check that gives no `at` runs at pre
// and post (rather than silently skipping its step part).
import { checkOrigin, type CheckPlan, type Moment, planAnalysis } from '@expeditor/analysis/plan';
import { type AnalysisConfig, parseAnalysisInput } from '@expeditor/shared/config';
import { ExpeditorError, InputError, ProblemsError } from '@expeditor/shared/errors';
import type { Settings } from '@expeditor/shared/settings';
import type { SwitchAction } from './plan.ts';

/** The moments a check without `at` runs at on ECS. */
export const ecsMoments: readonly Moment[] = ['pre', 'post'];

/** Refusals for checks that ask for `step`, and the section with ECS's default moments filled in. */
export function ecsAnalysisConfig(
  config: AnalysisConfig,
  where: { key: string } | { input: string },
): { config: AnalysisConfig; problems: ExpeditorError[] } {
  const problems: ExpeditorError[] = [];
  const checks = config.checks.map((check, index) => {
    if (check.at?.includes('step')) {
      problems.push(
        checkOrigin(where, `checks.${index}`).error(
          'at',
          `check ${check.name} asks for step, which an ECS switch cannot run: CodeDeploy moves a canary or linear config's traffic steps on its own schedule and cannot hold between them`,
          {
            unchanged: 'nothing was changed',
            next: "use at: [pre, post] on ECS; for canary steps watched by alarms, give the CodeDeploy group alarms (deploy-ecs's alarms input), which stop the deployment between steps",
          },
        ),
      );
    }
    return check.at ? check : { ...check, at: [...ecsMoments] };
  });
  return { config: { ...config, checks }, problems };
}

/** The run's checks, or undefined without any; every problem is added to `out`, naming the input or key. */
export function planEcsAnalysis(
  from: { input: string | undefined; file: AnalysisConfig | undefined; environment: string | undefined },
  action: SwitchAction,
  out: { settings: Settings; problems: ExpeditorError[] },
): CheckPlan[] | undefined {
  // A rollback or cleanup is the way back: it does not wait on the checks that may have sent it.
  if (action !== 'switch') {
    if (from.input) out.problems.push(new InputError('analysis', `is only used by action 'switch' (a ${action} runs no analysis)`));
    return undefined;
  }
  const where: { key: string } | { input: string } = from.input
    ? { input: 'analysis' }
    : { key: `environments.${from.environment}.analysis` };
  const refused: ExpeditorError[] = [];
  try {
    const raw = from.input ? parseAnalysisInput(from.input, 'analysis') : from.file;
    if (!raw) return undefined;
    const ecs = ecsAnalysisConfig(raw, where);
    refused.push(...ecs.problems);
    const checks = planAnalysis(ecs.config, where);
    if (refused.length === 0) {
      const shown = checks.map((c) => `${c.name} (${c.source.provider}, ${c.at.join('/')})`).join(', ');
      out.settings.derive('analysis', shown, 'key' in where ? where.key : "input 'analysis'");
      return checks;
    }
  } catch (error) {
    if (error instanceof ProblemsError) refused.push(...error.problems);
    else if (error instanceof ExpeditorError) refused.push(error);
    else throw error;
  }
  out.problems.push(...refused);
  return undefined;
}
