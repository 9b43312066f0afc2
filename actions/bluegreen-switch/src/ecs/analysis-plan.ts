// Which analysis an ECS switch runs, decided with the other inputs before any network call: the
// analysis input (YAML, the environment file's shape) wins over the environment's section.
// A check that gives no `at` runs at pre and post on ECS: `step` checks run only where asked, since
// they need a canary or linear deployment config (step-checks.ts checks that before the reroute).
import { type CheckPlan, type Moment, planAnalysis } from '@expeditor/analysis/plan';
import { type AnalysisConfig, parseAnalysisInput } from '@expeditor/shared/config';
import { ExpeditorError, InputError, ProblemsError } from '@expeditor/shared/errors';
import type { Settings } from '@expeditor/shared/settings';
import type { SwitchAction } from './plan.ts';

/** The moments a check without `at` runs at on ECS. */
export const ecsMoments: readonly Moment[] = ['pre', 'post'];

/** The section with ECS's default moments filled in for checks that give no `at`. */
export function ecsAnalysisConfig(config: AnalysisConfig): AnalysisConfig {
  return { ...config, checks: config.checks.map((check) => (check.at ? check : { ...check, at: [...ecsMoments] })) };
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
    const checks = planAnalysis(ecsAnalysisConfig(raw), where);
    const shown = checks.map((c) => `${c.name} (${c.source.provider}, ${c.at.join('/')})`).join(', ');
    out.settings.derive('analysis', shown, 'key' in where ? where.key : "input 'analysis'");
    return checks;
  } catch (error) {
    if (error instanceof ProblemsError) refused.push(...error.problems);
    else if (error instanceof ExpeditorError) refused.push(error);
    else throw error;
  }
  out.problems.push(...refused);
  return undefined;
}
